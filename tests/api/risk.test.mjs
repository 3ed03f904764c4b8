// Risk assessments (C2): WHO's early-2020 assessments imported through the
// CLI, recording and correcting assessments with their audit trail, what
// each organisation (and the public) can read, the history of a scope, the
// latest assessment per scope for the map, and the level proposed by the
// documented rules shown beside the human one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, loginAs, cli, cliFails, ROOT, PASSWORD } from './lib.mjs';

const SHARED = process.env.EB_SHARED || join(ROOT, '..', 'shared');
const SITREPS_CSV = join(SHARED, 'data/covid19/who-sitreps/sarscov2_who_2019.csv');
const WHO_CSV = join(SHARED, 'data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv');
const have = existsSync(SITREPS_CSV) && existsSync(WHO_CSV);

let srv, root, anon, owner, ownerViewer, partner, listed, other, otherEditor;
const ids = {};

function addOrg(name, country, kind = 'ministry_of_health') {
  return JSON.parse(cli(srv.db, 'org', 'add', '--kind', kind, '--name-en', name, '--country', country)).id;
}
function addUser(org, login, role) {
  cli(srv.db, 'user', 'add', '--org', String(org), '--login', login, '--name', login, '--role', role, '--password', PASSWORD);
}

before(async () => {
  srv = await startServer();
  root = await loginAs(srv.base, 'root');
  anon = new Client(srv.base);
  ids.WHO = addOrg('World Health Organization', 'CH', 'international_organisation');
  ids.A = addOrg('Owner institute', 'IT', 'public_health_agency');
  ids.B = addOrg('Partner ministry', 'CN');
  ids.C = addOrg('Listed ministry', 'GR');
  ids.D = addOrg('Other ministry', 'BR');
  cli(srv.db, 'org', 'partner', String(ids.A), String(ids.B));
  addUser(ids.A, 'a.editor', 'editor');
  addUser(ids.A, 'a.viewer', 'viewer');
  addUser(ids.B, 'b.viewer', 'viewer');
  addUser(ids.C, 'c.viewer', 'viewer');
  addUser(ids.D, 'd.viewer', 'viewer');
  addUser(ids.D, 'd.editor', 'editor');
  owner = await loginAs(srv.base, 'a.editor');
  ownerViewer = await loginAs(srv.base, 'a.viewer');
  partner = await loginAs(srv.base, 'b.viewer');
  listed = await loginAs(srv.base, 'c.viewer');
  other = await loginAs(srv.base, 'd.viewer');
  otherEditor = await loginAs(srv.base, 'd.editor');
});
after(async () => { await srv.stop(); });

test("WHO's early-2020 assessments: one per change, very high globally from 28 February", { skip: !have }, async () => {
  const out = cli(srv.db, 'import', 'who-risk', SITREPS_CSV, '--org', String(ids.WHO), '--visibility', 'public');
  assert.match(out, /92 reports, 5 assessments: inserted 5, corrected 0, unchanged 0/);
  const world = (await anon.get('/api/v1/risk?scope=world')).json.items;
  assert.deepEqual(world.map((x) => [x.date, x.level]), [['2020-01-23', 'high'], ['2020-02-28', 'very_high']]);
  assert.equal(world[1].owner_org, ids.WHO);
  assert.match(world[1].rationale, /situation report 39 \(2020-02-28\).*Very High.*through report 92 \(2020-04-21\)/);
  assert.equal(world[1].proposed, undefined, 'no proposal for the world scope');
  const region = (await anon.get('/api/v1/risk?scope=region&code=wpro')).json.items;
  assert.deepEqual(region.map((x) => [x.code, x.date, x.level]), [['WPRO', '2020-01-23', 'high'], ['WPRO', '2020-02-28', 'very_high']]);
  const cn = (await anon.get('/api/v1/risk?scope=area&code=CN')).json.items;
  assert.deepEqual(cn.map((x) => [x.date, x.level]), [['2020-01-23', 'very_high']]);
  assert.ok('proposed' in cn[0], 'an area assessment carries the proposal');
  // the map: the latest per scope as of a day
  const before28 = (await anon.get('/api/v1/risk/world/2020-02-27')).json.items;
  assert.equal(before28.find((x) => x.scope === 'world').level, 'high');
  const on28 = (await anon.get('/api/v1/risk/world/2020-02-28')).json.items;
  assert.equal(on28.find((x) => x.scope === 'world').level, 'very_high');
  assert.equal(on28.find((x) => x.scope === 'region').level, 'very_high');
  assert.equal(on28.find((x) => x.scope === 'area' && x.code === 'CN').level, 'very_high');
  assert.deepEqual((await anon.get('/api/v1/risk/world/2020-01-22')).json.items, []);
  // importing again changes nothing
  assert.match(cli(srv.db, 'import', 'who-risk', SITREPS_CSV, '--org', String(ids.WHO), '--visibility', 'public'),
    /inserted 0, corrected 0, unchanged 5/);
});

