// The situation pages: the world map (home page, public) coloured by an
// indicator or by risk level on a day chosen with the slider, with its
// legend and tooltips in both languages; an area's page with daily cases and
// the 7-day average, Rt with its credible band, the risk history and the
// latest reports with their revisions; and what anonymous visitors do not
// see (a private report).
//
// Data: a WHO-layout CSV of 90 days for a few countries imported as public
// with `epibridge import who`, `epibridge indicators`, a risk assessment and
// a corrected report through the API, and a private report of another
// organisation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWeb, launch, openPage, ready, go, login, text, shot, addOrg, addUser, loginAs, cli, cleanupDb } from './lib.mjs';

let srv;
let browser;
let who;
let italy;
const FIRST = '2020-02-01';
const DAYS = 90;
const LAST = '2020-04-30';

const day = (i) => new Date(Date.UTC(2020, 1, 1 + i)).toISOString().slice(0, 10);

// New cases per country and day: growth then decline, each at its own scale;
// NZ reports zero cases throughout ("no cases", not "no report").
const SHAPES = {
  IT: ['EURO', 6000], FR: ['EURO', 4000], DE: ['EURO', 5000], ES: ['EURO', 7000],
  CN: ['WPRO', 3000], KR: ['WPRO', 800], US: ['AMRO', 30000], BR: ['AMRO', 5000],
  IN: ['SEARO', 2000], NG: ['AFRO', 150], AU: ['WPRO', 400], NZ: ['WPRO', 0],
};
function cases(code, i) {
  const peak = SHAPES[code][1];
  const shift = code.charCodeAt(0) % 20;
  const x = (i - 40 - shift) / 12;
  return Math.round(peak * Math.exp(-x * x));
}

