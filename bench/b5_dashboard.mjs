// B5: the dashboard loads the world map and a country's chart with all of
// 2020 in headless Chromium over loopback.  Target: interactive <= 1 s; the
// data transferred is reported.
//
//   node bench/b5_dashboard.mjs          (or sh bench/run.sh b5_dashboard)
//
// Input: the JHU CSSE global series (confirmed and deaths, 2020-01-22 to
// 2023-03-09, about 325,000 reports) of ../shared/data/covid19/jhu imported
// as public reports, `epibridge indicators` over all of them, and WHO's
// early-2020 risk assessments -- a fresh SQLite database each run.
// Browser: Debian's Chromium through playwright-core (tests/web/lib.mjs),
// a new browser context (empty cache) for every cold run.
//
// Cases (RUNS runs each, default 5; the median counts, min and max shown):
//   map           #/map opened in a new tab until the map is interactive:
//                 every country path coloured for the last day, the slider
//                 set, <main aria-busy="false">.
//   country 2020  #/area/IT?from=2020-01-01&to=2020-12-31 opened in a new
//                 tab until both charts (cases + 7-day average, Rt + band)
//                 are drawn.
//   map -> country  from the interactive map, a click on Italy until its
//                 charts (all days) are drawn: libraries and area reference
//                 already loaded.
// ms is measured in the page from navigation start (performance.now()),
// by a MutationObserver that notes when the state is reached;
// bytes is the sum of the response bodies the page received
// (page.on('response')), headers left out.
// The raw output goes to bench/results/b5_dashboard.txt.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startServer, BIN, ROOT } from '../tests/api/lib.mjs';
import { launch } from '../tests/web/lib.mjs';

const RUNS = Number(process.env.RUNS || 5);
const TARGET_MS = 1000;
const SHARED = process.env.EB_SHARED || join(ROOT, '..', 'shared');
const JHU = join(SHARED, 'data/covid19/jhu');
const RISK = join(SHARED, 'data/covid19/who-sitreps/sarscov2_who_2019.csv');

const out = [];
const log = (s = '') => { out.push(s); console.log(s); };
const run = (...args) => execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

for (const f of [join(JHU, 'time_series_covid19_confirmed_global.csv'), join(JHU, 'time_series_covid19_deaths_global.csv'), RISK]) {
  if (!existsSync(f)) { console.error(`b5: missing input ${f} (set EB_SHARED)`); process.exit(2); }
}
if (!existsSync(join(ROOT, 'web/vendor/uplot/uPlot.iife.min.js'))) {
  console.error('b5: web/vendor is empty: run sh scripts/web-assets.sh first');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'eb-b5-'));
const db = join(dir, 'b5.db');
let t0 = Date.now();
run('org', 'add', '--kind', 'research_institute', '--name-en', 'Johns Hopkins University CSSE', '--country', 'US', '--db', db);
run('org', 'add', '--kind', 'international_organisation', '--name-en', 'World Health Organization', '--name-zh', '世界卫生组织', '--country', 'CH', '--db', db);
const imp = run('import', 'jhu', join(JHU, 'time_series_covid19_confirmed_global.csv'), '--deaths', join(JHU, 'time_series_covid19_deaths_global.csv'),
  '--org', '1', '--visibility', 'public', '--keep-valid', '--db', db).split('\n').find((l) => /read \d+/.test(l)) || '';
run('indicators', '--db', db);
run('import', 'who-risk', RISK, '--org', '2', '--visibility', 'public', '--db', db);
const setup = Date.now() - t0;

const srv = await startServer({ db, args: ['--web', join(ROOT, 'web')] });
const browser = await launch();