test('a bad transcription is refused whole, naming line and column', { skip: !have }, async () => {
  const lines = readFileSync(SITREPS_CSV, 'utf8').split('\n');
  const header = lines[0].split(',');
  const col = header.indexOf('"risk_global"');
  assert.ok(col > 0);
  const f = lines[40].split(',');
  f[col] = '"Extreme"';
  lines[40] = f.join(',');
  const dir = mkdtempSync(join(tmpdir(), 'ebrisk-'));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, lines.join('\n'));
  const before = (await root.get('/api/v1/risk?limit=1000')).json.items.length;
  const r = cliFails(srv.db, 'import', 'who-risk', bad, '--org', String(ids.A));
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`line 41, column ${col + 1} \\(risk_global\\): 'Extreme' is not a risk level`));
  assert.equal((await root.get('/api/v1/risk?limit=1000')).json.items.length, before, 'nothing written');
  const u = cliFails(srv.db, 'import', 'who-risk', SITREPS_CSV);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /--org/);
});

test('recording and correcting: one record per organisation, scope and day; corrections audited', async () => {
  const body = { scope: 'area', code: 'it', date: '2020-03-10', level: 'high', rationale: 'community transmission in Lombardy', visibility: 'public' };
  const r = await owner.post('/api/v1/risk', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.code, 'IT');
  assert.equal(r.json.owner_org, ids.A);
  assert.equal(r.json.level, 'high');
  const same = await owner.post('/api/v1/risk', body);
  assert.equal(same.status, 200);
  assert.equal(same.json.id, r.json.id);
  const top = (await root.get('/api/v1/audit?limit=1')).json.items[0].seq;
  const fix = await owner.post('/api/v1/risk', { ...body, level: 'very_high', rationale: 'national lockdown' });
  assert.equal(fix.status, 200, fix.text);
  assert.equal(fix.json.id, r.json.id);
  assert.equal(fix.json.level, 'very_high');
  const audit = (await root.get('/api/v1/audit?limit=5')).json.items;
  const row = audit.find((x) => x.entity === 'risk' && Number(x.entity_id) === r.json.id && x.action === 'update');
  assert.ok(row, 'correction audited');
  assert.ok(row.seq > top);
  assert.equal(row.before.level, 'high');
  assert.equal(row.after.level, 'very_high');
  assert.equal(row.before.rationale, 'community transmission in Lombardy');
  // another organisation's assessment of the same area and day is its own record
  const mine = await otherEditor.post('/api/v1/risk', { ...body, level: 'moderate' });
  assert.equal(mine.status, 201, mine.text);
  assert.notEqual(mine.json.id, r.json.id);
  assert.equal((await anon.get(`/api/v1/risk/${r.json.id}`)).json.level, 'very_high', "the owner's record is untouched");
  // viewers and anonymous callers do not write
  const v = await ownerViewer.post('/api/v1/risk', { ...body, level: 'low' });
  assert.equal(v.status, 403);
  const a = await anon.post('/api/v1/risk', { ...body, level: 'low' });
  assert.equal(a.status, 401);
  assert.equal((await anon.get(`/api/v1/risk/${r.json.id}`)).json.level, 'very_high');
});

