// Logging in and out through the dashboard: the server's refusals (wrong
// password, throttling with the time to wait) are shown on the form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, launch, openPage, ready, login, logout, text, addUser, cleanupDb, PASSWORD } from './lib.mjs';

let srv;
let browser;

before(async () => {
  srv = await startWeb();
  addUser(srv.db, 1, 'locked');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

test('an anonymous visitor lands on the public situation map, and logs in from the header, with no request that fails', async () => {
  const page = await openPage(browser, srv.base);
  await page.goto('/');
  await ready(page, 'map');
  assert.match(page.url(), /#\/map/);
  // The public pages in the nav, the language switch and a way to log in.
  assert.deepEqual(await page.locator('nav.main-nav a').allTextContents(), ['Situation map', 'Public alerts', 'Donations']);
  assert.equal(await page.locator('.lang-switch button').count(), 2);
  await page.click('a[data-act="login"]');
  await ready(page, 'login');
  assert.equal(await text(page, 'h1'), 'Log in');
  assert.match(page.url(), /#\/login\?next=%2Fmap/);
  // The login field has focus, so typing starts at once.
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'login');
  // No log-in link on the login page itself.
  assert.equal(await page.locator('a[data-act="login"]').count(), 0);
  page.assertClean();
  await page.context().close();
});

test('a wrong password is refused with a message on the password field', async () => {
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 401/);
  await page.goto('/#/login');
  await ready(page, 'login');
  await page.fill('input[name="login"]', 'root');
  await page.fill('input[name="password"]', 'not-the-password');
  await page.click('form.login-form button[type="submit"]');
  const alert = page.locator('form.login-form [role="alert"]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Wrong login or password/);
  const pw = page.locator('input[name="password"]');
  assert.equal(await pw.getAttribute('aria-invalid'), 'true');
  assert.equal(await pw.inputValue(), '');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'password');
  assert.match(await page.locator('[data-field="password"] .field-error').textContent(), /wrong login or password/);
  // Still on the login page, not logged in.
  assert.equal(await page.getAttribute('main', 'data-page'), 'login');
  page.assertClean();
  await page.context().close();
});

test('empty fields are caught before asking the server', async () => {
  const page = await openPage(browser, srv.base);
  await page.goto('/#/login');
  await ready(page, 'login');
  await page.click('form.login-form button[type="submit"]');
  await page.locator('form.login-form [role="alert"]').waitFor();
  assert.equal(await page.locator('input[name="login"]').getAttribute('aria-invalid'), 'true');
  page.assertClean();
  await page.context().close();
});

test('after repeated failures the server throttles and the page says how long to wait', async () => {
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 401/);
  page.allowError(/status of 429/);
  await page.goto('/#/login');
  await ready(page, 'login');
  const submit = page.locator('form.login-form button[type="submit"]');
  const alert = page.locator('form.login-form [role="alert"]');
  // Five failures are free; the sixth attempt is throttled.
  for (let i = 0; i < 6; i++) {
    await page.fill('input[name="login"]', 'locked');
    await page.fill('input[name="password"]', `wrong-password-${i}`);
    await submit.click();
    await alert.waitFor();
    await page.waitForFunction(() => !document.querySelector('form.login-form[aria-busy="true"]'));
    await page.waitForFunction(() => document.querySelector('form.login-form .form-alert'));
  }
  await page.waitForFunction(() => /Try again in \d+ seconds/.test(document.querySelector('form.login-form .form-alert')?.textContent || ''));
  const msg = await alert.textContent();
  const seconds = Number(msg.match(/Try again in (\d+) seconds/)[1]);
  assert.ok(seconds > 0 && seconds <= 30, `retry time ${seconds}`);
  // The button waits too, counting down.
  assert.equal(await submit.isDisabled(), true);
  assert.match(await submit.textContent(), /Wait \d+ s/);
  page.assertClean();
  await page.context().close();
});

test('the right password logs in; logging out returns to the login page', async () => {
  const page = await openPage(browser, srv.base);
  await page.goto('/#/partners');
  // Not logged in: sent to login, and back to where it was going after.
  await ready(page, 'login');
  assert.match(page.url(), /next=%2Fpartners/);
  await page.fill('input[name="login"]', 'root');
  await page.fill('input[name="password"]', PASSWORD);
  const draws = Number(await page.getAttribute('main', 'data-draw'));
  await page.click('form.login-form button[type="submit"]');
  await ready(page, 'partners');
  await page.waitForTimeout(300);
  assert.equal(Number(await page.getAttribute('main', 'data-draw')), draws + 1, 'the next page is drawn once');
  assert.equal(await text(page, '.user-name'), 'Root');
  assert.deepEqual(await page.locator('nav.main-nav a').allTextContents(),
    ['Situation map', 'Alerts', 'Donations', 'Organisations', 'Partners', 'API tokens', 'Audit log']);
  assert.equal(await page.getAttribute('nav.main-nav a[data-nav="partners"]', 'aria-current'), 'page');

  // A reload keeps the session.
  await page.reload();
  await ready(page, 'partners');
  assert.equal(await text(page, '.user-name'), 'Root');

  await logout(page);
  assert.match(await text(page, 'main .alert-info'), /logged out/);
  // The session is gone on the server too.
  await page.goto('/#/orgs');
  await ready(page, 'login');
  page.assertClean();

  // Root logs in again and lands on the first page of the nav.
  await login(page, 'root');
  assert.equal(await text(page, 'h1'), 'Situation map');
  page.assertClean();
  await page.context().close();
});
