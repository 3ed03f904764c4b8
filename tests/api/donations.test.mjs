// Supply donations (C4) over HTTP: the catalogue, pledges and their
// amendments, every shipment transition (legal and illegal), refusal of
// over-shipment and its acceptance after an amendment, concurrent receipts
// and shipments, reconciliation numbers and needs coverage, access per
// relation (donor, recipient, partner, listed, unrelated, anonymous), and
// the exports: IATI validated with xmllint against the shipped schema, HXL
// CSV and FTS JSON, from the API and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, loginAs, cli, ROOT, PASSWORD } from './lib.mjs';

let srv, donor, donorViewer, recipient, recipientViewer, partner, listed, other, anon, root;
const org = {};
const SCHEMA = join(ROOT, 'data/standards/iati/iati-activities-schema.xsd');

function addOrg(name, country, kind = 'ministry_of_health') {
  return JSON.parse(cli(srv.db, 'org', 'add', '--kind', kind, '--name-en', name, '--country', country)).id;
}
function addUser(o, login, role) {
  cli(srv.db, 'user', 'add', '--org', String(o), '--login', login, '--name', login, '--role', role, '--password', PASSWORD);
}

before(async () => {
  srv = await startServer({ threads: 8 });
  org.D = addOrg('Donor Government', 'CN', 'government');
  org.R = addOrg('Recipient Ministry', 'JP');
  org.P = addOrg('Donor Partner', 'KR');
  org.L = addOrg('Listed Agency', 'IT', 'public_health_agency');
  org.U = addOrg('Unrelated Ministry', 'BR');
  cli(srv.db, 'org', 'partner', String(org.D), String(org.P));
  addUser(org.D, 'd.editor', 'editor');
  addUser(org.D, 'd.viewer', 'viewer');
  addUser(org.R, 'r.editor', 'editor');
  addUser(org.R, 'r.viewer', 'viewer');
  addUser(org.P, 'p.viewer', 'viewer');
  addUser(org.L, 'l.viewer', 'viewer');
  addUser(org.U, 'u.editor', 'editor');
  donor = await loginAs(srv.base, 'd.editor');
  donorViewer = await loginAs(srv.base, 'd.viewer');
  recipient = await loginAs(srv.base, 'r.editor');
  recipientViewer = await loginAs(srv.base, 'r.viewer');
  partner = await loginAs(srv.base, 'p.viewer');
  listed = await loginAs(srv.base, 'l.viewer');
  other = await loginAs(srv.base, 'u.editor');
  anon = new Client(srv.base);
  root = await loginAs(srv.base, 'root');
});
after(async () => { await srv.stop(); });

const P = '/api/v1/donations';