test('bad assessments are refused with the field named, and write nothing', async () => {
  const ok = { scope: 'area', code: 'FR', date: '2020-03-01', level: 'moderate' };
  const top = (await root.get('/api/v1/audit?limit=1')).json.items[0].seq;
  for (const [patch, field] of [
    [{ scope: 'country' }, '/scope'],
    [{ code: 'ZZ' }, '/code'],
    [{ code: undefined }, '/code'],
    [{ scope: 'region', code: 'XXRO' }, '/code'],
    [{ scope: 'world', code: 'CN' }, '/code'],
    [{ date: '2020-02-30' }, '/date'],
    [{ date: '2999-01-01' }, '/date'],
    [{ level: 'extreme' }, '/level'],
    [{ level: 'Very High' }, '/level'],
    [{ visibility: 'secret' }, '/visibility'],
    [{ shared_with: [ids.C] }, '/shared_with'],
    [{ visibility: 'listed', shared_with: [999999] }, '/shared_with/0'],
    [{ rationale: 'x'.repeat(8001) }, '/rationale'],
    [{ colour: 'red' }, '/colour'],
  ]) {
    const r = await owner.post('/api/v1/risk', { ...ok, ...patch });
    assert.equal(r.status, 400, `${JSON.stringify(patch)}: ${r.text}`);
    assert.equal(r.json.field, field, JSON.stringify(patch));
  }
  assert.equal((await root.get('/api/v1/audit?limit=1')).json.items[0].seq, top);
  const world = await owner.post('/api/v1/risk', { scope: 'world', date: '2020-03-11', level: 'very_high', rationale: 'pandemic' });
  assert.equal(world.status, 201, world.text);
  assert.equal(world.json.code, 'world');
  const region = await owner.post('/api/v1/risk', { scope: 'region', code: 'euro', date: '2020-03-11', level: 'high' });
  assert.equal(region.status, 201, region.text);
  assert.equal(region.json.code, 'EURO');
  assert.equal(region.json.visibility, 'partners', 'default visibility');
  for (const [path, field] of [
    ['/api/v1/risk?scope=planet', 'scope'],
    ['/api/v1/risk?code=CN', 'code'],
    ['/api/v1/risk?scope=area&code=ZZ', 'code'],
    ['/api/v1/risk?from=yesterday', 'from'],
    ['/api/v1/risk/world/2020-3-1', 'date'],
    ['/api/v1/risk/proposed?area=ZZ&date=2020-03-01', 'area'],
    ['/api/v1/risk/proposed?area=IT', 'date'],
    ['/api/v1/risk?cursor=abc', 'cursor'],
  ]) {
    const r = await anon.get(path);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.equal(r.json.field, field, path);
  }
});

test('visibility: each caller lists and reads exactly what is shared with it', async () => {
  const made = {};
  // dated so that the latest each caller can see differs: public first, private last
  for (const [i, vis] of ['public', 'listed', 'partners', 'private'].entries()) {
    const body = { scope: 'area', code: 'GR', date: `2020-03-0${i + 1}`, level: 'moderate', visibility: vis };
    if (vis === 'listed') body.shared_with = [ids.C, ids.C];
    const r = await owner.post('/api/v1/risk', body);
    assert.equal(r.status, 201, r.text);
    made[vis] = r.json.id;
  }
  const expect = {
    owner: ['public', 'listed', 'partners', 'private'],
    ownerViewer: ['public', 'listed', 'partners', 'private'],
    partner: ['public', 'partners'],
    listed: ['public', 'listed'],
    other: ['public'],
    anon: ['public'],
    root: ['public'], // the operator reads what is shared with it, like anyone
  };
  const clients = { owner, ownerViewer, partner, listed, other, anon, root };
  for (const [who, vis] of Object.entries(expect)) {
    const got = (await clients[who].get('/api/v1/risk?scope=area&code=GR')).json.items.map((x) => x.visibility);
    assert.deepEqual(got, vis, `${who} list`);
    for (const v of Object.keys(made)) {
      const one = await clients[who].get(`/api/v1/risk/${made[v]}`);
      assert.equal(one.status, vis.includes(v) ? 200 : 404, `${who} reads ${v}`);
    }
    const map = (await clients[who].get('/api/v1/risk/world/2020-03-31')).json.items.find((x) => x.code === 'GR');
    const latest = [...vis].pop();
    assert.equal(map.visibility, latest, `${who} map shows the latest it can see`);
  }
  assert.deepEqual((await owner.get(`/api/v1/risk/${made.listed}`)).json.shared_with, [ids.C]);
  assert.equal((await listed.get(`/api/v1/risk/${made.listed}`)).json.shared_with, undefined, 'the share list is the owner\'s');
  // un-listing removes the share
  const r = await owner.post('/api/v1/risk', { scope: 'area', code: 'GR', date: '2020-03-02', level: 'moderate', visibility: 'private' });
  assert.equal(r.status, 200);
  assert.equal((await listed.get(`/api/v1/risk/${made.listed}`)).status, 404);
});

