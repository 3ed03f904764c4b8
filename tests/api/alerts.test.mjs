// Alerts, joint statements and advisories (C3) and public alerts (C10):
// who receives what (inbox, event stream, feed) by CAP scope and
// subscription; update/cancel chains and the incident view; the joint
// statement's approvals and atomic issue; CAP import and export of every
// example, checked with xmllint against the OASIS schema; refusals with the
// schema's reason; receipts; signed webhooks retried across a restart of
// the server against a receiver on loopback that fails and then recovers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, Client, loginAs, cli, ROOT, BIN, PASSWORD } from './lib.mjs';

const SHARED = process.env.EB_SHARED || resolve(ROOT, '..', 'shared');
const EXAMPLES = join(SHARED, 'data', 'standards', 'cap', 'examples');
const CAP_XSD = join(ROOT, 'data', 'standards', 'cap', 'cap12.xsd');
const EDXL_XSD = join(ROOT, 'data', 'standards', 'edxl-de', 'edxlde-1_0.xsd');
const ENV = { EB_WEBHOOK_BACKOFF_MS: '150', EB_WEBHOOK_BACKOFF_MAX_MS: '300', EB_EVENTS_POLL_MS: '100', EB_WEBHOOK_TIMEOUT_MS: '2000' };
const TMP = mkdtempSync(join(tmpdir(), 'ebalerts-'));

let srv, ids = {}, c = {}, anon;

function addOrg(name, country, kind = 'ministry_of_health') {
  return JSON.parse(cli(srv.db, 'org', 'add', '--kind', kind, '--name-en', name, '--country', country)).id;
}
function addUser(org, login, role) {
  cli(srv.db, 'user', 'add', '--org', String(org), '--login', login, '--name', login, '--role', role, '--password', PASSWORD);
}
async function relogin() {
  for (const [k, login] of Object.entries({ a: 'a.editor', av: 'a.viewer', b: 'b.editor', cc: 'c.editor', cv: 'c.viewer', d: 'd.editor', e: 'e.editor' })) {
    c[k] = await loginAs(srv.base, login);
  }
  anon = new Client(srv.base);
}

const info = (headline, extra = {}) => ({ language: 'en', event: 'COVID-19', urgency: 'Expected', severity: 'Moderate', certainty: 'Likely', headline, ...extra });

function xmllint(xsd, xml) {
  const f = join(TMP, `doc${Math.random().toString(16).slice(2)}.xml`);
  writeFileSync(f, xml);
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd, f], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true };
  } catch (e) {
    return { ok: false, out: String(e.stderr) };
  }
}

// An event-stream reader over fetch: collects parsed events.
function openStream(client, path = '/api/v1/events', headers = {}) {
  const ac = new AbortController();
  const h = { ...headers };
  if (client.cookie) h.cookie = client.cookie;
  if (client.token) h.authorization = `Bearer ${client.token}`;
  const events = [];
  let status = 0;
  let opened;
  const ready = new Promise((r) => { opened = r; });
  (async () => {
    try {
      const res = await fetch(client.base + path, { headers: h, signal: ac.signal });
      status = res.status;
      opened();
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) ev.id = Number(line.slice(4));
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
          }
          if (ev.event) events.push(ev);
        }
      }
    } catch { opened(); /* aborted */ }
  })();
  return {
    events,
    ready,
    get status() { return status; },
    close() { ac.abort(); },
    async waitFor(pred, ms = 5000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const e = events.find(pred);
        if (e) return e;
        await sleep(20);
      }
      return null;
    },
  };
}

async function until(fn, ms = 8000, step = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return v;
    await sleep(step);
  }
}

before(async () => {
  srv = await startServer({ env: ENV });
  ids.A = addOrg('Embassy in Tanzania (test)', 'TZ', 'embassy');
  ids.B = addOrg('Subscriber ministry', 'KR');
  ids.C = addOrg('Addressed ministry', 'TZ');
  ids.D = addOrg('Outsider ministry', 'BR');
  ids.E = addOrg('Second co-signer', 'TZ', 'government');
  for (const [k, org] of Object.entries({ a: ids.A, b: ids.B, c: ids.C, d: ids.D, e: ids.E })) {
    addUser(org, `${k}.editor`, 'editor');
    addUser(org, `${k}.viewer`, 'viewer');
  }
  await relogin();
  // B follows Korea; D follows everything, everywhere.
  assert.equal((await c.b.post('/api/v1/subscriptions', { area: 'KR' })).status, 201);
  assert.equal((await c.d.post('/api/v1/subscriptions', { area: '*', kind: '*' })).status, 201);
});
after(async () => { await srv.stop(); });

