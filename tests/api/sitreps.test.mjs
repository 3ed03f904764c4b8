// Situation reports: reporting, corrections with history, "no cases",
// visibility of lists and single reports, series, snapshot, changes since.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, loginAs, cli, PASSWORD } from './lib.mjs';

let srv, owner, partner, listed, other, anon, viewer;
const ids = {};

function addOrg(name, country) {
  return JSON.parse(cli(srv.db, 'org', 'add', '--kind', 'ministry_of_health', '--name-en', name, '--country', country)).id;
}
function addUser(org, login, role) {
  cli(srv.db, 'user', 'add', '--org', String(org), '--login', login, '--name', login, '--role', role, '--password', PASSWORD);
}

before(async () => {
  srv = await startServer();
  ids.A = addOrg('Ministry of Civil Affairs BA', 'BA');
  ids.B = addOrg('Partner ministry', 'CN');
  ids.C = addOrg('Listed ministry', 'GR');
  ids.D = addOrg('Other ministry', 'BR');
  cli(srv.db, 'org', 'partner', String(ids.A), String(ids.B));
  addUser(ids.A, 'ba.editor', 'editor');
  addUser(ids.A, 'ba.viewer', 'viewer');
  addUser(ids.B, 'cn.viewer', 'viewer');
  addUser(ids.C, 'gr.viewer', 'viewer');
  addUser(ids.D, 'br.viewer', 'viewer');
  owner = await loginAs(srv.base, 'ba.editor');
  viewer = await loginAs(srv.base, 'ba.viewer');
  partner = await loginAs(srv.base, 'cn.viewer');
  listed = await loginAs(srv.base, 'gr.viewer');
  other = await loginAs(srv.base, 'br.viewer');
  anon = new Client(srv.base);
});
after(async () => { await srv.stop(); });

