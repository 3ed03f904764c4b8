// Indicators (C2): WHO's daily data imported through the CLI, `epibridge
// indicators`, and the API's series and world snapshot, checked against
// values the test computes itself from the same CSV (7-day average, NR14
// with the reference population) and against `epibridge rt` on the same
// series; the source-organisation rule; refusals of bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, loginAs, cli, cliFails, BIN, ROOT, PASSWORD } from './lib.mjs';

const SHARED = process.env.EB_SHARED || join(ROOT, '..', 'shared');
const WHO_CSV = join(SHARED, 'data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv');
const have = existsSync(WHO_CSV);

let srv, anon, who, ministry, summary;
// The WHO file's Italian rows: date -> new cases, in file order.
const italy = new Map();

before(async () => {
  if (!have) return;
  srv = await startServer();
  anon = new Client(srv.base);
  who = JSON.parse(cli(srv.db, 'org', 'add', '--kind', 'international_organisation', '--name-en', 'World Health Organization', '--country', 'CH')).id;
  ministry = JSON.parse(cli(srv.db, 'org', 'add', '--kind', 'ministry_of_health', '--name-en', 'Ministero della Salute', '--country', 'IT')).id;
  cli(srv.db, 'user', 'add', '--org', String(ministry), '--login', 'it.editor', '--name', 'IT', '--role', 'editor', '--password', PASSWORD);
  cli(srv.db, 'import', 'who', WHO_CSV, '--org', String(who), '--visibility', 'public');
  summary = cli(srv.db, 'indicators');
  for (const line of readFileSync(WHO_CSV, 'utf8').split('\n').slice(1)) {
    const f = line.split(',');
    if (f[1] === 'IT') italy.set(f[0].slice(0, 10), Number(f[4]));
  }
});
after(async () => { if (srv) await srv.stop(); });