test('history of a scope: oldest day first, by pages', async () => {
  for (const [date, level] of [['2020-02-20', 'low'], ['2020-02-25', 'moderate'], ['2020-03-05', 'high'], ['2020-03-09', 'very_high']]) {
    const r = await owner.post('/api/v1/risk', { scope: 'area', code: 'ES', date, level, visibility: 'public' });
    assert.equal(r.status, 201, r.text);
  }
  const all = [];
  let path = '/api/v1/risk?scope=area&code=ES&limit=3';
  for (let pages = 0; path && pages < 5; pages++) {
    const r = await anon.get(path);
    assert.equal(r.status, 200, r.text);
    all.push(...r.json.items);
    path = r.json.next_cursor ? `/api/v1/risk?scope=area&code=ES&limit=3&cursor=${r.json.next_cursor}` : null;
  }
  assert.deepEqual(all.map((x) => x.level), ['low', 'moderate', 'high', 'very_high']);
  const window = (await anon.get('/api/v1/risk?scope=area&code=ES&from=2020-02-25&to=2020-03-05')).json.items;
  assert.deepEqual(window.map((x) => x.date), ['2020-02-25', '2020-03-05']);
  const byOrg = (await anon.get(`/api/v1/risk?org=${ids.WHO}`)).json.items;
  assert.ok(byOrg.length >= (have ? 5 : 0) && byOrg.every((x) => x.owner_org === ids.WHO));
});

// The rules of docs/risk-rules.md, written again here from the document.
function rules(i) {
  if (i.nr14 === null) return null;
  const levels = ['low', 'moderate', 'high', 'very_high'];
  let k = i.nr14 < 25 ? 0 : i.nr14 < 50 ? 1 : i.nr14 <= 150 ? 2 : 3;
  const up = (i.growth_lo !== null && i.growth_lo > 0) || (i.rt_q025 !== null && i.rt_q025 > 1);
  const down = (i.growth_hi !== null && i.growth_hi < 0) || (i.rt_q975 !== null && i.rt_q975 < 1);
  if (up && !down) k = Math.min(3, k + 1);
  if (down && !up) k = Math.max(0, k - 1);
  return levels[k];
}

test('the proposed level is shown beside the human one, never instead of it', { skip: !have }, async () => {
  cli(srv.db, 'import', 'who', WHO_CSV, '--org', String(ids.WHO), '--visibility', 'public');
  cli(srv.db, 'indicators');
  const p = await anon.get('/api/v1/risk/proposed?area=IT&date=2020-03-15');
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.rules, 'ecdc-nr14-v1');
  const ind = (await anon.get('/api/v1/indicators?area=IT&from=2020-03-15&to=2020-03-15')).json;
  assert.equal(p.json.inputs.nr14, ind.nr14[0]);
  assert.equal(p.json.inputs.rt_q025, ind.rt_q025[0]);
  assert.ok(ind.nr14[0] >= 25 && ind.nr14[0] < 50, 'Italy on 15 March: NR14 in the moderate band');
  assert.equal(p.json.level, 'high', 'raised one level: growing, Rt above 1');
  assert.equal(p.json.level, rules({ nr14: ind.nr14[0], growth_lo: ind.growth_lo[0], growth_hi: ind.growth_hi[0], rt_q025: ind.rt_q025[0], rt_q975: ind.rt_q975[0] }));
  assert.match(p.json.reasons.join(' | '), /notification rate 39\.1 per 100,000.*moderate.*raised one level to high/);
  // a human assessment that differs keeps its own level, with the proposal beside it
  const h = await owner.post('/api/v1/risk', { scope: 'area', code: 'IT', date: '2020-03-15', level: 'very_high', rationale: 'health system under strain', visibility: 'public' });
  assert.equal(h.status, 201, h.text);
  assert.equal(h.json.level, 'very_high');
  assert.equal(h.json.proposed.level, 'high');
  assert.deepEqual(h.json.proposed.reasons, p.json.reasons);
  const again = (await anon.get(`/api/v1/risk/${h.json.id}`)).json;
  assert.equal(again.level, 'very_high');
  assert.equal(again.proposed.level, 'high');
  // every day of Italy's series: the API's proposal follows the rules
  const s = (await anon.get('/api/v1/indicators?area=IT&from=2020-02-20&to=2020-04-30')).json;
  for (const [i, date] of s.dates.entries()) {
    if (i % 5) continue;
    const q = (await anon.get(`/api/v1/risk/proposed?area=IT&date=${date}`)).json;
    const want = rules({ nr14: s.nr14[i], growth_lo: s.growth_lo[i], growth_hi: s.growth_hi[i], rt_q025: s.rt_q025[i], rt_q975: s.rt_q975[i] });
    assert.equal(q.level, want, date);
  }
  // no indicators: no proposal, and it says why
  const none = (await anon.get('/api/v1/risk/proposed?area=IT&date=2019-12-01')).json;
  assert.equal(none.level, null);
  assert.match(none.reasons[0], /no indicators/);
});