// Timestamps taken in the page when the state is reached (a
// MutationObserver, so the driver's polling and round trips do not count):
// __b5.map when the map is interactive, __b5.charts when both charts of an
// area's page are drawn, each since navigation start, and __b5.mark() to
// measure from a click.
function probe() {
  window.__b5 = { map: null, charts: null, from: 0, mark() { this.from = performance.now(); this.charts = null; } };
  const check = () => {
    const b = window.__b5;
    if (b.map === null && document.querySelector('main[data-page="map"][aria-busy="false"] .map-box[data-state="ready"]')) b.map = performance.now();
    if (b.charts === null && document.querySelectorAll('main[data-page="area"] .chart-body[data-drawn="true"]').length === 2) b.charts = performance.now() - b.from;
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy', 'data-state', 'data-drawn'] });
}

// One page in a fresh context; counts the bytes of every response body.
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', baseURL: srv.base });
  await context.addInitScript(probe);
  const page = await context.newPage();
  const bodies = [];
  page.on('response', (res) => bodies.push(res.body().then((b) => b.length, () => 0)));
  page.bytes = async () => (await Promise.all(bodies.splice(0))).reduce((a, b) => a + b, 0);
  return page;
}

const mapReady = (page) => page.waitForFunction(() => window.__b5.map !== null, null, { timeout: 20000 }).then(() => page.evaluate(() => window.__b5.map));
const chartsDrawn = (page) => page.waitForFunction(() => window.__b5.charts !== null, null, { timeout: 20000 }).then(() => page.evaluate(() => window.__b5.charts));

const results = { map: [], country: [], click: [] };
for (let i = 0; i < RUNS; i++) {
  // The map, cold.
  let page = await freshPage();
  await page.goto('/#/map');
  const mapMs = await mapReady(page);
  results.map.push({ ms: mapMs, bytes: await page.bytes(), paths: await page.locator('svg.map-svg path[fill]').count() });
  // From the map, a click on Italy (after the range of days is confirmed).
  await page.waitForTimeout(300);
  await page.bytes();
  await page.evaluate(() => window.__b5.mark());
  await page.click('svg.map-svg path[data-code="IT"]');
  const clickMs = await chartsDrawn(page);
  results.click.push({ ms: clickMs, bytes: await page.bytes(),
    points: Number(await page.getAttribute('.chart-body[data-chart="cases"]', 'data-points')) });
  await page.context().close();

  // A country's page with all of 2020, cold.
  page = await freshPage();
  await page.goto('/#/area/IT?from=2020-01-01&to=2020-12-31');
  const countryMs = await chartsDrawn(page);
  results.country.push({ ms: countryMs, bytes: await page.bytes(),
    points: Number(await page.getAttribute('.chart-body[data-chart="cases"]', 'data-points')) });
  await page.context().close();
}

await browser.close();
await srv.stop();
rmSync(dir, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kb = (n) => `${(n / 1024).toFixed(0)} kB`;
log(`B5 dashboard load, ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model || '?'}), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
log(`server ${BIN}; database: JHU global series as public reports (${imp.replace(/^.*: /, '').trim()}), indicators, WHO risk; set up in ${(setup / 1000).toFixed(1)} s`);
log(`Chromium headless (--disable-gpu) over loopback, viewport 1280x900, ${RUNS} runs per case, median (min-max)`);
log('');
log('| case | ms | bytes | target | verdict |');
log('|---|---|---|---|---|');
const row = (name, rs, note) => {
  const ms = rs.map((r) => r.ms);
  const m = median(ms);
  log(`| ${name}${note ? ` (${note})` : ''} | ${m.toFixed(0)} (${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)}) | ${kb(median(rs.map((r) => r.bytes)))} | <= ${TARGET_MS} ms | ${m <= TARGET_MS ? 'met' : 'MISSED'} |`);
};
row('map, cold: interactive', results.map, `${results.map[0].paths} countries coloured`);
row('country 2020, cold: both charts drawn', results.country, `${results.country[0].points} days`);
row('map -> country (click), warm: charts drawn', results.click, `${results.click[0].points} days`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/b5_dashboard.txt'), `${out.join('\n')}\n\nraw: ${JSON.stringify(results)}\n`);
