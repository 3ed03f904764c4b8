// The EN / 中文 switch: an anonymous choice stays in the browser
// (localStorage); a logged-in user's choice is saved on the server
// (PATCH /api/v1/me) and follows them to any browser at login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, launch, openPage, ready, login, logout, text, addUser, loginAs, cleanupDb, PASSWORD } from './lib.mjs';

let srv;
let browser;

before(async () => {
  srv = await startWeb();
  addUser(srv.db, 1, 'wang', { name: '王芳' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

const navTexts = (page) => page.locator('nav.main-nav a').allTextContents();

test('an anonymous visitor switches the login page to Chinese, and it stays after a reload', async () => {
  const page = await openPage(browser, srv.base);
  await page.goto('/#/login');
  await ready(page, 'login');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.click('.lang-switch button[data-lang="zh"]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  await ready(page, 'login');
  assert.equal(await text(page, 'h1'), '登录');
  assert.equal(await text(page, 'label[for^="f-login"]'), '登录名 *');
  assert.equal(await page.getAttribute('.lang-switch button[data-lang="zh"]', 'aria-pressed'), 'true');
  assert.equal(await page.title(), '登录 · epibridge');
  // Keyboard focus stays on the switch that was pressed.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.lang), 'zh');

  await page.reload();
  await ready(page, 'login');
  assert.equal(await text(page, 'h1'), '登录');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
  page.assertClean();
  await page.context().close();
});

test('a browser set to Chinese starts in Chinese', async () => {
  const page = await openPage(browser, srv.base, { locale: 'zh-CN' });
  await page.goto('/');
  await ready(page, 'map');
  assert.equal(await text(page, 'h1'), '疫情地图');
  await page.goto('/#/login');
  await ready(page, 'login');
  assert.equal(await text(page, 'h1'), '登录');
  page.assertClean();
  await page.context().close();
});

test('a logged-in user switches to 中文: nav and headings change, the choice is saved on the server and survives reload and logout/login', async () => {
  const page = await openPage(browser, srv.base);
  await login(page, 'wang');
  assert.deepEqual(await navTexts(page), ['Situation map', 'Alerts', 'Donations', 'Organisations', 'Partners', 'API tokens', 'Audit log']);
  assert.equal(await text(page, 'h1'), 'Situation map');
  await page.click('nav.main-nav a[data-nav="orgs"]');
  await ready(page, 'orgs');

  await page.click('.lang-switch button[data-lang="zh"]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  await ready(page, 'orgs');
  assert.deepEqual(await navTexts(page), ['疫情地图', '预警', '捐赠', '组织', '合作伙伴', 'API 令牌', '审计日志']);
  assert.equal(await text(page, 'h1'), '组织');
  assert.equal(await text(page, 'button[data-act="logout"]'), '退出登录');
  assert.match(await text(page, '.user-org'), /^管理员 · /);
  // Kinds are translated in the directory.
  assert.equal(await text(page, 'tr[data-org="1"] td:nth-child(2)'), '国际组织');

  // Saved on the server.
  const api = await loginAs(srv.base, 'wang');
  assert.equal(api.me.lang, 'zh');

  // Other pages are in Chinese too.
  await page.click('nav.main-nav a[data-nav="audit"]');
  await ready(page, 'audit');
  assert.equal(await text(page, 'h1'), '审计日志');
  assert.equal(await text(page, 'table.data th:nth-child(3)'), '操作人');

  await page.reload();
  await ready(page, 'audit');
  assert.equal(await text(page, 'h1'), '审计日志');

  await logout(page);
  assert.equal(await text(page, 'h1'), '登录');
  page.assertClean();
  await page.context().close();

  // A fresh browser (nothing in localStorage) starts in English, and the
  // user's saved language takes over at login.
  const other = await openPage(browser, srv.base);
  await other.goto('/#/login');
  await ready(other, 'login');
  assert.equal(await text(other, 'h1'), 'Log in');
  await other.fill('input[name="login"]', 'wang');
  await other.fill('input[name="password"]', PASSWORD);
  const draws = Number(await other.getAttribute('main', 'data-draw'));
  await other.click('form.login-form button[type="submit"]');
  await ready(other, 'map');
  await other.waitForTimeout(300);
  assert.equal(Number(await other.getAttribute('main', 'data-draw')), draws + 1, 'the next page is drawn once, in Chinese');
  assert.equal(await text(other, 'h1'), '疫情地图');
  assert.deepEqual(await navTexts(other), ['疫情地图', '预警', '捐赠', '组织', '合作伙伴', 'API 令牌', '审计日志']);

  // And back to English, from the profile page's language field.
  await other.click('a.user-link');
  await ready(other, 'profile');
  assert.equal(await text(other, 'h1'), '个人资料');
  await other.selectOption('form[data-form="profile"] select[name="lang"]', 'en');
  await other.click('form[data-form="profile"] button[type="submit"]');
  await other.waitForFunction(() => document.documentElement.lang === 'en');
  await ready(other, 'profile');
  assert.equal(await text(other, 'h1'), 'Your profile');
  assert.equal((await loginAs(srv.base, 'wang')).me.lang, 'en');
  other.assertClean();
  await other.context().close();
});