async function pledge(body = {}, by = donor) {
  const r = await by.post(`${P}/pledges`, {
    recipient_org: org.R, donor_type: 'government', country: 'JP', city: 'Tokyo', pledged_on: '2020-02-20',
    lines: [{ item: 'protective_suit', quantity: 5000 }, { item: 'medical_mask', quantity: 100000 }], ...body,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function batch(pledgeId, lines, by = donor) {
  const r = await by.post(`${P}/pledges/${pledgeId}/shipments`, { lines });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function move(id, to, on = '2020-02-25', by = donor) {
  const r = await by.post(`${P}/shipments/${id}/transitions`, { to, on });
  assert.equal(r.status, 200, `${to}: ${r.text}`);
  return r.json;
}
// A batch of one mask in the given status.
async function batchIn(pledgeId, status) {
  const s = await batch(pledgeId, [{ item: 'medical_mask', quantity: 1 }]);
  const path = {
    planned: [], dispatched: ['dispatched'], in_transit: ['dispatched', 'in_transit'], arrived: ['dispatched', 'arrived'],
    received: ['dispatched', 'arrived'], lost: ['dispatched', 'lost'], cancelled: ['cancelled'],
  }[status];
  for (const to of path) await move(s.id, to);
  if (status === 'received') {
    const r = await recipient.post(`${P}/shipments/${s.id}/receipt`, { received_on: '2020-02-27' });
    assert.equal(r.status, 200, r.text);
  }
  return s.id;
}
async function recon(id, by = donor) {
  const r = await by.get(`${P}/reconciliation/pledges/${id}`);
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.json.lines.map((l) => [l.item, l]));
}

test('the catalogue holds the items of the issue in English and Chinese; admins extend it', async () => {
  const r = await anon.get(`${P}/items`);
  assert.equal(r.status, 200);
  const codes = r.json.items.map((i) => i.code);
  for (const c of ['medical_mask', 'surgical_mask', 'respirator_n95', 'protective_suit', 'isolation_gown', 'gloves', 'goggles',
    'face_shield', 'nucleic_acid_test_kit', 'antigen_test', 'ventilator', 'oxygen_concentrator', 'infrared_thermometer', 'disinfectant']) {
    assert.ok(codes.includes(c), c);
  }
  const suit = r.json.items.find((i) => i.code === 'protective_suit');
  assert.deepEqual([suit.name_en, suit.name_zh, suit.unit, suit.category], ['Protective suit', '医用防护服', 'set', 'ppe']);
  const item = { code: 'pulse_oximeter', name_en: 'Pulse oximeter', name_zh: '脉搏血氧仪', unit: 'piece', category: 'medical_equipment' };
  assert.equal((await donor.post(`${P}/items`, item)).status, 403, 'an editor is not an admin');
  const ok = await root.post(`${P}/items`, item);
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await root.post(`${P}/items`, item)).status, 409);
  const bad = await root.post(`${P}/items`, { ...item, code: 'Bad Code' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, '/code');
  assert.ok((await anon.get(`${P}/items`)).json.items.some((i) => i.code === 'pulse_oximeter'));
});

test('a pledge is checked: items, units, money, donor, recipient and place, with the field named', async () => {
  const base = { recipient_org: org.R, donor_type: 'government', country: 'JP', lines: [{ item: 'gloves', quantity: 10 }] };
  const cases = [
    [{ lines: [{ item: 'unicorns', quantity: 1 }] }, '/lines/0/item'],
    [{ lines: [{ item: 'gloves', quantity: 0 }] }, '/lines/0/quantity'],
    [{ lines: [{ item: 'gloves', quantity: -5 }] }, '/lines/0/quantity'],
    [{ lines: [{ item: 'gloves', quantity: 5, unit: 'litre' }] }, '/lines/0/unit'],
    [{ lines: [{ item: 'gloves', quantity: 5, value: 10 }] }, '/lines/0/currency'],
    [{ lines: [{ item: 'gloves', quantity: 5, value: 10, currency: 'XYZ' }] }, '/lines/0/currency'],
    [{ lines: [{ item: 'gloves', quantity: 5 }, { item: 'gloves', quantity: 6 }] }, '/lines/1'],
    [{ lines: [] }, '/lines'],
    [{ donor_type: 'alien' }, '/donor_type'],
    [{ donor_type: 'individual' }, '/donor_name'],
    [{ recipient_org: org.D }, '/recipient_org'],
    [{ recipient_org: 999999 }, '/recipient_org'],
    [{ country: 'XX' }, '/country'],
    [{ subdivision: 'KR-27' }, '/subdivision'],
    [{ pledged_on: '2020-02-30' }, '/pledged_on'],
    [{ pledged_on: '2999-01-01' }, '/pledged_on'],
    [{ status: 'cancelled' }, '/status'],
    [{ visibility: 'public', shared_with: [org.L] }, '/shared_with'],
    [{ colour: 'red' }, '/colour'],
  ];
  for (const [patch, field] of cases) {
    const r = await donor.post(`${P}/pledges`, { ...base, ...patch });
    assert.equal(r.status, 400, `${JSON.stringify(patch)}: ${r.text}`);
    assert.equal(r.json.field, field, JSON.stringify(patch));
  }
  const foreign = await donor.post(`${P}/pledges`, { ...base, donor_org: org.U });
  assert.equal(foreign.status, 403, 'no pledging in another organisation\'s name');
  assert.equal((await donorViewer.post(`${P}/pledges`, base)).status, 403);
  assert.equal((await anon.post(`${P}/pledges`, base)).status, 401);
  // An individual is recorded by an organisation on their behalf; a
  // batch of unknown size is a "batch"; values are in minor units.
  const ind = await donor.post(`${P}/pledges`, {
    ...base, donor_type: 'individual', donor_name: 'Li Wei',
    lines: [{ item: 'nucleic_acid_test_kit', quantity: 1, unit: 'batch' }, { item: 'gloves', quantity: 200, value: 12.345, currency: 'USD' }],
  });
  assert.equal(ind.status, 201, ind.text);
  assert.equal(ind.json.donor_name, 'Li Wei');
  assert.equal(ind.json.lines[0].unit, 'batch');
  assert.equal(ind.json.lines[1].value, 12.35);
  assert.equal(ind.json.visibility, 'private', 'private by default');
  const yen = await donor.post(`${P}/pledges`, { ...base, lines: [{ item: 'gloves', quantity: 1, value: 25000.4, currency: 'JPY' }] });
  assert.equal(yen.json.lines[0].value, 25000);
});

test('every legal shipment transition works, with the dates it records', async () => {
  const p = await pledge();
  const a = await batch(p.id, [{ item: 'protective_suit', quantity: 2000 }, { line: 2, quantity: 40000 }]);
  assert.equal(a.status, 'planned');
  assert.equal(a.batch_no, 1);
  assert.deepEqual(a.next, ['dispatched', 'cancelled']);
  let s = await move(a.id, 'dispatched', '2020-02-24');
  assert.equal(s.dispatched_on, '2020-02-24');
  assert.deepEqual(s.next, ['in_transit', 'arrived', 'lost']);
  s = await move(a.id, 'in_transit');
  assert.deepEqual(s.next, ['arrived', 'lost']);
  s = await move(a.id, 'arrived', '2020-02-26', recipient); // the recipient reports arrival
  assert.equal(s.arrived_on, '2020-02-26');
  assert.deepEqual(s.next, ['received']);
  const rc = await recipient.post(`${P}/shipments/${a.id}/receipt`, {
    received_on: '2020-02-26', received_by: 'MHLW warehouse, Tokyo',
    lines: [{ item: 'medical_mask', received: 39990, note: '10 boxes wet' }],
  });
  assert.equal(rc.status, 200, rc.text);
  assert.equal(rc.json.status, 'received');
  assert.equal(rc.json.discrepancy, true);
  assert.deepEqual(rc.json.next, []);
  const mask = rc.json.lines.find((l) => l.item === 'medical_mask');
  assert.deepEqual([mask.received, mask.discrepancy, mask.discrepancy_note], [39990, 'short', '10 boxes wet']);
  assert.equal(rc.json.lines.find((l) => l.item === 'protective_suit').received, 2000, 'lines not listed arrived in full');
  // dispatched -> arrived directly, dispatched -> lost, in transit -> lost, planned -> cancelled
  const b = await batch(p.id, [{ item: 'medical_mask', quantity: 10 }]);
  await move(b.id, 'dispatched');
  assert.equal((await move(b.id, 'arrived')).status, 'arrived');
  const c = await batch(p.id, [{ item: 'medical_mask', quantity: 10 }]);
  await move(c.id, 'dispatched');
  assert.equal((await move(c.id, 'lost')).status, 'lost');
  const e = await batch(p.id, [{ item: 'medical_mask', quantity: 10 }]);
  await move(e.id, 'dispatched');
  await move(e.id, 'in_transit');
  assert.equal((await move(e.id, 'lost')).status, 'lost');
  const f = await batch(p.id, [{ item: 'medical_mask', quantity: 10 }]);
  assert.equal((await move(f.id, 'cancelled')).status, 'cancelled');
  const list = await donor.get(`${P}/pledges/${p.id}/shipments`);
  assert.deepEqual(list.json.items.map((x) => x.batch_no), [1, 2, 3, 4, 5]);
});

test('every illegal shipment transition is refused with 409 and changes nothing', async () => {
  const p = await pledge({ lines: [{ item: 'medical_mask', quantity: 1000 }] });
  const legal = {
    planned: ['dispatched', 'cancelled'], dispatched: ['in_transit', 'arrived', 'lost'], in_transit: ['arrived', 'lost'],
    arrived: [], received: [], lost: [], cancelled: [],
  };
  const all = ['planned', 'dispatched', 'in_transit', 'arrived', 'received', 'lost', 'cancelled'];
  let refused = 0;
  for (const from of all) {
    const id = await batchIn(p.id, from);
    for (const to of all.filter((t) => !legal[from].includes(t))) {
      const before = await donor.get(`${P}/shipments/${id}`);
      const r = await donor.post(`${P}/shipments/${id}/transitions`, { to, on: '2020-02-28' });
      if (from === 'arrived' && to === 'received') {
        assert.equal(r.status, 400, 'the receipt has its own endpoint');
        assert.match(r.json.detail, /receipt/);
      } else {
        assert.equal(r.status, 409, `${from} -> ${to}: ${r.text}`);
        assert.equal(r.json.field, '/to');
        assert.match(r.json.detail, new RegExp(`${from} cannot become ${to}`));
      }
      const after = await donor.get(`${P}/shipments/${id}`);
      assert.deepEqual(after.json, before.json, `${from} -> ${to} changed the batch`);
      refused++;
    }
  }
  assert.equal(refused, 7 * 7 - 7);
  // The receipt is refused unless the batch arrived, and only once.
  for (const from of ['planned', 'dispatched', 'in_transit', 'received', 'lost', 'cancelled']) {
    const id = await batchIn(p.id, from);
    const r = await recipient.post(`${P}/shipments/${id}/receipt`, { received_on: '2020-02-28' });
    assert.equal(r.status, 409, `receipt of a ${from} batch: ${r.text}`);
  }
  // Who: the recipient neither dispatches nor cancels; the donor does not receive.
  const planned = await batchIn(p.id, 'planned');
  assert.equal((await recipient.post(`${P}/shipments/${planned}/transitions`, { to: 'dispatched' })).status, 403);
  assert.equal((await recipient.post(`${P}/shipments/${planned}/transitions`, { to: 'cancelled' })).status, 403);
  assert.equal((await other.post(`${P}/shipments/${planned}/transitions`, { to: 'dispatched' })).status, 404, 'an unrelated organisation does not see it');
  const arrived = await batchIn(p.id, 'arrived');
  assert.equal((await donor.post(`${P}/shipments/${arrived}/receipt`, { received_on: '2020-02-28' })).status, 403);
  assert.equal((await recipientViewer.post(`${P}/shipments/${arrived}/receipt`, { received_on: '2020-02-28' })).status, 403);
  // Dates: arrival before dispatch, receipt before arrival, the future.
  const d = await batchIn(p.id, 'dispatched');
  const early = await donor.post(`${P}/shipments/${d}/transitions`, { to: 'arrived', on: '2020-02-01' });
  assert.equal(early.status, 400);
  assert.equal(early.json.field, '/on');
  const r2 = await recipient.post(`${P}/shipments/${arrived}/receipt`, { received_on: '2020-02-01' });
  assert.equal(r2.status, 400);
  const r3 = await recipient.post(`${P}/shipments/${arrived}/receipt`, { received_on: '2999-01-01' });
  assert.equal(r3.status, 400);
  // A batch's lines change only while planned.
  const lines = await donor.patch(`${P}/shipments/${d}`, { lines: [{ item: 'medical_mask', quantity: 2 }] });
  assert.equal(lines.status, 409);
  assert.equal((await donor.patch(`${P}/shipments/${d}`, { waybill: 'CA-925-0001', carrier: 'Air China Cargo' })).status, 200);
});

test('nothing ships beyond the pledge until the pledge is amended', async () => {
  const p = await pledge({ lines: [{ item: 'respirator_n95', quantity: 100 }] });
  const first = await batch(p.id, [{ item: 'respirator_n95', quantity: 60 }]);
  const over = await donor.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'respirator_n95', quantity: 50 }] });
  assert.equal(over.status, 409);
  assert.equal(over.json.field, '/lines/0/quantity');
  assert.match(over.json.detail, /only 40 of the 100 pledged.*amend the pledge/);
  // editing a planned batch beyond the pledge is refused too
  const edit = await donor.patch(`${P}/shipments/${first.id}`, { lines: [{ item: 'respirator_n95', quantity: 101 }] });
  assert.equal(edit.status, 409);
  // an item that is not pledged cannot ship at all
  const stray = await donor.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'gloves', quantity: 1 }] });
  assert.equal(stray.status, 400);
  assert.equal(stray.json.field, '/lines/0/item');
  // the amendment, with its reason, makes room
  const noReason = await donor.post(`${P}/pledges/${p.id}/amendments`, { lines: [{ line: 1, quantity: 110 }] });
  assert.equal(noReason.status, 400);
  assert.equal((await recipient.post(`${P}/pledges/${p.id}/amendments`, { reason: 'x', lines: [{ line: 1, quantity: 110 }] })).status, 403);
  const am = await donor.post(`${P}/pledges/${p.id}/amendments`, {
    reason: 'the manufacturer added ten respirators', lines: [{ line: 1, quantity: 110 }, { item: 'goggles', quantity: 20 }],
  });
  assert.equal(am.status, 201, am.text);
  assert.equal(am.json.amendments, 1);
  assert.deepEqual(am.json.lines.map((l) => [l.item, l.quantity]), [['respirator_n95', 110], ['goggles', 20]]);
  assert.equal(am.json.amendment_history[0].reason, 'the manufacturer added ten respirators');
  assert.equal(am.json.amendment_history[0].before[0].quantity, 100);
  const now = await donor.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'respirator_n95', quantity: 50 }, { item: 'goggles', quantity: 20 }] });
  assert.equal(now.status, 201, now.text);
  // an amendment cannot go below what is on batches
  const below = await donor.post(`${P}/pledges/${p.id}/amendments`, { reason: 'fewer', lines: [{ line: 1, quantity: 109 }] });
  assert.equal(below.status, 409);
  assert.equal(below.json.field, '/lines/0/quantity');
  // a lost batch no longer counts: the donor may send the quantity again
  await move(first.id, 'dispatched');
  await move(first.id, 'lost');
  const resend = await donor.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'respirator_n95', quantity: 60 }] });
  assert.equal(resend.status, 201, resend.text);
  const r = await recon(p.id);
  assert.deepEqual([r.respirator_n95.pledged, r.respirator_n95.planned, r.respirator_n95.lost], [110, 110, 60]);
  assert.ok(r.respirator_n95.flags.includes('lost'));
  // lines change by amendment only
  assert.equal((await donor.patch(`${P}/pledges/${p.id}`, { lines: [] })).status, 400);
});