test('restricted and private alerts never reach organisations outside their addressees: inbox, stream, feed, reads', async () => {
  const outsider = openStream(c.d);
  const addressed = openStream(c.cv);
  await outsider.ready;
  await addressed.ready;
  assert.equal(outsider.status, 200);
  const mk = (scope, headline) => ({ cap: { scope, info: [info(headline)] }, areas: ['KR'], ...(scope === 'Public' ? {} : { shared_with: [ids.C] }) });
  const pub = await c.a.post('/api/v1/alerts', mk('Public', 'public one'));
  const res = await c.a.post('/api/v1/alerts', mk('Restricted', 'restricted one'));
  const prv = await c.a.post('/api/v1/alerts', mk('Private', 'private one'));
  for (const r of [pub, res, prv]) assert.equal(r.status, 201, r.text);
  assert.equal(res.json.visibility, 'listed');
  assert.equal(res.json.cap.restriction, 'For the addressed organisations only');
  assert.equal(prv.json.cap.addresses, `org:${ids.C}`);
  assert.deepEqual(prv.json.shared_with, [ids.C]);
  // A Restricted or Private message needs its addressees.
  const bad = await c.a.post('/api/v1/alerts', mk('Private', 'nobody'));
  assert.equal((await c.a.post('/api/v1/alerts', { cap: { scope: 'Private', info: [info('x')] } })).status, 400);
  assert.equal(bad.status, 201);

  // the addressee (no subscription): inbox and stream have the two
  // addressed to it
  const inboxC = await c.cv.get('/api/v1/inbox');
  const got = new Set(inboxC.json.items.map((x) => x.alert_id));
  for (const r of [res, prv]) assert.ok(got.has(r.json.id), `C has ${r.json.cap.scope}`);
  for (const r of [res, prv]) assert.ok(await addressed.waitFor((e) => e.event === 'alert' && e.data.alert.id === r.json.id), `C's stream has ${r.json.cap.scope}`);
  assert.ok(!got.has(pub.json.id), 'C neither subscribes nor is addressed by the public one');
  // the outsider subscribes to everything, yet gets only the public one
  const inboxD = await c.d.get('/api/v1/inbox');
  const gotD = new Set(inboxD.json.items.map((x) => x.alert_id));
  assert.ok(gotD.has(pub.json.id));
  assert.ok(!gotD.has(res.json.id) && !gotD.has(prv.json.id));
  assert.ok(await outsider.waitFor((e) => e.event === 'alert' && e.data.alert.id === pub.json.id));
  await sleep(300);
  assert.ok(!outsider.events.some((e) => e.data?.alert && [res.json.id, prv.json.id].includes(e.data.alert.id)), 'no restricted or private event reached the outsider');
  // B follows KR: same
  const inboxB = await c.b.get('/api/v1/inbox');
  assert.deepEqual(inboxB.json.items.filter((x) => [res.json.id, prv.json.id].includes(x.alert_id)), []);
  // reads, lists, CAP, feeds
  for (const r of [res, prv]) {
    assert.equal((await c.d.get(`/api/v1/alerts/${r.json.id}`)).status, 404);
    assert.equal((await anon.get(`/api/v1/alerts/${r.json.id}/cap`)).status, 404);
    assert.equal((await c.d.get(`/api/v1/alerts/${r.json.id}/edxl`)).status, 404);
    assert.equal((await c.cv.get(`/api/v1/alerts/${r.json.id}`)).status, 200);
  }
  const listD = await c.d.get('/api/v1/alerts?limit=1000');
  assert.ok(!listD.json.items.some((x) => [res.json.id, prv.json.id].includes(x.id)));
  const feed = await anon.get('/feeds/alerts.atom');
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /application\/atom\+xml/);
  assert.ok(feed.text.includes('public one'));
  assert.ok(!feed.text.includes('restricted one') && !feed.text.includes('private one'));
  const index = await anon.get('/api/v1/public/alerts');
  assert.ok(index.json.items.some((x) => x.id === pub.json.id && x.links.cap.endsWith(`/api/v1/alerts/${pub.json.id}/cap`)));
  assert.ok(!index.json.items.some((x) => [res.json.id, prv.json.id].includes(x.id)));
  // EDXL-DE routes the restricted one to its addressee and is valid
  const edxl = await c.a.get(`/api/v1/alerts/${res.json.id}/edxl`);
  assert.equal(edxl.status, 200);
  assert.ok(edxl.text.includes(`org:${ids.C}`));
  const v = xmllint(EDXL_XSD, edxl.text);
  assert.ok(v.ok, v.out);
  outsider.close();
  addressed.close();
});