test('"no confirmed or suspected cases" is a report of its own, distinct from no report', async () => {
  const r = await owner.post('/api/v1/sitreps', {
    area: 'BA', date: '2020-03-03', cum_confirmed: 0, cum_suspected: 0, transmission: 'no_cases',
    visibility: 'public', note: 'No confirmed or suspected cases of COVID-19 so far.',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.transmission, 'no_cases');
  assert.equal(r.json.cum_confirmed, 0);
  assert.equal(r.json.new_confirmed, null); // not reported is not zero
  const day = await anon.get('/api/v1/situation/2020-03-03');
  assert.equal(day.status, 200);
  assert.ok(day.json.items.some((x) => x.area === 'BA' && x.transmission === 'no_cases'));
  const none = await anon.get('/api/v1/situation/2020-03-02');
  assert.ok(!none.json.items.some((x) => x.area === 'BA'), 'no report that day');
  // "no cases" with cases is a contradiction
  const bad = await owner.post('/api/v1/sitreps', { area: 'BA', date: '2020-03-04', new_confirmed: 2, transmission: 'no_cases' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, '/transmission');
});

test('a correction is a revision: current values served, history on request with who and when', async () => {
  const a = await owner.post('/api/v1/sitreps', { area: 'CN-HB', date: '2020-02-12', new_confirmed: 1638, cum_confirmed: 33366, visibility: 'partners' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.area, 'CN-HB');
  const same = await owner.post('/api/v1/sitreps', { area: 'CN-HB', date: '2020-02-12', new_confirmed: 1638, cum_confirmed: 33366, visibility: 'partners' });
  assert.equal(same.status, 200);
  assert.equal(same.json.revision, 1, 'the same values again change nothing');
  const b = await owner.post('/api/v1/sitreps', { area: 'CN-HB', date: '2020-02-12', new_confirmed: 14840, cum_confirmed: 48206, visibility: 'partners', note: 'clinically diagnosed cases included' });
  assert.equal(b.status, 200);
  assert.equal(b.json.id, a.json.id);
  assert.equal(b.json.revision, 2);
  assert.equal(b.json.new_confirmed, 14840);
  const h = await owner.get(`/api/v1/sitreps/${a.json.id}?history=true`);
  assert.equal(h.json.history.length, 1);
  assert.equal(h.json.history[0].values.new_confirmed, 1638);
  assert.equal(h.json.history[0].changed_by, 'ba.editor');
  assert.match(h.json.history[0].changed_at, /^\d{4}-\d\d-\d\dT/);
  // partners see the history, but not who in the owner organisation made it
  const hp = await partner.get(`/api/v1/sitreps/${a.json.id}?history=true`);
  assert.equal(hp.status, 200);
  assert.equal(hp.json.history[0].changed_by, undefined);
});

test('visibility: lists and single reads show each caller exactly what is shared with it', async () => {
  const made = {};
  for (const [i, vis] of ['private', 'partners', 'listed', 'public'].entries()) {
    const body = { area: 'IT', date: `2020-03-1${i}`, new_confirmed: 100 + i, visibility: vis };
    if (vis === 'listed') body.shared_with = [ids.C];
    const r = await owner.post('/api/v1/sitreps', body);
    assert.equal(r.status, 201, r.text);
    made[vis] = r.json.id;
  }
  const expect = {
    owner: ['private', 'partners', 'listed', 'public'], viewer: ['private', 'partners', 'listed', 'public'],
    partner: ['partners', 'public'], listed: ['listed', 'public'], other: ['public'], anon: ['public'],
  };
  const clients = { owner, viewer, partner, listed, other, anon };
  for (const [who, vis] of Object.entries(expect)) {
    const r = await clients[who].get('/api/v1/sitreps?area=IT');
    assert.equal(r.status, 200);
    const got = r.json.items.map((x) => x.visibility).sort();
    assert.deepEqual(got, [...vis].sort(), `${who} list`);
    for (const [v, id] of Object.entries(made)) {
      const one = await clients[who].get(`/api/v1/sitreps/${id}`);
      assert.equal(one.status, vis.includes(v) ? 200 : 404, `${who} reads ${v}`);
    }
  }
  // only the owner sees the share list
  assert.deepEqual((await owner.get(`/api/v1/sitreps/${made.listed}`)).json.shared_with, [ids.C]);
  assert.equal((await listed.get(`/api/v1/sitreps/${made.listed}`)).json.shared_with, undefined);
  // viewers cannot report
  assert.equal((await viewer.post('/api/v1/sitreps', { area: 'IT', date: '2020-03-20', new_confirmed: 1 })).status, 403);
});

test('series: one value per day from one source, in date order, filtered by dates', async () => {
  for (const [d, n] of [['2020-03-03', 30], ['2020-03-01', 10], ['2020-03-02', 20]]) {
    const r = await owner.post('/api/v1/sitreps', { area: 'GR', date: d, new_confirmed: n, visibility: 'public' });
    assert.equal(r.status, 201);
  }
  const s = await anon.get('/api/v1/areas/GR/series');
  assert.equal(s.status, 200);
  assert.deepEqual(s.json.dates, ['2020-03-01', '2020-03-02', '2020-03-03']);
  assert.deepEqual(s.json.new_confirmed, [10, 20, 30]);
  assert.equal(s.json.source_org, ids.A);
  const f = await anon.get('/api/v1/areas/GR/series?from=2020-03-02&to=2020-03-02');
  assert.deepEqual(f.json.new_confirmed, [20]);
  assert.equal((await anon.get('/api/v1/areas/ZZ/series')).status, 404);
  assert.equal((await anon.get('/api/v1/areas/GR/series?from=March')).json.field, 'from');
});

test('changes since a time: partners poll with a cursor and see corrections', async () => {
  const t0 = new Date(Date.now() - 1000).toISOString();
  await owner.post('/api/v1/sitreps', { area: 'UG', date: '2020-03-05', new_confirmed: 0, visibility: 'partners' });
  await owner.post('/api/v1/sitreps', { area: 'UG', date: '2020-03-06', new_confirmed: 1, visibility: 'partners' });
  await owner.post('/api/v1/sitreps', { area: 'UG', date: '2020-03-07', new_confirmed: 1, visibility: 'private' });
  const p1 = await partner.get(`/api/v1/sitreps/changes?since=${t0}&limit=1`);
  assert.equal(p1.status, 200, p1.text);
  assert.equal(p1.json.items.length, 1);
  const p2 = await partner.get(`/api/v1/sitreps/changes?cursor=${p1.json.next_cursor}&limit=10`);
  const seen = [...p1.json.items, ...p2.json.items].filter((x) => x.area === 'UG').map((x) => x.date);
  assert.deepEqual(seen, ['2020-03-05', '2020-03-06']); // not the private one
  await owner.post('/api/v1/sitreps', { area: 'UG', date: '2020-03-05', new_confirmed: 2, visibility: 'partners' });
  const p3 = await partner.get(`/api/v1/sitreps/changes?cursor=${p2.json.cursor}`);
  assert.deepEqual(p3.json.items.map((x) => [x.date, x.new_confirmed, x.revision]), [['2020-03-05', 2, 2]]);
  assert.equal((await partner.get('/api/v1/sitreps/changes')).status, 400);
  assert.equal((await partner.get('/api/v1/sitreps/changes?since=yesterday')).json.field, 'since');
  assert.equal((await anon.get(`/api/v1/sitreps/changes?since=${t0}`)).status, 401);
});

test('bad reports are refused naming the field, and nothing is written', async () => {
  const before = (await owner.get('/api/v1/sitreps?limit=1000')).json.items.length;
  const cases = [
    [{ area: 'XX', date: '2020-03-01', new_confirmed: 1 }, '/area'],
    [{ area: 'JP', date: '2020-02-30', new_confirmed: 1 }, '/date'],
    [{ area: 'JP', date: '2999-01-01', new_confirmed: 1 }, '/date'],
    [{ area: 'JP', date: '2020-03-01', cum_confirmed: -1 }, '/cum_confirmed'],
    [{ area: 'JP', date: '2020-03-01', new_tests: -1 }, '/new_tests'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: 1.5 }, '/new_confirmed'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: '3' }, '/new_confirmed'],
    [{ area: 'JP', date: '2020-03-01' }, '/new_confirmed'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: 1, transmission: 'widespread' }, '/transmission'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: 1, visibility: 'everyone' }, '/visibility'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: 1, shared_with: [ids.C] }, '/shared_with'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: 1, visibility: 'listed', shared_with: [999999] }, '/shared_with/0'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: 1e11 }, '/new_confirmed'],
    [{ area: 'JP', date: '2020-03-01', new_confirmed: 1, colour: 'red' }, '/colour'],
  ];
  for (const [body, field] of cases) {
    const r = await owner.post('/api/v1/sitreps', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.field, field, r.text);
  }
  const after = (await owner.get('/api/v1/sitreps?limit=1000')).json.items.length;
  assert.equal(after, before);
  // a negative new count is a correction: kept as reported, flagged
  const neg = await owner.post('/api/v1/sitreps', { area: 'JP', date: '2020-03-01', new_confirmed: -3, visibility: 'private' });
  assert.equal(neg.status, 201);
  assert.deepEqual(neg.json.flags, ['negative_new_cases']);
});