test('two receipts of one batch at the same moment: one is recorded, the other refused, totals consistent', async () => {
  const p = await pledge({ lines: [{ item: 'medical_mask', quantity: 25000 }] });
  const s = await batch(p.id, [{ item: 'medical_mask', quantity: 25000 }]);
  await move(s.id, 'dispatched', '2020-02-27');
  await move(s.id, 'arrived', '2020-02-27');
  const counts = [25000, 24000, 24500, 23000, 25100];
  const rs = await Promise.all(counts.map((n) => recipient.post(`${P}/shipments/${s.id}/receipt`, {
    received_on: '2020-02-27', lines: [{ item: 'medical_mask', received: n }],
  })));
  const won = rs.filter((r) => r.status === 200);
  assert.equal(won.length, 1, rs.map((r) => `${r.status} ${r.text.slice(0, 80)}`).join('\n'));
  for (const r of rs.filter((x) => x.status !== 200)) assert.equal(r.status, 409, r.text);
  const got = won[0].json.lines[0].received;
  const r = await recon(p.id);
  assert.equal(r.medical_mask.received, got, 'the reconciliation holds the one receipt');
  assert.equal(r.medical_mask.shipped, 25000);
  const group = await donor.get(`${P}/reconciliation?by=pledge&donor=${org.D}&limit=1000`);
  const g = group.json.items.find((x) => x.pledge_id === p.id);
  assert.equal(g.items[0].received, got, 'the reconciliation table agrees');
  const audit = await root.get('/api/v1/audit?limit=200');
  assert.equal(audit.json.items.filter((a) => a.entity === 'shipment' && a.entity_id === String(s.id) && a.action === 'receive').length, 1);
});