test('updates and cancellations chain through references; the incident view gives the current state in one query', async () => {
  const first = await c.a.post('/api/v1/alerts', { cap: { info: [info('Cluster reported')] }, areas: ['KR'] });
  assert.equal(first.status, 201, first.text);
  // The update is about another area, yet B, which had the first, gets it.
  const upd = await c.a.post('/api/v1/alerts', { references_alert: first.json.id, cap: { info: [info('Cluster growing')] }, areas: ['JP'] });
  assert.equal(upd.status, 201, upd.text);
  assert.equal(upd.json.msgType, 'Update');
  assert.equal(upd.json.incident, first.json.identifier);
  assert.equal(upd.json.references, `${first.json.sender},${first.json.identifier},${first.json.sent}`);
  const inboxB = await c.b.get('/api/v1/inbox');
  assert.ok(inboxB.json.items.some((x) => x.alert_id === upd.json.id), 'earlier recipients get updates');
  // Only the sender updates or cancels its alert.
  const foreign = await c.d.post('/api/v1/alerts', { references_alert: first.json.id, cap: { msgType: 'Cancel', info: [info('no')] } });
  assert.equal(foreign.status, 403);
  const cancel = await c.a.post('/api/v1/alerts', { references_alert: upd.json.id, cap: { msgType: 'Cancel', info: [info('All clear')] } });
  assert.equal(cancel.status, 201, cancel.text);
  assert.equal(cancel.json.incident, first.json.identifier);
  const inc = await anon.get('/api/v1/incidents?limit=1000');
  const mine = inc.json.items.filter((x) => x.incident === first.json.identifier);
  assert.equal(mine.length, 1, 'one row per incident');
  assert.equal(mine[0].id, cancel.json.id);
  assert.equal(mine[0].cancelled, true);
  assert.equal(mine[0].messages, 3);
  const chain = await anon.get(`/api/v1/alerts?incident=${encodeURIComponent(first.json.identifier)}`);
  assert.deepEqual(chain.json.items.map((x) => x.id), [cancel.json.id, upd.json.id, first.json.id]);
});