test('the area reference has every country with Chinese names and populations', async () => {
  const r = await anon.get('/api/v1/areas');
  assert.equal(r.status, 200);
  const byCode = Object.fromEntries(r.json.items.map((a) => [a.code, a]));
  assert.ok(r.json.items.filter((a) => !a.subdivision).length >= 249);
  assert.equal(byCode.NA.name_en, 'Namibia');
  assert.equal(byCode.BA.name_zh, '波黑');
  assert.equal(byCode.CN.who_region, 'WPRO');
  assert.ok(byCode.IT.population > 50000000);
  assert.equal(byCode['CN-HB'].parent, 'CN');
  assert.ok(r.headers.get('etag'));
});

test('kept anonymous answers follow every write: series and snapshot change as soon as a report does', async () => {
  await owner.post('/api/v1/sitreps', { area: 'TZ', date: '2020-03-16', new_confirmed: 1, visibility: 'public' });
  const a = await anon.get('/api/v1/areas/TZ/series');
  const again = await anon.get('/api/v1/areas/TZ/series');
  assert.equal(again.text, a.text);
  assert.equal(again.headers.get('etag'), a.headers.get('etag'));
  assert.equal((await anon.get('/api/v1/areas/TZ/series', { 'If-None-Match': a.headers.get('etag') })).status, 304);
  await owner.post('/api/v1/sitreps', { area: 'TZ', date: '2020-03-17', new_confirmed: 2, visibility: 'public' });
  const b = await anon.get('/api/v1/areas/TZ/series');
  assert.deepEqual(b.json.new_confirmed, [1, 2]);
  assert.notEqual(b.headers.get('etag'), a.headers.get('etag'));
  const d1 = await anon.get('/api/v1/situation/2020-03-17');
  assert.equal(d1.json.items.filter((x) => x.area === 'TZ')[0].new_confirmed, 2);
  await owner.post('/api/v1/sitreps', { area: 'TZ', date: '2020-03-17', new_confirmed: 3, visibility: 'public' });
  const d2 = await anon.get('/api/v1/situation/2020-03-17');
  assert.equal(d2.json.items.filter((x) => x.area === 'TZ')[0].new_confirmed, 3);
  // a private report never reaches the kept public answer
  await owner.post('/api/v1/sitreps', { area: 'TZ', date: '2020-03-18', new_confirmed: 9, visibility: 'private' });
  assert.deepEqual((await anon.get('/api/v1/areas/TZ/series')).json.new_confirmed, [1, 3]);
  // and logged-in callers see what is shared with them, not the kept answer
  assert.deepEqual((await owner.get('/api/v1/areas/TZ/series')).json.new_confirmed, [1, 3, 9]);
});