test('batches planned at the same moment never add up to more than the pledge', async () => {
  const p = await pledge({ lines: [{ item: 'ventilator', quantity: 100 }] });
  const rs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => donor.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'ventilator', quantity: 30 }] })));
  assert.equal(rs.filter((r) => r.status === 201).length, 3, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((x) => x.status !== 201)) assert.equal(r.status, 409, r.text);
  const r = await recon(p.id);
  assert.equal(r.ventilator.planned, 90);
  const list = await donor.get(`${P}/pledges/${p.id}/shipments`);
  assert.deepEqual(list.json.items.map((x) => x.batch_no).sort(), [1, 2, 3]);
});

test('reconciliation per pledge, donor, recipient and item, with gaps flagged; the full recompute agrees', async () => {
  const p = await pledge({ needed_by: '2020-03-15', visibility: 'partners', lines: [{ item: 'isolation_gown', quantity: 1000, value: 20000, currency: 'CNY' }, { item: 'face_shield', quantity: 500 }] });
  const b1 = await batch(p.id, [{ item: 'isolation_gown', quantity: 400 }, { item: 'face_shield', quantity: 500 }]);
  await move(b1.id, 'dispatched', '2020-03-01');
  await move(b1.id, 'arrived', '2020-03-03');
  await recipient.post(`${P}/shipments/${b1.id}/receipt`, { received_on: '2020-03-03', lines: [{ line: 1, received: 380, discrepancy: 'damaged' }, { line: 2, received: 510 }] });
  const b2 = await batch(p.id, [{ item: 'isolation_gown', quantity: 300 }]);
  await move(b2.id, 'dispatched', '2020-03-02');
  await move(b2.id, 'lost', '2020-03-05');
  await batch(p.id, [{ item: 'isolation_gown', quantity: 200 }]);
  const r = await recon(p.id);
  const g = r.isolation_gown;
  assert.deepEqual([g.pledged, g.planned, g.shipped, g.received, g.lost, g.short, g.over, g.discrepancies, g.outstanding, g.to_ship],
    [1000, 200, 400, 380, 300, 20, 0, 1, 620, 600]);
  assert.deepEqual(g.flags.sort(), ['discrepancy', 'lost', 'overdue', 'short_received']);
  const f = r.face_shield;
  assert.deepEqual([f.received, f.over, f.outstanding], [510, 10, 0]);
  assert.deepEqual(f.flags.sort(), ['discrepancy', 'over_received']);
  // grouped, over the pledges the caller sees
  const byDonor = await donor.get(`${P}/reconciliation?by=donor&item=isolation_gown`);
  const mine = byDonor.json.items.find((x) => x.donor_org === org.D);
  assert.equal(mine.name.en, 'Donor Government');
  assert.ok(mine.items[0].pledged >= 1000);
  const byRecipient = await recipient.get(`${P}/reconciliation?by=recipient&recipient=${org.R}&item=face_shield`);
  assert.deepEqual(byRecipient.json.items.map((x) => x.recipient_org), [org.R]);
  const byItem = await partner.get(`${P}/reconciliation?by=item&donor=${org.D}`);
  const gown = byItem.json.items.find((x) => x.item === 'isolation_gown');
  assert.equal(gown.received, 380, 'the partner sees the partners pledge only');
  const onlyPledge = await donor.get(`${P}/reconciliation?by=pledge&donor=${org.D}&item=face_shield&limit=1000`);
  assert.ok(onlyPledge.json.items.every((x) => x.items.every((i) => i.item === 'face_shield')));
  // the full recompute (epibridge reconcile) gives the same table
  const beforeAll = (await donor.get(`${P}/reconciliation?by=pledge&limit=1000`)).json.items;
  const out = cli(srv.db, 'reconcile');
  assert.match(out, /reconciled \d+ pledge lines in/);
  const afterAll = (await donor.get(`${P}/reconciliation?by=pledge&limit=1000`)).json.items;
  assert.deepEqual(afterAll, beforeAll);
  assert.ok(beforeAll.some((x) => x.pledge_id === p.id));
  // and the per-pledge query (computed live) matches the table
  const row = afterAll.find((x) => x.pledge_id === p.id).items.find((i) => i.item === 'isolation_gown');
  const same = (o) => ({ ...o, line: 0, flags: [...o.flags].sort() });
  assert.deepEqual(same(row), same(g));
});