test('a joint statement is issued only when every co-signer approved, atomically', async () => {
  const draft = await c.a.post('/api/v1/alerts', {
    kind: 'joint_statement', cosigners: [ids.C, ids.E], areas: ['TZ'],
    cap: { info: [{ language: 'en', headline: 'Joint statement on strengthening cooperation' }, { language: 'zh', headline: '关于加强防控合作的联合声明' }] },
  });
  assert.equal(draft.status, 201, draft.text);
  const id = draft.json.id;
  assert.equal(draft.json.state, 'draft');
  assert.equal(draft.json.cap.info[0].event, 'Joint statement');
  assert.ok(draft.json.cap.info[0].parameter.some((p) => p.valueName === 'signatory' && p.value === 'Addressed ministry'));
  assert.deepEqual(draft.json.signers.map((s) => s.decision), ['pending', 'pending']);
  // invisible to outsiders, not in any feed or inbox yet
  assert.equal((await c.d.get(`/api/v1/alerts/${id}`)).status, 404);
  assert.equal((await c.d.post(`/api/v1/alerts/${id}/approve`)).status, 404);
  assert.ok(!(await anon.get('/feeds/alerts.atom')).text.includes('Joint statement on strengthening'));
  const early = await c.a.post(`/api/v1/alerts/${id}/issue`);
  assert.equal(early.status, 409);
  assert.match(early.json.detail, /Addressed ministry \(pending\)/);
  assert.equal((await c.a.get(`/api/v1/alerts/${id}/deliveries`)).json.totals.recipients, 0, 'a refused issue delivered nothing');
  // each co-signer in its own account; viewers cannot sign
  assert.equal((await c.cv.post(`/api/v1/alerts/${id}/approve`)).status, 403);
  assert.equal((await c.a.post(`/api/v1/alerts/${id}/approve`)).status, 403, 'the owner is not a co-signer');
  assert.equal((await c.cc.post(`/api/v1/alerts/${id}/approve`, { note: 'agreed' })).status, 200);
  const dec = await c.e.post(`/api/v1/alerts/${id}/decline`, { note: 'wording' });
  assert.equal(dec.status, 200);
  const blocked = await c.a.post(`/api/v1/alerts/${id}/issue`);
  assert.equal(blocked.status, 409);
  assert.match(blocked.json.detail, /Second co-signer \(declined\)/);
  assert.equal((await c.e.post(`/api/v1/alerts/${id}/approve`)).status, 200);
  assert.equal((await c.cc.post(`/api/v1/alerts/${id}/issue`)).status, 403, 'a co-signer does not issue');
  const issued = await c.a.post(`/api/v1/alerts/${id}/issue`);
  assert.equal(issued.status, 200, issued.text);
  assert.equal(issued.json.state, 'issued');
  assert.equal(issued.json.visibility, 'public');
  assert.deepEqual(issued.json.signers.map((s) => s.decision), ['approved', 'approved']);
  // delivered at once: co-signers and subscribers (D follows everything)
  const dv = await c.a.get(`/api/v1/alerts/${id}/deliveries`);
  const orgs = dv.json.items.map((x) => x.org_id).sort((x, y) => x - y);
  assert.deepEqual(orgs, [ids.C, ids.D, ids.E].sort((x, y) => x - y));
  assert.equal((await c.a.post(`/api/v1/alerts/${id}/issue`)).status, 409, 'issued once');
  assert.equal((await c.cc.post(`/api/v1/alerts/${id}/decline`)).status, 409, 'no decisions after issue');
  assert.ok((await anon.get('/feeds/alerts.atom')).text.includes('Joint statement on strengthening'));
  // a withdrawn draft stays withdrawn
  const d2 = await c.a.post('/api/v1/alerts', { kind: 'joint_statement', cosigners: [ids.C], cap: { info: [{ language: 'en', headline: 'withdrawn one' }] } });
  assert.equal((await c.a.del(`/api/v1/alerts/${d2.json.id}`)).status, 204);
  assert.equal((await c.cc.post(`/api/v1/alerts/${d2.json.id}/approve`)).status, 409);
});