function whoCsv() {
  const lines = ['Date_reported,Country_code,Country,WHO_region,New_cases,Cumulative_cases,New_deaths,Cumulative_deaths'];
  for (const [code, [region]] of Object.entries(SHAPES)) {
    let cum = 0;
    let deaths = 0;
    for (let i = 0; i < DAYS; i++) {
      const n = cases(code, i);
      const dn = Math.round(n / 50);
      cum += n;
      deaths += dn;
      lines.push(`${day(i)}T00:00:00Z,${code},${code},${region},${n},${cum},${dn},${deaths}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

before(async () => {
  srv = await startWeb();
  who = addOrg(srv.db, { kind: 'international_organisation', en: 'World Health Organization', zh: '世界卫生组织', country: 'CH' });
  italy = addOrg(srv.db, { en: 'Ministry of Health of Italy', zh: '意大利卫生部', country: 'IT' });
  addUser(srv.db, who, 'who-editor', { role: 'editor' });
  addUser(srv.db, italy, 'rossi', { name: 'Maria Rossi' });
  const dir = mkdtempSync(join(tmpdir(), 'ebweb-'));
  const file = join(dir, 'who.csv');
  writeFileSync(file, whoCsv());
  cli(srv.db, 'import', 'who', file, '--org', String(who), '--visibility', 'public');
  rmSync(dir, { recursive: true, force: true });
  cli(srv.db, 'indicators');

  const w = await loginAs(srv.base, 'who-editor');
  let r = await w.post('/api/v1/risk', {
    scope: 'area', code: 'IT', date: '2020-03-01', level: 'high', visibility: 'public',
    rationale: 'Community transmission in Lombardy; hospitals under strain.',
  });
  assert.equal(r.status, 201, r.text);
  r = await w.post('/api/v1/risk', { scope: 'world', date: '2020-02-28', level: 'very_high', visibility: 'public', rationale: 'Global spread.' });
  assert.equal(r.status, 201, r.text);
  // A correction: Italy's last report gets a second revision.
  r = await w.post('/api/v1/sitreps', { area: 'IT', date: LAST, new_confirmed: 1234, cum_confirmed: 999999, transmission: 'community', visibility: 'public', note: 'corrected' });
  assert.equal(r.status, 200, r.text);
  // Italy's ministry reports Tanzania privately: nobody else sees it.
  const it = await loginAs(srv.base, 'rossi');
  r = await it.post('/api/v1/sitreps', { area: 'TZ', date: '2020-04-20', new_confirmed: 4242, cum_confirmed: 4242, transmission: 'clusters', visibility: 'private' });
  assert.equal(r.status, 201, r.text);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

const mapReady = (page, date) => page.waitForSelector(`.map-box[data-state="ready"]${date ? `[data-date="${date}"]` : ''}`);
const attr = (page, sel, name) => page.getAttribute(sel, name);
const pathOf = (code) => `svg.map-svg path[data-code="${code}"]`;

test('the map is the home page for anonymous visitors: countries coloured by new cases on the last day, legend, slider, tooltip, both languages', async () => {
  const page = await openPage(browser, srv.base);
  await page.goto('/');
  await ready(page, 'map');
  await mapReady(page, LAST);
  assert.match(page.url(), /#\/map\?by=cases&date=2020-04-30$/);

  // The world as SVG paths, one per country of the 1:110m atlas.
  const paths = await page.locator('svg.map-svg path').count();
  assert.ok(paths >= 150, `${paths} country shapes`);
  // Colours follow the classes of the legend.
  const legend = await page.locator('.map-legend li').evaluateAll((lis) => lis.map((li) => [li.dataset.cat, li.querySelector('.swatch').style.background]));
  assert.equal(legend.length, 6 + 3);
  const colourOf = Object.fromEntries(legend);
  assert.equal(await attr(page, pathOf('NZ'), 'data-cat'), 'no-cases', 'New Zealand reported zero cases');
  assert.equal(await attr(page, pathOf('AR'), 'data-cat'), 'no-report', 'Argentina did not report');
  const itCat = await attr(page, pathOf('IT'), 'data-cat');
  assert.equal(itCat, '4', 'Italy: 1,234 new cases (corrected) is in 1,000-9,999');
  const rgb = await page.locator(pathOf('IT')).evaluate((el) => getComputedStyle(el).fill);
  assert.equal(rgb, colourOf[itCat]);
  assert.equal(await text(page, '.map-legend-title'), 'New cases');
  assert.match(await text(page, '.map-legend li[data-cat="no-report"]'), /No report/);
  assert.match(await text(page, '.map-world-risk'), /Very high/);

  // The slider: 90 days; moving it changes the day and the colours.
  assert.equal(await attr(page, '#map-day', 'max'), String(DAYS - 1));
  await page.locator('#map-day').fill('30');
  await mapReady(page, day(30));
  assert.ok(cases('IT', 30) >= 100 && cases('IT', 30) < 1000);
  assert.equal(await attr(page, pathOf('IT'), 'data-cat'), '3', `Italy on ${day(30)}: ${cases('IT', 30)} new cases`);
  assert.equal(await text(page, '.map-day-label'), '2 March 2020');
  await page.click('button[data-act="next-day"]');
  await mapReady(page, day(31));
  assert.match(page.url(), /date=2020-03-03/);

  // Another indicator: the 14-day notification rate.
  await page.selectOption('#map-by', 'nr14');
  await page.waitForSelector('.map-box[data-by="nr14"]');
  assert.equal(await text(page, '.map-legend-title'), '14-day notification rate per 100,000');
  await page.locator('#map-day').fill(String(DAYS - 1));
  await mapReady(page, LAST);
  const nr14 = (await (await fetch(`${srv.base}/api/v1/indicators/world/${LAST}`)).json()).items.find((x) => x.area === 'IT').nr14;
  const nrClass = [5, 25, 50, 150, 500].filter((b) => nr14 >= b).length;
  assert.equal(await attr(page, pathOf('IT'), 'data-cat'), String(nrClass), `Italy's NR14 ${nr14}`);

  // The tooltip: name, figures, the human risk level and the proposed one beside it.
  await page.hover(pathOf('IT'));
  const tip = page.locator('.map-tip');
  await tip.waitFor({ state: 'visible' });
  assert.equal(await text(page, '.map-tip .tip-name'), 'Italy');
  assert.equal(await text(page, '.map-tip [data-row="new"] dd'), '1,234');
  assert.match(await text(page, '.map-tip [data-row="transmission"] dd'), /Community transmission/);
  assert.equal(await text(page, '.map-tip [data-row="source"] dd'), 'World Health Organization');
  assert.equal(await text(page, '.map-tip [data-row="risk"] .badge'), 'High');
  assert.match(await text(page, '.map-tip [data-row="proposed"] dt'), /Proposed by the rules/);
  assert.match(await text(page, '.map-tip [data-row="proposed"] .badge'), /^Proposed: /);
  await page.hover(pathOf('AR'));
  assert.equal(await text(page, '.map-tip .tip-name'), 'Argentina');
  assert.match(await text(page, '.map-tip [data-row="no-report"]'), /No report for this day/);

  // Colour by risk: Italy high, the others without an assessment.
  await page.selectOption('#map-by', 'risk');
  await page.waitForSelector('.map-box[data-by="risk"]');
  assert.equal(await attr(page, pathOf('IT'), 'data-cat'), 'high');
  assert.equal(await attr(page, pathOf('FR'), 'data-cat'), 'no-assessment');
  await shot(page, 'situation-map-risk-en');
  await page.selectOption('#map-by', 'cases');
  await page.waitForSelector('.map-box[data-by="cases"]');

  // 中文: legend, tooltip and numbers follow.
  await page.click('.lang-switch button[data-lang="zh"]');
  await ready(page, 'map');
  await mapReady(page, LAST);
  assert.equal(await text(page, 'h1'), '疫情地图');
  assert.equal(await text(page, '.map-legend-title'), '新增病例');
  assert.match(await text(page, '.map-legend li[data-cat="no-cases"]'), /报告无病例/);
  assert.match(await text(page, '.map-legend li[data-cat="no-report"]'), /该日无报告/);
  assert.equal(await text(page, '.map-day-label'), '2020年4月30日');
  await page.hover(pathOf('IT'));
  await tip.waitFor({ state: 'visible' });
  assert.equal(await text(page, '.map-tip .tip-name'), '意大利');
  assert.equal(await text(page, '.map-tip [data-row="risk"] .badge'), '高');
  assert.match(await text(page, '.map-tip [data-row="transmission"] dd'), /社区传播/);
  await page.mouse.move(2, 2);
  await shot(page, 'situation-map-zh');
  await page.click('.lang-switch button[data-lang="en"]');
  await ready(page, 'map');
  await mapReady(page, LAST);
  await page.mouse.move(2, 2);
  await shot(page, 'situation-map-en');

  // Clicking a country opens its page.
  await page.click(pathOf('IT'));
  await ready(page, 'area');
  assert.match(page.url(), /#\/area\/IT$/);
  assert.equal(await text(page, 'h1'), 'Italy');
  page.assertClean();
  await page.context().close();
});

test('an area\'s page: cases with the 7-day average, Rt with its band, the risk history, the latest reports and their revisions', async () => {
  const page = await openPage(browser, srv.base);
  await go(page, '/area/IT', 'area');
  assert.equal(await text(page, 'h1'), 'Italy');
  assert.equal(await text(page, '.secondary-name'), '意大利');
  assert.match(await text(page, '.page-header .badges'), /WHO region: Europe/);
  assert.match(await text(page, '.page-header .badges'), /Population \d{2},\d{3},\d{3}/);

  const ind = await (await fetch(`${srv.base}/api/v1/indicators?area=IT`)).json();
  const count = (a) => a.filter((v) => v != null).length;
  // Daily cases (bars) and the 7-day average (line), on a canvas.
  const cases = page.locator('.chart-body[data-chart="cases"]');
  await page.waitForSelector('.chart-body[data-chart="cases"][data-drawn="true"] canvas');
  assert.equal(await cases.getAttribute('data-points'), String(DAYS));
  assert.equal(await cases.getAttribute('data-s1'), String(DAYS), 'a bar per day');
  assert.equal(await cases.getAttribute('data-s2'), String(count(ind.avg7)), 'the 7-day average where it is defined');
  assert.ok(count(ind.avg7) >= DAYS - 7);
  // Rt: mean, and the band between the 2.5% and 97.5% quantiles, and 1.
  const rt = page.locator('.chart-body[data-chart="rt"]');
  await page.waitForSelector('.chart-body[data-chart="rt"][data-drawn="true"] canvas');
  assert.ok(count(ind.rt_mean) > 30);
  assert.equal(await rt.getAttribute('data-s1'), String(count(ind.rt_q975)));
  assert.equal(await rt.getAttribute('data-s2'), String(count(ind.rt_q025)));
  assert.equal(await rt.getAttribute('data-s3'), String(count(ind.rt_mean)));
  assert.equal(await rt.getAttribute('data-band'), String(count(ind.rt_q025)), 'the band is drawn where both quantiles exist');
  // The band is painted: some pixel of the plot has the band's tint.
  const tinted = await rt.evaluate((el) => {
    const c = el.querySelector('canvas');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    // rgba(194,65,12,0.16) on the transparent canvas
    const near = (v, want) => Math.abs(v - want) <= 8;
    for (let i = 0; i < px.length; i += 4) if (near(px[i], 194) && near(px[i + 1], 65) && near(px[i + 2], 12) && near(px[i + 3], 41)) n += 1;
    return n;
  });
  assert.ok(tinted > 20, `${tinted} band pixels`);

  // The risk history: the assessment, its organisation, and the proposal beside it.
  const row = page.locator('tr[data-level="high"]');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /Lombardy/);
  assert.match(await row.locator('td').nth(0).textContent(), /1 Mar 2020/);
  assert.equal(await row.locator('td').nth(1).textContent(), 'High');
  assert.equal(await row.locator('td').nth(2).textContent(), 'World Health Organization', 'the directory is public');
  assert.ok(await row.locator('.proposed').count());

  // The latest reports, newest first; the corrected one has two revisions.
  const reports = page.locator('tr[data-report]');
  assert.equal(await reports.count(), 15);
  assert.match(await reports.nth(0).textContent(), /30 Apr 2020/);
  assert.match(await reports.nth(0).textContent(), /1,234/);
  assert.match(await reports.nth(0).textContent(), /Community transmission/);
  await reports.nth(0).locator('button[data-act="history"]').click();
  const dlg = page.locator('dialog[data-dialog="history"]');
  await dlg.waitFor();
  assert.deepEqual(await dlg.locator('tr[data-revision]').evaluateAll((trs) => trs.map((tr) => tr.dataset.revision)), ['2', '1']);
  assert.match(await dlg.locator('tr[data-revision="2"]').textContent(), /1,234.*corrected/);
  assert.doesNotMatch(await dlg.locator('tr[data-revision="1"]').textContent(), /1,234|corrected/);
  await shot(page, 'situation-area-history-en');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.act), 'history', 'focus back on the button');
  await shot(page, 'situation-area-en');

  // A period: 10 days of March.
  await page.fill('#period-from', '2020-03-01');
  await page.fill('#period-to', '2020-03-10');
  await page.click('form[data-form="period"] button[type="submit"]');
  await ready(page, 'area');
  await page.waitForSelector('.chart-body[data-chart="cases"][data-drawn="true"]');
  assert.equal(await page.getAttribute('.chart-body[data-chart="cases"]', 'data-points'), '10');

  // 中文.
  await page.click('.lang-switch button[data-lang="zh"]');
  await ready(page, 'area');
  assert.equal(await text(page, 'h1'), '意大利');
  assert.equal(await text(page, '.secondary-name'), 'Italy');
  assert.match(await text(page, '.page-header .badges'), /世卫组织区域：欧洲区域/);
  assert.equal(await page.locator('tr[data-level="high"] td').nth(1).textContent(), '高');
  assert.equal(await page.locator('tr[data-level="high"] td').nth(2).textContent(), '世界卫生组织');
  await page.click('button[data-act="all-days"]');
  await ready(page, 'area');
  await page.waitForSelector('.chart-body[data-chart="rt"][data-drawn="true"]');
  assert.match(await text(page, 'tr[data-report] td:nth-child(6)'), /社区传播/);
  await shot(page, 'situation-area-zh');

  // A country with subdivisions lists them.
  await go(page, '/area/CN', 'area');
  assert.ok(await page.locator('.subdivision-list li').count() >= 30);
  await page.click('.subdivision-list li[data-code="CN-HB"] a');
  await ready(page, 'area');
  assert.equal(await text(page, 'h1'), '湖北');
  assert.match(await text(page, '.page-header .badges'), /属于中国/);
  page.assertClean();
  await page.context().close();
});