const close = (a, b, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

test('epibridge indicators prints a summary of what it computed', { skip: !have }, () => {
  assert.match(summary, /^indicators: (\d+) areas, (\d+) area-days/);
  const [, areas, days] = summary.match(/^indicators: (\d+) areas, (\d+) area-days/);
  assert.ok(Number(areas) > 200, summary);
  const rows = readFileSync(WHO_CSV, 'utf8').split('\n').slice(1).filter((l) => l.trim()).length;
  assert.equal(Number(days), rows, 'one row per WHO row: the file has no gaps');
  assert.match(summary, /negative counts \(corrections\): \d+/);
});

test("Italy's series: 7-day average and NR14 equal the test's own sums of the WHO counts", { skip: !have }, async () => {
  const r = await anon.get('/api/v1/indicators?area=IT');
  assert.equal(r.status, 200, r.text);
  const s = r.json;
  assert.equal(s.area, 'IT');
  assert.equal(s.source_org, who);
  const dates = [...italy.keys()];
  assert.deepEqual(s.dates, dates, 'one day per WHO report, from the first to the last');
  const i = s.dates.indexOf('2020-03-15');
  assert.ok(i > 14);
  const last7 = dates.slice(i - 6, i + 1).map((d) => italy.get(d));
  assert.deepEqual(last7, [1797, 977, 2313, 2651, 2547, 3497, 3590]);
  assert.ok(close(s.avg7[i], last7.reduce((a, b) => a + b) / 7));
  assert.equal(s.cases[i], 3590);
  const areas = (await anon.get('/api/v1/areas')).json.items;
  const pop = areas.find((a) => a.code === 'IT').population;
  assert.equal(s.population, pop);
  const sum14 = dates.slice(i - 13, i + 1).reduce((a, d) => a + italy.get(d), 0);
  assert.ok(close(s.nr14[i], (1e5 * sum14) / pop));
  // before a window is complete there is no value
  assert.equal(s.avg7[5], null);
  assert.equal(s.nr14[12], null);
  // growth over the trailing 14 days: Italy was doubling every few days
  assert.ok(s.growth_r[i] > 0.1 && s.growth_lo[i] > 0, `r ${s.growth_r[i]}`);
  assert.ok(close(s.doubling[i], Math.LN2 / s.growth_r[i]));
  assert.equal(s.halving[i], null);
  // every column has one value per date
  for (const k of ['cases', 'avg7', 'nr14', 'growth_r', 'doubling_hi', 'halving_lo', 'rt_mean', 'rt_sd', 'rt_q025', 'rt_median', 'rt_q975']) {
    assert.equal(s[k].length, s.dates.length, k);
  }
  // from/to select days
  const part = await anon.get('/api/v1/indicators?area=it&from=2020-03-14&to=2020-03-15');
  assert.deepEqual(part.json.dates, ['2020-03-14', '2020-03-15']);
  assert.equal(part.json.avg7[1], s.avg7[i]);
});

test("Italy's Rt equals `epibridge rt` on the same series (negative corrections as missing)", { skip: !have }, async () => {
  const s = (await anon.get('/api/v1/indicators?area=IT')).json;
  const csv = 'date,cases\n' + s.dates.map((d) => `${d},${italy.get(d) < 0 ? 'NA' : italy.get(d)}`).join('\n') + '\n';
  const out = execFileSync(BIN, ['rt', '--si-mean', '4.7', '--si-sd', '2.9', '-'], { input: csv, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const rows = out.trim().split('\n').slice(1).map((l) => l.split(','));
  assert.equal(rows.length, s.dates.length - 7);
  let compared = 0;
  for (const [, , tEnd, mean, std, q025, , , median, , , q975] of rows) {
    const i = s.dates.indexOf(tEnd);
    assert.ok(i >= 7, tEnd);
    if (mean === 'NA') {
      assert.equal(s.rt_mean[i], null, tEnd);
      continue;
    }
    assert.ok(close(s.rt_mean[i], Number(mean)), `${tEnd} mean ${s.rt_mean[i]} vs ${mean}`);
    assert.ok(close(s.rt_sd[i], Number(std)), `${tEnd} sd`);
    assert.ok(close(s.rt_q025[i], Number(q025)), `${tEnd} q025`);
    assert.ok(close(s.rt_median[i], Number(median)), `${tEnd} median`);
    assert.ok(close(s.rt_q975[i], Number(q975)), `${tEnd} q975`);
    compared++;
  }
  assert.ok(compared > 100, `${compared} windows compared`);
  for (let i = 0; i < 7; i++) assert.equal(s.rt_mean[i], null, 'no window ends in the first week');
});

test('the world snapshot of a day has one row per area, the same values as the series', { skip: !have }, async () => {
  const r = await anon.get('/api/v1/indicators/world/2020-03-15');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.date, '2020-03-15');
  const codes = r.json.items.map((x) => x.area);
  assert.deepEqual(codes, [...codes].sort(), 'by area code');
  assert.equal(new Set(codes).size, codes.length, 'one row per area');
  const whoDay = new Set(readFileSync(WHO_CSV, 'utf8').split('\n').filter((l) => l.startsWith('2020-03-15')).map((l) => l.split(',')[1]));
  assert.ok(codes.length >= whoDay.size - 2 && codes.length > 100, `${codes.length} areas`);
  const it = r.json.items.find((x) => x.area === 'IT');
  const s = (await anon.get('/api/v1/indicators?area=IT&from=2020-03-15&to=2020-03-15')).json;
  for (const k of ['cases', 'avg7', 'nr14', 'growth_r', 'doubling', 'rt_mean', 'rt_q025', 'rt_q975']) assert.equal(it[k], s[k][0], k);
  assert.equal(it.source_org, who);
  const none = await anon.get('/api/v1/indicators/world/1999-01-01');
  assert.deepEqual(none.json.items, []);
});

test('one source organisation per area: most public reports, or the one given', { skip: !have }, async () => {
  const it = await loginAs(srv.base, 'it.editor');
  for (const [date, n] of [['2020-03-14', 3000], ['2020-03-15', 3600]]) {
    const r = await it.post('/api/v1/sitreps', { area: 'IT', date, new_confirmed: n, visibility: 'public' });
    assert.equal(r.status, 201, r.text);
  }
  // a private report never enters
  await it.post('/api/v1/sitreps', { area: 'SM', date: '2020-03-15', new_confirmed: 1, visibility: 'private' });
  cli(srv.db, 'indicators', '--area', 'IT');
  let s = (await anon.get('/api/v1/indicators?area=IT')).json;
  assert.equal(s.source_org, who, 'WHO has more public reports for Italy');
  const out = cli(srv.db, 'indicators', '--source-org', String(ministry));
  assert.match(out, /^indicators: 1 areas, 2 area-days/);
  s = (await anon.get('/api/v1/indicators?area=IT')).json;
  assert.equal(s.source_org, ministry);
  assert.deepEqual(s.dates, ['2020-03-14', '2020-03-15']);
  assert.deepEqual(s.cases, [3000, 3600]);
  assert.equal(s.avg7[1], null, 'two days are not a week');
  const fr = (await anon.get('/api/v1/indicators?area=FR')).json;
  assert.equal(fr.source_org, who, 'areas the organisation does not report keep their indicators');
  cli(srv.db, 'indicators');
  s = (await anon.get('/api/v1/indicators?area=IT')).json;
  assert.equal(s.source_org, who, 'the default rule again');
  const sm = (await anon.get('/api/v1/indicators?area=SM&from=2020-03-15&to=2020-03-15')).json;
  assert.notEqual(sm.cases[0], 1, 'the private report is not used');
});

test('bad input is refused with the field named', { skip: !have }, async () => {
  for (const [path, field] of [
    ['/api/v1/indicators', 'area'],
    ['/api/v1/indicators?area=ZZ', 'area'],
    ['/api/v1/indicators?area=IT&from=2020-02-30', 'from'],
    ['/api/v1/indicators?area=IT&from=2020-03-15&to=2020-03-01', 'to'],
    ['/api/v1/indicators/world/2020-3-15', 'date'],
  ]) {
    const r = await anon.get(path);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.equal(r.json.field, field, path);
  }
  const a = cliFails(srv.db, 'indicators', '--area', 'ZZ');
  assert.equal(a.status, 1);
  assert.match(a.stderr, /'ZZ' is not an area code/);
  const b = cliFails(srv.db, 'indicators', '--si-mean', '0.5', '--si-sd', '1');
  assert.equal(b.status, 2);
  assert.match(b.stderr, /above 1 day/);
  const c = cliFails(srv.db, 'indicators', '--source-org', '9999');
  assert.equal(c.status, 1);
  assert.match(c.stderr, /no organisation 9999/);
  const d = cliFails(srv.db, 'indicators', '--si-mean', '5');
  assert.equal(d.status, 2);
});