test('needs posted by recipients, answered by pledges, with their coverage', async () => {
  const n = await recipient.post(`${P}/needs`, { item: 'gloves', quantity: 1000, priority: 'critical', needed_by: '2020-03-10', country: 'JP', city: 'Tokyo', visibility: 'public' });
  assert.equal(n.status, 201, n.text);
  assert.equal(n.json.owner_org, org.R);
  assert.equal(n.json.status, 'open');
  const bad = await recipient.post(`${P}/needs`, { item: 'gloves', quantity: 10, country: 'JP', priority: 'urgent' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, '/priority');
  // a pledge answers it: same recipient, pledging the need's item
  const wrongItem = await donor.post(`${P}/pledges`, { recipient_org: org.R, donor_type: 'government', country: 'JP', need_id: n.json.id, lines: [{ item: 'goggles', quantity: 5 }] });
  assert.equal(wrongItem.status, 400);
  assert.equal(wrongItem.json.field, '/need_id');
  const wrongOrg = await donor.post(`${P}/pledges`, { recipient_org: org.U, donor_type: 'government', country: 'BR', need_id: n.json.id, lines: [{ item: 'gloves', quantity: 5 }] });
  assert.equal(wrongOrg.status, 400);
  const p = await pledge({ need_id: n.json.id, lines: [{ item: 'gloves', quantity: 600 }], visibility: 'public' });
  assert.equal(p.needed_by, '2020-03-10', 'needed by comes from the need');
  const s = await batch(p.id, [{ item: 'gloves', quantity: 400 }]);
  await move(s.id, 'dispatched', '2020-03-01');
  await move(s.id, 'arrived', '2020-03-02');
  await recipient.post(`${P}/shipments/${s.id}/receipt`, { received_on: '2020-03-02' });
  const cov = await anon.get(`${P}/reconciliation/needs?org=${org.R}`);
  const c = cov.json.items.find((x) => x.need_id === n.json.id);
  assert.deepEqual([c.needed, c.pledged, c.shipped, c.received, c.uncovered, c.pledges], [1000, 600, 400, 400, 400, 1]);
  assert.equal(c.received_share, 0.4);
  // the recipient closes it; only it may
  assert.equal((await donor.patch(`${P}/needs/${n.json.id}`, { status: 'closed' })).status, 403);
  const closed = await recipient.patch(`${P}/needs/${n.json.id}`, { status: 'closed', version: n.json.version });
  assert.equal(closed.status, 200, closed.text);
  assert.equal((await recipient.patch(`${P}/needs/${n.json.id}`, { note: 'x', version: n.json.version })).status, 409, 'stale version');
  const late = await donor.post(`${P}/pledges`, { recipient_org: org.R, donor_type: 'government', country: 'JP', need_id: n.json.id, lines: [{ item: 'gloves', quantity: 5 }] });
  assert.equal(late.status, 400, 'a closed need takes no pledge');
});

test('the pledge life cycle: committed, then cancelled while nothing has left; not after', async () => {
  const p = await pledge({ lines: [{ item: 'disinfectant', quantity: 1000 }] });
  const c = await donor.patch(`${P}/pledges/${p.id}`, { status: 'committed', committed_on: '2020-02-21' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.committed_on, '2020-02-21');
  assert.equal((await donor.patch(`${P}/pledges/${p.id}`, { status: 'pledged' })).status, 409);
  assert.equal((await recipient.patch(`${P}/pledges/${p.id}`, { status: 'cancelled' })).status, 403, 'only the donor cancels');
  const gone = await batch(p.id, [{ item: 'disinfectant', quantity: 100 }]);
  await move(gone.id, 'dispatched');
  const planned = await batch(p.id, [{ item: 'disinfectant', quantity: 100 }]);
  const refused = await donor.patch(`${P}/pledges/${p.id}`, { status: 'cancelled' });
  assert.equal(refused.status, 409);
  assert.match(refused.json.detail, /amend the pledge/);
  const q = await pledge({ lines: [{ item: 'disinfectant', quantity: 1000 }] });
  const pb = await batch(q.id, [{ item: 'disinfectant', quantity: 100 }]);
  const x = await donor.patch(`${P}/pledges/${q.id}`, { status: 'cancelled', note: 'the flight was cancelled' });
  assert.equal(x.status, 200, x.text);
  assert.equal((await donor.get(`${P}/shipments/${pb.id}`)).json.status, 'cancelled', 'planned batches go with it');
  assert.equal((await donor.post(`${P}/pledges/${q.id}/shipments`, { lines: [{ item: 'disinfectant', quantity: 1 }] })).status, 409);
  assert.equal((await donor.post(`${P}/pledges/${q.id}/amendments`, { reason: 'r', lines: [{ line: 1, quantity: 5 }] })).status, 409);
  assert.equal((await recon(q.id)).disinfectant.pledged, 0);
  assert.equal(planned.status, 'planned');
});

test('access: the donor sees its pledges, the recipient what is addressed to it, the public only public flows', async () => {
  const made = {};
  for (const vis of ['private', 'partners', 'listed', 'public']) {
    made[vis] = await pledge({ visibility: vis, title: `access ${vis}`, ...(vis === 'listed' ? { shared_with: [org.L] } : {}), lines: [{ item: 'goggles', quantity: 10 }] });
    const s = await batch(made[vis].id, [{ item: 'goggles', quantity: 5 }]);
    made[vis].ship = s.id;
  }
  const who = { donor, donorViewer, recipient, recipientViewer, partner, listed, other, anon };
  const sees = {
    private: ['donor', 'donorViewer', 'recipient', 'recipientViewer'],
    partners: ['donor', 'donorViewer', 'recipient', 'recipientViewer', 'partner'],
    listed: ['donor', 'donorViewer', 'recipient', 'recipientViewer', 'listed'],
    public: Object.keys(who),
  };
  for (const [vis, p] of Object.entries(made)) {
    for (const [name, c] of Object.entries(who)) {
      const expect = sees[vis].includes(name) ? 200 : 404;
      for (const path of [`${P}/pledges/${p.id}`, `${P}/pledges/${p.id}/shipments`, `${P}/shipments/${p.ship}`, `${P}/reconciliation/pledges/${p.id}`]) {
        const r = await c.get(path);
        assert.equal(r.status, expect, `${name} GET ${path} (${vis})`);
      }
      const list = await c.get(`${P}/pledges?item=goggles&limit=1000`);
      assert.equal(list.json.items.some((x) => x.id === p.id), expect === 200, `${name} lists ${vis}`);
    }
  }
  // the recipient's own list and filters
  const mine = await recipient.get(`${P}/pledges?recipient=${org.R}&limit=1000`);
  assert.ok(mine.json.items.every((x) => x.recipient_org === org.R));
  assert.ok(mine.json.items.some((x) => x.id === made.private.id));
  // share lists only for the donor
  assert.deepEqual((await donor.get(`${P}/pledges/${made.listed.id}`)).json.shared_with, [org.L]);
  assert.equal((await recipient.get(`${P}/pledges/${made.listed.id}`)).json.shared_with, undefined);
  // exports: anonymous callers get public flows only
  const fts = await anon.get('/api/v1/exports/donations?format=fts');
  const ids = new Set(fts.json.data.flows.map((f) => f.id.split('-')[2]));
  assert.ok(ids.has(String(made.public.id)));
  for (const vis of ['private', 'partners', 'listed']) assert.ok(!ids.has(String(made[vis].id)), vis);
  const rfts = await recipient.get('/api/v1/exports/donations?format=fts');
  assert.ok(rfts.json.data.flows.some((f) => f.id === `epibridge-pledge-${made.private.id}-pledge`));
  const hxl = await anon.get('/api/v1/exports/donations?format=hxl');
  assert.ok(!hxl.text.includes(`pledge-${made.private.id},`));
  assert.ok(hxl.text.includes(`pledge-${made.public.id},`));
});

test('IATI 2.03 export validates against the IATI schema with the COVID-19 markers; HXL and FTS shapes', async () => {
  const p = await pledge({ visibility: 'public', status: 'committed', title: 'Suits & masks <for> Tokyo', lines: [{ item: 'protective_suit', quantity: 5000, value: 150000, currency: 'CNY' }, { item: 'medical_mask', quantity: 100000 }] });
  const s = await batch(p.id, [{ item: 'protective_suit', quantity: 2000 }, { item: 'medical_mask', quantity: 40000 }]);
  await move(s.id, 'dispatched', '2020-02-24');
  await move(s.id, 'arrived', '2020-02-26');
  await recipient.post(`${P}/shipments/${s.id}/receipt`, { received_on: '2020-02-26' });
  for (const c of [anon, donor]) {
    const r = await c.get('/api/v1/exports/donations?format=iati');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /application\/xml/);
    const dir = mkdtempSync(join(tmpdir(), 'ebiati-'));
    const file = join(dir, 'donations.xml');
    writeFileSync(file, r.text);
    const out = execFileSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(out, '');
    assert.match(r.text, new RegExp(`<iati-identifier>EPIBRIDGE-${org.D}-PLEDGE-${p.id}</iati-identifier>`));
    assert.match(r.text, /<narrative>COVID-19: Suits &amp; masks &lt;for&gt; Tokyo<\/narrative>/);
    for (const marker of ['humanitarian="1"', '<sector vocabulary="1" code="12264">', '<tag vocabulary="99" code="COVID-19">',
      '<humanitarian-scope type="1" vocabulary="1-2" code="EP-2020-000012-001">', '<humanitarian-scope type="2" vocabulary="2-1" code="HCOVD20">']) {
      assert.ok(r.text.includes(marker), marker);
    }
    for (const t of ['12', '2', '3']) assert.ok(r.text.includes(`<transaction-type code="${t}"/>`), `transaction ${t}`);
    assert.ok(r.text.includes('<value currency="CNY" value-date="2020-02-26">60000.00</value>'), 'the batch\'s value, pro rata');
    assert.ok(r.text.includes('<target value="5000"/>') && r.text.includes('<actual value="2000"/>'), 'quantities as indicators');
  }
  const hxl = await anon.get('/api/v1/exports/donations?format=hxl');
  assert.match(hxl.headers.get('content-type'), /text\/csv/);
  const rows = hxl.text.trim().split('\r\n');
  assert.match(rows[0], /^Pledge,Status,Donor,/);
  assert.match(rows[1], /^#activity\+code,#status,#org\+donor\+name,/);
  const suits = rows.find((l) => l.startsWith(`pledge-${p.id},`) && l.includes('protective_suit'));
  assert.ok(suits.endsWith(',5000,2000,2000,3000,150000.00,CNY'), suits);
  const fts = await anon.get('/api/v1/exports/donations?format=fts');
  assert.equal(fts.json.status, 'ok');
  const flows = fts.json.data.flows.filter((f) => f.id.startsWith(`epibridge-pledge-${p.id}-`));
  assert.deepEqual(flows.map((f) => f.status).sort(), ['commitment', 'paid']);
  for (const f of flows) {
    assert.equal(f.contributionType, 'inKind');
    assert.equal(f.originalCurrency, 'CNY');
    assert.deepEqual(f.destinationObjects.filter((o) => o.type === 'Location').map((o) => o.id), ['JP']);
    assert.deepEqual(f.keywords, ['COVID-19']);
  }
  assert.equal(flows.find((f) => f.status === 'paid').originalAmount, 60000);
  assert.equal((await anon.get('/api/v1/exports/donations?format=pdf')).status, 400);
  // paging: one pledge a page, Link rel=next
  const page = await donor.get('/api/v1/exports/donations?format=hxl&limit=1');
  assert.equal(page.headers.get('x-export-pledges'), '1');
  assert.match(page.headers.get('link'), /cursor=\d+>; rel="next"/);
});

test('CLI: epibridge export iati|hxl|fts writes to stdout; --public keeps to public flows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebiati-'));
  const file = join(dir, 'cli.xml');
  writeFileSync(file, cli(srv.db, 'export', 'iati'));
  execFileSync('xmllint', ['--noout', '--schema', SCHEMA, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const all = cli(srv.db, 'export', 'hxl');
  const pub = cli(srv.db, 'export', 'hxl', '--public');
  assert.ok(all.split('\r\n').length > pub.split('\r\n').length, 'the operator exports every pledge');
  assert.ok(!pub.includes('access private'));
  const fts = JSON.parse(cli(srv.db, 'export', 'fts', '--public'));
  assert.ok(fts.data.flows.length > 0);
  assert.match(execFileSync(join(ROOT, process.env.EB_BUILD || 'build', 'epibridge'), ['export', '--help'], { encoding: 'utf8' }), /iati\|hxl\|fts/);
});

test('bad requests: malformed JSON, unknown records, and refused writes leave no audit row', async () => {
  const p = await pledge({ lines: [{ item: 'gloves', quantity: 10 }] });
  assert.equal((await donor.post(`${P}/pledges`, '{"recipient_org": 1,')).status, 400);
  assert.equal((await donor.get(`${P}/pledges/999999`)).status, 404);
  assert.equal((await donor.get(`${P}/shipments/999999`)).status, 404);
  assert.equal((await donor.post(`${P}/pledges/999999/shipments`, { lines: [{ item: 'gloves', quantity: 1 }] })).status, 404);
  assert.equal((await anon.get(`${P}/pledges?donor=abc`)).status, 400);
  assert.equal((await anon.get(`${P}/reconciliation?by=colour`)).status, 400);
  const top = (await root.get('/api/v1/audit?limit=1')).json.items[0].seq;
  const tries = [
    () => other.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'gloves', quantity: 1 }] }),
    () => recipient.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'gloves', quantity: 1 }] }),
    () => donor.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'gloves', quantity: 11 }] }),
    () => donor.post(`${P}/pledges/${p.id}/shipments`, { lines: [{ item: 'gloves', quantity: 1, colour: 'red' }] }),
    () => donor.post(`${P}/pledges/${p.id}/amendments`, { reason: 'r', lines: [{ line: 7, quantity: 1 }] }),
  ];
  for (const t of tries) assert.ok((await t()).status >= 400);
  assert.equal((await root.get('/api/v1/audit?limit=1')).json.items[0].seq, top);
  assert.match(cli(srv.db, 'audit', 'verify'), /intact/);
});