test('anonymous visitors see only public reports; members see what is shared with them', async () => {
  const anon = await openPage(browser, srv.base);
  await go(anon, '/map?by=cases&date=2020-04-20', 'map');
  await mapReady(anon, '2020-04-20');
  assert.equal(await attr(anon, pathOf('TZ'), 'data-cat'), 'no-report');
  await go(anon, '/area/TZ', 'area');
  assert.equal(await anon.locator('tr[data-report]').count(), 0);
  assert.doesNotMatch(await anon.textContent('main'), /4,242/);
  anon.assertClean();
  await anon.context().close();

  const page = await openPage(browser, srv.base);
  await login(page, 'rossi');
  assert.match(await text(page, '.page-header .subtitle'), /shared with Ministry of Health of Italy/);
  await go(page, '/map?by=cases&date=2020-04-20', 'map');
  await mapReady(page, '2020-04-20');
  assert.equal(await attr(page, pathOf('TZ'), 'data-cat'), '4');
  await page.hover(pathOf('TZ'));
  assert.equal(await text(page, '.map-tip [data-row="new"] dd'), '4,242');
  assert.equal(await text(page, '.map-tip [data-row="source"] dd'), 'Ministry of Health of Italy');
  await go(page, '/area/TZ', 'area');
  const row = page.locator('tr[data-report][data-visibility="private"]');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /4,242/);
  assert.match(await row.textContent(), /Private/);
  assert.match(await row.textContent(), /Ministry of Health of Italy/);
  page.assertClean();
  await page.context().close();
});

test('a phone-sized screen: the map and an area page fit the width', async () => {
  const page = await openPage(browser, srv.base, { viewport: { width: 390, height: 800 } });
  await go(page, '/map', 'map');
  await mapReady(page, LAST);
  let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the map page is ${overflow}px wider than the screen`);
  await shot(page, 'situation-mobile-map-en');
  await go(page, '/area/IT', 'area');
  await page.waitForSelector('.chart-body[data-chart="cases"][data-drawn="true"]');
  overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the area page is ${overflow}px wider than the screen`);
  await shot(page, 'situation-mobile-area-en');
  page.assertClean();
  await page.context().close();
});
