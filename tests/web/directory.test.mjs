// The organisation directory: paging by next_cursor, filters by country and
// kind, names in the current language with the other one beneath, and
// creating an organisation (operator administrators).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, launch, openPage, ready, go, login, text, loginAs, addUser, cleanupDb } from './lib.mjs';

let srv;
let browser;
const PAGE = 25; // web/js/constants.js PAGE_SIZE

before(async () => {
  srv = await startWeb();
  const root = await loginAs(srv.base, 'root');
  // 30 more organisations: 31 with the operator, so two pages.
  const countries = ['CN', 'IT', 'TZ'];
  for (let i = 1; i <= 30; i++) {
    const kind = i % 3 === 0 ? 'embassy' : 'hospital';
    const r = await root.post('/api/v1/orgs', {
      kind, country: countries[i % 3], name_en: `Org ${String(i).padStart(2, '0')}`, name_zh: `机构${i}号`,
    });
    assert.equal(r.status, 201, r.text);
  }
  // Switches to Chinese (saved on the server), so not root.
  addUser(srv.db, 1, 'ops', { role: 'viewer' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

const names = (page) => page.locator('tbody tr .name-pair > :first-child').allTextContents();

test('the directory pages forward and back with the server\'s cursor', async () => {
  const page = await openPage(browser, srv.base);
  await login(page, 'root');
  await go(page, '/orgs', 'orgs');
  const first = await names(page);
  assert.equal(first.length, PAGE);
  assert.equal(first[0], 'Operator');
  assert.equal(first[1], 'Org 01');
  assert.equal(await page.locator('.pager [data-act="prev"]').count(), 0);

  await page.click('.pager [data-act="next"]');
  await ready(page, 'orgs');
  const second = await names(page);
  assert.deepEqual(second, ['Org 25', 'Org 26', 'Org 27', 'Org 28', 'Org 29', 'Org 30']);
  assert.match(page.url(), /cursor=/);
  assert.equal(await page.locator('.pager [data-act="next"]').count(), 0, 'no next page after the last');

  await page.click('.pager [data-act="prev"]');
  await ready(page, 'orgs');
  assert.deepEqual(await names(page), first);

  // Browser history works as well.
  await page.goBack();
  await ready(page, 'orgs');
  assert.deepEqual(await names(page), second);
  page.assertClean();
  await page.context().close();
});

test('filters by country and kind, and shows names in the current language first', async () => {
  const page = await openPage(browser, srv.base);
  await login(page, 'ops');
  await go(page, '/orgs', 'orgs');
  await page.fill('form.filters input[name="country"]', 'tz');
  await page.selectOption('form.filters select[name="kind"]', 'embassy');
  await page.click('form.filters button[type="submit"]');
  await ready(page, 'orgs');
  assert.match(page.url(), /country=TZ/);
  assert.match(page.url(), /kind=embassy/);
  const rows = page.locator('tbody tr');
  // i % 3 === 0 are embassies in countries[0] = CN; TZ has i % 3 === 2: hospitals.
  assert.equal(await rows.count(), 0);
  assert.equal(await text(page, 'p.empty'), 'No organisations match.');

  await page.selectOption('form.filters select[name="kind"]', 'hospital');
  await page.click('form.filters button[type="submit"]');
  await ready(page, 'orgs');
  assert.equal(await rows.count(), 10);
  for (const c of await page.locator('tbody tr td:nth-child(3)').allTextContents()) assert.equal(c, 'Tanzania');
  for (const k of await page.locator('tbody tr td:nth-child(2)').allTextContents()) assert.equal(k, 'Hospital');
  assert.equal(await text(page, 'tbody tr:first-child .name-pair > :first-child'), 'Org 02');
  assert.equal(await text(page, 'tbody tr:first-child .name-pair .secondary'), '机构2号');

  await page.click('.lang-switch button[data-lang="zh"]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  await ready(page, 'orgs');
  // The filter survives the switch; names flip.
  assert.equal(await rows.count(), 10);
  assert.equal(await text(page, 'tbody tr:first-child .name-pair > :first-child'), '机构2号');
  assert.equal(await text(page, 'tbody tr:first-child .name-pair .secondary'), 'Org 02');
  assert.equal(await text(page, 'tbody tr:first-child td:nth-child(2)'), '医院');
  assert.equal(await text(page, 'tbody tr:first-child td:nth-child(3)'), '坦桑尼亚');
  assert.equal(await page.inputValue('form.filters input[name="country"]'), 'TZ');
  page.assertClean();
  await page.context().close();
});

test('an operator administrator creates an organisation; a duplicate name is refused on the name field', async () => {
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 409/);
  await login(page, 'root');
  await go(page, '/orgs', 'orgs');
  await page.click('details.disclosure summary');
  const form = 'details.disclosure form';
  await page.fill(`${form} input[name="name_en"]`, 'Daegu Metropolitan City');
  await page.fill(`${form} input[name="name_zh"]`, '大邱广域市');
  await page.selectOption(`${form} select[name="kind"]`, 'local_government');
  await page.fill(`${form} input[name="country"]`, 'kr');
  await page.click(`${form} button[type="submit"]`);
  await ready(page, 'org');
  assert.equal(await text(page, 'h1'), 'Daegu Metropolitan City');
  assert.equal(await text(page, '.secondary-name'), '大邱广域市');

  await go(page, '/orgs', 'orgs');
  await page.click('details.disclosure summary');
  await page.fill(`${form} input[name="name_en"]`, 'Daegu Metropolitan City');
  await page.fill(`${form} input[name="country"]`, 'KR');
  await page.click(`${form} button[type="submit"]`);
  await page.locator(`${form} .form-alert`).waitFor();
  assert.equal(await page.getAttribute(`${form} input[name="name_en"]`, 'aria-invalid'), 'true');
  assert.match(await text(page, `${form} .form-alert`), /^Conflict: an organisation named Daegu Metropolitan City already exists/);
  page.assertClean();
  await page.context().close();
});
