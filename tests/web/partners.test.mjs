// Two organisations become partners from the dashboard, each administrator
// in their own browser: one proposes, the other accepts, then one ends it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, launch, openPage, ready, go, login, text, addOrg, addUser, cleanupDb } from './lib.mjs';

let srv;
let browser;
let italy;
let china;

before(async () => {
  srv = await startWeb();
  italy = addOrg(srv.db, { en: 'Ministry of Health of Italy', zh: '意大利卫生部', country: 'IT' });
  china = addOrg(srv.db, { kind: 'red_cross_society', en: 'Red Cross Society of China', zh: '中国红十字会', country: 'CN' });
  addOrg(srv.db, { kind: 'embassy', en: 'Embassy of China in Tanzania', zh: '中国驻坦桑尼亚大使馆', country: 'TZ' });
  addUser(srv.db, italy, 'rossi', { name: 'Maria Rossi' });
  addUser(srv.db, china, 'liming', { name: '李明', lang: 'zh' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

test('one organisation proposes, the other accepts, either ends it', async () => {
  const a = await openPage(browser, srv.base);
  const b = await openPage(browser, srv.base);
  await login(a, 'rossi');
  await login(b, 'liming');
  assert.equal(await text(b, 'h1'), '疫情地图', 'li works in Chinese');

  await go(a, '/partners', 'partners');
  assert.equal(await text(a, 'p.empty'), 'No partnerships yet.');
  const form = 'form[data-form="propose"]';
  // Narrow the list, then choose.
  await a.fill(`${form} input[name="search"]`, 'red cross');
  const options = await a.locator(`${form} select[name="partner_id"] option`).allTextContents();
  assert.deepEqual(options, ['Choose an organisation…', 'Red Cross Society of China — China']);
  await a.selectOption(`${form} select[name="partner_id"]`, String(china));
  await a.fill(`${form} input[name="note"]`, 'Supplies for Lombardy');
  await a.click(`${form} button[type="submit"]`);
  await a.locator(`tr[data-partner="${china}"]`).waitFor();
  const rowA = `tr[data-partner="${china}"]`;
  assert.equal(await text(a, `${rowA} td:nth-child(3)`), 'Proposed, awaiting their acceptance');
  assert.equal(await text(a, `${rowA} td:nth-child(4)`), 'Supplies for Lombardy');
  assert.equal(await a.locator(`${rowA} button[data-act="accept"]`).count(), 0, 'the proposer cannot accept');
  assert.equal(await text(a, `${rowA} button[data-act="end"]`), 'Withdraw');

  // The other side, in Chinese.
  await b.click('nav.main-nav a[data-nav="partners"]');
  await ready(b, 'partners');
  const rowB = `tr[data-partner="${italy}"]`;
  assert.equal(await text(b, `${rowB} .name-pair > :first-child`), '意大利卫生部');
  assert.equal(await text(b, `${rowB} .name-pair .secondary`), 'Ministry of Health of Italy');
  assert.equal(await text(b, `${rowB} td:nth-child(3)`), '对方已申请，等待您接受');
  await b.click(`${rowB} button[data-act="accept"]`);
  await b.locator(`${rowB}[data-status="active"]`).waitFor();
  assert.equal(await text(b, `${rowB} td:nth-child(3)`), '已生效');
  assert.equal(await text(b, `${rowB} button[data-act="end"]`), '终止合作关系');

  await a.reload();
  await ready(a, 'partners');
  assert.equal(await text(a, `${rowA} td:nth-child(3)`), 'Active');
  // The organisation page says so too.
  await go(a, `/orgs/${china}`, 'org');
  assert.match(await text(a, '.partnership-status'), /Active/);

  // Italy ends it.
  await go(a, '/partners', 'partners');
  await a.click(`${rowA} button[data-act="end"]`);
  await a.locator('dialog[open]').waitFor();
  assert.match(await text(a, 'dialog[open] h2'), /End the partnership with Red Cross Society of China/);
  await a.click('dialog[open] button[value="ok"]');
  await a.locator('p.empty').waitFor();
  await b.reload();
  await ready(b, 'partners');
  assert.equal(await text(b, 'p.empty'), '尚无合作关系。');

  a.assertClean();
  b.assertClean();
  await a.context().close();
  await b.context().close();
});

test('a partnership proposed from the organisation page', async () => {
  const a = await openPage(browser, srv.base);
  await login(a, 'rossi');
  await go(a, `/orgs/${china}`, 'org');
  assert.match(await text(a, '.partnership-status'), /no partnership/);
  await a.click('button[data-act="propose"]');
  await a.locator('.partnership-status .badge', { hasText: 'awaiting their acceptance' }).waitFor();
  a.assertClean();
  await a.context().close();
});