test('a travel advisory for citizens of one country entering another, in two languages, exports as valid CAP', async () => {
  const r = await c.a.post('/api/v1/alerts', {
    kind: 'advisory', citizens_of: 'CN', entering: 'BA',
    cap: {
      info: [
        { language: 'en', headline: 'Cooperate with entry quarantine', instruction: 'Cooperate with the quarantine measures on entry.', effective: '2020-02-28T09:00:00+01:00', expires: '2020-04-30T00:00:00+01:00' },
        { language: 'zh', headline: '配合入境检疫', instruction: '请积极配合波方相关检疫举措。' },
      ],
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.advisory, { citizens_of: 'CN', entering: 'BA' });
  assert.deepEqual(r.json.areas, ['BA']);
  assert.equal(r.json.cap.info[0].audience, 'Citizens of China entering Bosnia and Herzegovina');
  assert.equal(r.json.cap.info[1].area[0].areaDesc, '波黑');
  assert.equal(r.json.effective, '2020-02-28T08:00:00.000Z');
  const xml = await anon.get(`/api/v1/alerts/${r.json.id}/cap`);
  assert.equal(xml.status, 200);
  assert.match(xml.headers.get('content-type'), /application\/cap\+xml/);
  const v = xmllint(CAP_XSD, xml.text);
  assert.ok(v.ok, v.out);
  assert.equal((await c.a.post('/api/v1/alerts', { kind: 'advisory', cap: { info: [{ language: 'en' }] } })).json?.field, '/citizens_of');
});

test('CAP import of every example in the standards folder round-trips through export and validates with xmllint', async () => {
  const files = readdirSync(EXAMPLES).filter((f) => /\.(xml|cap)$/.test(f)).sort();
  assert.ok(files.length >= 6, `examples in ${EXAMPLES}`);
  for (const f of files) {
    const src = readFileSync(join(EXAMPLES, f), 'utf8');
    const imp = await c.b.post('/api/v1/alerts/import', src, { 'Content-Type': 'application/cap+xml' });
    assert.equal(imp.status, 201, `${f}: ${imp.text}`);
    const exp = await c.b.get(`/api/v1/alerts/${imp.json.id}/cap`);
    assert.equal(exp.status, 200, f);
    const v = xmllint(CAP_XSD, exp.text);
    assert.ok(v.ok, `${f}: ${v.out}`);
    // Re-import the export under a new identifier: the same message.
    const again = exp.text.replace(/<identifier>([^<]*)<\/identifier>/, '<identifier>$1-rt</identifier>');
    const imp2 = await c.b.post('/api/v1/alerts/import', again, { 'Content-Type': 'application/xml' });
    assert.equal(imp2.status, 201, `${f}: ${imp2.text}`);
    const a = { ...imp.json.cap }, b = { ...imp2.json.cap };
    assert.equal(b.identifier, `${a.identifier}-rt`);
    delete a.identifier;
    delete b.identifier;
    assert.deepEqual(b, a, `${f} round trip`);
    // importing the same document twice is refused
    assert.equal((await c.b.post('/api/v1/alerts/import', src, { 'Content-Type': 'application/cap+xml' })).status, 409, f);
  }
  // the CLI exports the same bytes
  const one = (await c.b.get('/api/v1/alerts?limit=1')).json.items[0];
  const fromCli = cli(srv.db, 'alert', 'export', String(one.id));
  assert.equal(fromCli, (await c.b.get(`/api/v1/alerts/${one.id}/cap`)).text);
});

test('an invalid or unsafe CAP document is refused with the schema\'s reason and nothing is stored', async () => {
  const a1 = readFileSync(join(EXAMPLES, 'oasis-cap12-appendixA1.xml'), 'utf8');
  const before = (await c.e.get('/api/v1/alerts?limit=1000')).json.items.length;
  const bad = a1.replace('<urgency>Immediate</urgency>', '<urgency>Soon</urgency>').replace(/<identifier>[^<]*</, '<identifier>bad-urgency<');
  const r = await c.e.post('/api/v1/alerts/import', bad, { 'Content-Type': 'application/cap+xml' });
  assert.equal(r.status, 400);
  assert.match(r.json.detail, /'Soon' is not an element of the set/);
  assert.equal(r.json.field, '/alert/info/urgency');
  const zulu = a1.replace(/<sent>[^<]*<\/sent>/, '<sent>2003-04-02T19:39:01Z</sent>').replace(/<identifier>[^<]*</, '<identifier>zulu<');
  const z = await c.e.post('/api/v1/alerts/import', zulu, { 'Content-Type': 'application/cap+xml' });
  assert.equal(z.status, 400);
  assert.equal(z.json.field, '/alert/sent');
  const xxe = `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>${a1.replace(/^<\?xml[^>]*>/, '')}`;
  const x = await c.e.post('/api/v1/alerts/import', xxe, { 'Content-Type': 'application/cap+xml' });
  assert.equal(x.status, 400);
  assert.match(x.json.detail, /DOCTYPE/i);
  assert.equal((await c.e.post('/api/v1/alerts/import', '{}', { 'Content-Type': 'application/json' })).status, 415);
  assert.equal((await c.e.get('/api/v1/alerts?limit=1000')).json.items.length, before);
});

test('receipts: the recipient reads and acknowledges (also by a CAP Ack); the sender sees who, live', async () => {
  const senderStream = openStream(c.av);
  await senderStream.ready;
  const r = await c.a.post('/api/v1/alerts', { cap: { scope: 'Restricted', info: [info('For C and E')] }, shared_with: [ids.C, ids.E] });
  assert.equal(r.status, 201);
  const id = r.json.id;
  assert.equal((await c.cv.post(`/api/v1/inbox/${id}/ack`)).status, 403, 'viewers read, editors acknowledge');
  const rd = await c.cv.post(`/api/v1/inbox/${id}/read`);
  assert.equal(rd.status, 200);
  assert.ok(rd.json.read_at);
  const ack = await c.cc.post(`/api/v1/inbox/${id}/ack`);
  assert.equal(ack.status, 200);
  assert.equal(ack.json.acknowledged_by, 'c.editor');
  assert.equal((await c.d.post(`/api/v1/inbox/${id}/read`)).status, 404);
  // E acknowledges with a CAP Ack message referencing the alert
  const capAck = await c.e.post('/api/v1/alerts', { references_alert: id, cap: { msgType: 'Ack', info: [info('Received')] } });
  assert.equal(capAck.status, 201, capAck.text);
  assert.equal(capAck.json.visibility, 'listed');
  assert.equal((await c.a.get(`/api/v1/alerts/${capAck.json.id}`)).status, 200, 'the sender reads the Ack');
  assert.equal((await c.d.get(`/api/v1/alerts/${capAck.json.id}`)).status, 404);
  const dv = await c.av.get(`/api/v1/alerts/${id}/deliveries`);
  assert.equal(dv.status, 200);
  assert.deepEqual(dv.json.totals, { recipients: 2, delivered: 2, read: 2, acknowledged: 2, webhooks: { pending: 0, delivered: 0, failed: 0 } });
  const e = dv.json.items.find((x) => x.org_id === ids.E);
  assert.equal(e.ack_alert, capAck.json.id);
  assert.equal((await c.cc.get(`/api/v1/alerts/${id}/deliveries`)).status, 403, 'recipients do not see the distribution');
  assert.ok(await senderStream.waitFor((ev) => ev.event === 'read' && ev.data.alert_id === id && ev.data.org_id === ids.C));
  assert.ok(await senderStream.waitFor((ev) => ev.event === 'ack' && ev.data.alert_id === id && ev.data.org_id === ids.E));
  senderStream.close();
  // unread filter
  const unread = await c.e.get('/api/v1/inbox?unread=true');
  assert.ok(!unread.json.items.some((x) => x.alert_id === id));
});

test('a reconnecting event stream gets what it missed (Last-Event-ID); timeout ends a stream', async () => {
  const s1 = openStream(c.b);
  await s1.ready;
  const r1 = await c.a.post('/api/v1/alerts', { cap: { info: [info('first for B')] }, areas: ['KR'] });
  const ev1 = await s1.waitFor((e) => e.event === 'alert' && e.data.alert.id === r1.json.id);
  assert.ok(ev1);
  s1.close();
  const r2 = await c.a.post('/api/v1/alerts', { cap: { info: [info('missed by B')] }, areas: ['KR'] });
  await sleep(300);
  const s2 = openStream(c.b, '/api/v1/events?timeout=0', { 'Last-Event-ID': String(ev1.id) });
  await s2.ready;
  assert.ok(await s2.waitFor((e) => e.event === 'alert' && e.data.alert.id === r2.json.id), 'replayed');
  assert.ok(!s2.events.some((e) => e.data?.alert?.id === r1.json.id));
  assert.equal((await anon.get('/api/v1/events')).status, 401);
});

test('public alerts: CAP index and Atom without login, with view counts', async () => {
  const r = await c.a.post('/api/v1/alerts', { cap: { info: [info('Counted <& escaped>')] }, areas: ['IT'] });
  for (let i = 0; i < 3; i++) assert.equal((await anon.get(`/api/v1/alerts/${r.json.id}`)).status, 200);
  assert.equal((await anon.get(`/api/v1/alerts/${r.json.id}/cap`)).status, 200);
  const views = await until(async () => {
    const v = (await anon.get(`/api/v1/alerts/${r.json.id}`)).json.views;
    return v >= 4 ? v : 0;
  }, 6000, 250);
  assert.ok(views >= 4, `views ${views}`);
  const feed = await anon.get('/feeds/alerts.atom');
  assert.ok(feed.text.includes('<title>Counted &lt;&amp; escaped&gt;</title>'));
  assert.match(feed.text, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
});

test('webhooks are signed and retried with backoff from the outbox while the receiver is down, across a server restart', async () => {
  const got = [];
  let failing = true;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ headers: req.headers, body, failing });
      res.writeHead(failing ? 503 : 200);
      res.end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  try {
    const sub = await c.cc.post('/api/v1/subscriptions', { area: 'GR', kind: 'alert', webhook_url: url });
    assert.equal(sub.status, 201, sub.text);
    const secret = sub.json.webhook_secret;
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.equal((await c.cc.get('/api/v1/subscriptions')).json.items.find((x) => x.id === sub.json.id).webhook_secret, undefined, 'shown once');
    const r = await c.a.post('/api/v1/alerts', { cap: { info: [info('Greece: information exchange')] }, areas: ['GR'] });
    assert.equal(r.status, 201);
    // at least two failed attempts, then stop the server mid-retry
    assert.ok(await until(() => got.length >= 2, 8000), `attempts: ${got.length}`);
    await srv.stop();
    const before = got.length;
    failing = false;
    await sleep(400);
    assert.equal(got.length, before, 'nothing is sent while the server is down');
    srv = await startServer({ db: srv.db, env: ENV });
    await relogin();
    assert.ok(await until(() => got.some((g) => !g.failing), 10000), 'delivered after the restart');
    const ok = got.find((g) => !g.failing);
    const ts = ok.headers['x-epibridge-timestamp'];
    assert.match(ts, /^\d+$/);
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
    const want = `sha256=${createHmac('sha256', secret).update(`${ts}.${ok.body}`).digest('hex')}`;
    assert.ok(timingSafeEqual(Buffer.from(ok.headers['x-epibridge-signature']), Buffer.from(want)), 'valid signature');
    const wrong = `sha256=${createHmac('sha256', 'not-the-secret').update(`${ts}.${ok.body}`).digest('hex')}`;
    assert.notEqual(ok.headers['x-epibridge-signature'], wrong);
    const body = JSON.parse(ok.body);
    assert.equal(body.alert.id, r.json.id);
    assert.equal(body.org, ids.C);
    assert.equal(String(body.delivery), ok.headers['x-epibridge-delivery']);
    const dv = await until(async () => {
      const x = await c.a.get(`/api/v1/alerts/${r.json.id}/deliveries`);
      const w = x.json.items.find((i) => i.org_id === ids.C)?.webhook;
      return w && w.state === 'delivered' ? w : null;
    }, 5000);
    assert.ok(dv, 'the sender sees the webhook delivered');
    assert.ok(dv.attempts >= 3, `attempts ${dv.attempts}`);
    await sleep(500);
    assert.equal(got.filter((g) => !g.failing).length, 1, 'delivered once');
  } finally {
    receiver.close();
  }
});

test('CLI: alert import, list, show and export', async () => {
  const f = join(EXAMPLES, 'oasis-cap12-appendixA3.xml');
  const src = readFileSync(f, 'utf8').replace(/<identifier>([^<]*)</, '<identifier>$1-cli<');
  const g = join(TMP, 'a3-cli.xml');
  writeFileSync(g, src);
  const out = cli(srv.db, 'alert', 'import', g, '--org', String(ids.E));
  assert.match(out, /a3-cli\.xml: imported as alert \d+/);
  const list = cli(srv.db, 'alert', 'list', '--org', String(ids.E));
  assert.ok(list.includes('-cli'));
  const bad = join(TMP, 'bad.xml');
  writeFileSync(bad, src.replace('<msgType>', '<msgType>X'));
  try {
    execFileSync(BIN, ['alert', 'import', bad, '--org', String(ids.E), '--db', srv.db], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    assert.fail('a bad file must fail');
  } catch (e) {
    assert.equal(e.status, 1);
    assert.match(e.stdout + e.stderr, /bad\.xml: .*msgType/);
  }
});
