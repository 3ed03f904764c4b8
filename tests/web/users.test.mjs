// Organisation administrators manage their users from the organisation page;
// viewers see no admin actions, and when the interface and the server
// disagree, the server's refusal (403) is what the user sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, launch, openPage, ready, go, login, text, addOrg, addUser, loginAs, cleanupDb, PASSWORD } from './lib.mjs';

let srv;
let browser;
let health;

before(async () => {
  srv = await startWeb();
  health = addOrg(srv.db, { en: 'Ministry of Health of Italy', zh: '意大利卫生部', country: 'IT' });
  addUser(srv.db, health, 'rossi', { name: 'Maria Rossi' });
  addUser(srv.db, health, 'bianchi', { name: 'Luca Bianchi', role: 'viewer' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

const addForm = 'form[data-form="add-user"]';

test('an admin adds a user (the server\'s field errors are shown on the field), and the new user can log in', async () => {
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 400/);
  page.allowError(/status of 409/);
  await login(page, 'rossi');
  await page.click('a.user-link');
  await ready(page, 'profile');
  await go(page, `/orgs/${health}`, 'org');
  assert.equal(await text(page, 'h1'), 'Ministry of Health of Italy');
  assert.equal(await text(page, '.secondary-name'), '意大利卫生部');

  // A password the server refuses: its problem names /password.
  await page.fill(`${addForm} input[name="login"]`, 'ferrari');
  await page.fill(`${addForm} input[name="name"]`, 'Giulia Ferrari');
  await page.selectOption(`${addForm} select[name="role"]`, 'editor');
  await page.fill(`${addForm} input[name="password"]`, 'short');
  await page.click(`${addForm} button[type="submit"]`);
  await page.locator(`${addForm} .form-alert`).waitFor();
  assert.equal(await page.getAttribute(`${addForm} input[name="password"]`, 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'password');
  assert.match(await text(page, `${addForm} [data-field="password"] .field-error`), /10/);

  // A login that is taken: 409 on /login.
  await page.fill(`${addForm} input[name="login"]`, 'rossi');
  await page.fill(`${addForm} input[name="password"]`, PASSWORD);
  await page.click(`${addForm} button[type="submit"]`);
  await page.waitForFunction((f) => document.querySelector(`${f} input[name="login"]`)?.getAttribute('aria-invalid') === 'true', addForm);
  assert.match(await text(page, `${addForm} [data-field="login"] .field-error`), /taken/);
  assert.equal(await page.getAttribute(`${addForm} input[name="password"]`, 'aria-invalid'), null);

  await page.fill(`${addForm} input[name="login"]`, 'ferrari');
  await page.click(`${addForm} button[type="submit"]`);
  await page.locator('tr[data-user="ferrari"]').waitFor();
  assert.equal(await text(page, 'tr[data-user="ferrari"] td:nth-child(3)'), 'Editor');
  assert.match(await text(page, '#toasts'), /ferrari/);
  page.assertClean();

  const other = await openPage(browser, srv.base);
  await login(other, 'ferrari');
  assert.equal(await text(other, '.user-name'), 'Giulia Ferrari');
  // An editor sees neither tokens nor the audit log.
  assert.deepEqual(await other.locator('nav.main-nav a').allTextContents(), ['Situation map', 'Alerts', 'Donations', 'Organisations', 'Partners']);
  other.assertClean();
  await other.context().close();
  await page.context().close();
});

test('an admin disables a user, who can then not log in, and resets a password', async () => {
  const page = await openPage(browser, srv.base);
  await login(page, 'rossi');
  await go(page, `/orgs/${health}`, 'org');
  const row = 'tr[data-user="bianchi"]';
  await page.click(`${row} button[data-act="disable"]`);
  // A modal dialog asks first; Escape would cancel.
  await page.locator('dialog[open]').waitFor();
  assert.match(await text(page, 'dialog[open] h2'), /Disable Luca Bianchi/);
  await page.click('dialog[open] button[value="ok"]');
  await page.locator(`${row} button[data-act="enable"]`).waitFor();
  assert.equal(await text(page, `${row} td:nth-child(5)`), 'Disabled');
  await assert.rejects(loginAs(srv.base, 'bianchi'), /401/);

  await page.click(`${row} button[data-act="enable"]`);
  await page.locator(`${row} button[data-act="disable"]`).waitFor();

  // Reset: the two passwords must match before anything is sent.
  await page.click(`${row} button[data-act="reset"]`);
  await page.locator('dialog[open]').waitFor();
  await page.fill('dialog[open] input[name="password"]', 'a-new-password-2');
  await page.fill('dialog[open] input[name="confirm"]', 'a-different-one');
  await page.click('dialog[open] button[value="ok"]');
  assert.equal(await page.getAttribute('dialog[open] input[name="confirm"]', 'aria-invalid'), 'true');
  await page.fill('dialog[open] input[name="confirm"]', 'a-new-password-2');
  await page.click('dialog[open] button[value="ok"]');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  await page.locator('#toasts .toast', { hasText: 'Password reset' }).waitFor();
  await loginAs(srv.base, 'bianchi', 'a-new-password-2');
  page.assertClean();
  await page.context().close();
});

test('a viewer sees no admin actions, and opening an admin page shows the server\'s 403', async () => {
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 403/);
  await login(page, 'bianchi', 'a-new-password-2');
  assert.deepEqual(await page.locator('nav.main-nav a').allTextContents(), ['Situation map', 'Alerts', 'Donations', 'Organisations', 'Partners']);
  assert.equal(await text(page, '.user-org'), 'Viewer · Ministry of Health of Italy');

  await go(page, `/orgs/${health}`, 'org');
  assert.equal(await page.locator('tr[data-user="rossi"]').count(), 1, 'a member sees the users');
  assert.equal(await page.locator(addForm).count(), 0);
  assert.equal(await page.locator('tr[data-user] button').count(), 0);
  assert.equal(await page.locator('details.disclosure').count(), 0, 'no edit form');

  await go(page, '/orgs/1', 'org');
  assert.equal(await page.locator('button[data-act="propose"]').count(), 0);
  assert.equal(await page.locator('tr[data-user]').count(), 0, 'other organisations\' users are not listed');

  await go(page, '/partners', 'partners');
  assert.equal(await page.locator('form[data-form="propose"]').count(), 0);

  // Typed in the address bar: the page asks, the server refuses, the page says so.
  await go(page, '/tokens', 'tokens');
  assert.match(await text(page, 'main [role="alert"]'), /Not allowed: your role does not allow this action/);
  assert.equal(await page.locator('form[data-form="create-token"]').count(), 0);
  await go(page, '/audit', 'audit');
  assert.match(await text(page, 'main [role="alert"]'), /Not allowed/);
  page.assertClean();
  await page.context().close();
});

test('when the role changed behind the page, a write is refused by the server and its 403 shown on the form', async () => {
  addUser(srv.db, health, 'conti', { name: 'Paolo Conti' });
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 403/);
  await login(page, 'conti');
  await go(page, `/orgs/${health}`, 'org');
  assert.equal(await page.locator(addForm).count(), 1);

  // Another admin makes conti a viewer while the page is open.
  const rossi = await loginAs(srv.base, 'rossi');
  const conti = (await rossi.get(`/api/v1/orgs/${health}/users`)).json.items.find((u) => u.login === 'conti');
  assert.equal((await rossi.patch(`/api/v1/users/${conti.id}`, { role: 'viewer' })).status, 200);

  await page.fill(`${addForm} input[name="login"]`, 'marino');
  await page.fill(`${addForm} input[name="name"]`, 'Sara Marino');
  await page.fill(`${addForm} input[name="password"]`, PASSWORD);
  await page.click(`${addForm} button[type="submit"]`);
  const alert = page.locator(`${addForm} .form-alert`);
  await alert.waitFor();
  assert.match(await alert.textContent(), /^Not allowed: /);
  assert.equal(await page.getAttribute(`${addForm} .form-alert`, 'role'), 'alert');
  const users = (await rossi.get(`/api/v1/orgs/${health}/users`)).json.items.map((u) => u.login);
  assert.ok(!users.includes('marino'));
  page.assertClean();
  await page.context().close();
});

test('a user changes their password on the profile page (the current one is checked) and logs in again', async () => {
  addUser(srv.db, health, 'greco', { name: 'Anna Greco', role: 'editor' });
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 400/);
  await login(page, 'greco');
  await page.click('a.user-link');
  await ready(page, 'profile');
  const form = 'form[data-form="password"]';
  await page.fill(`${form} input[name="current_password"]`, 'not-my-password');
  await page.fill(`${form} input[name="password"]`, 'greco-new-password');
  await page.fill(`${form} input[name="confirm"]`, 'greco-new-password');
  await page.click(`${form} button[type="submit"]`);
  await page.locator(`${form} .form-alert`).waitFor();
  assert.equal(await page.getAttribute(`${form} input[name="current_password"]`, 'aria-invalid'), 'true');
  assert.match(await text(page, `${form} [data-field="current_password"] .field-error`), /current_password is wrong/);

  await page.fill(`${form} input[name="current_password"]`, PASSWORD);
  await page.fill(`${form} input[name="password"]`, 'greco-new-password');
  await page.fill(`${form} input[name="confirm"]`, 'greco-new-password');
  await page.click(`${form} button[type="submit"]`);
  await ready(page, 'login');
  await page.locator('#toasts .toast', { hasText: 'Password changed' }).waitFor();
  await login(page, 'greco', 'greco-new-password');
  page.assertClean();
  await page.context().close();
});

test('when the session ends on the server, the next step leads to the login page with a notice', async () => {
  addUser(srv.db, health, 'russo', { name: 'Marco Russo', role: 'viewer' });
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 401/);
  await login(page, 'russo');
  // An administrator resets russo's password: every session of russo ends.
  const rossi = await loginAs(srv.base, 'rossi');
  const russo = (await rossi.get(`/api/v1/orgs/${health}/users`)).json.items.find((u) => u.login === 'russo');
  assert.equal((await rossi.patch(`/api/v1/users/${russo.id}`, { password: 'another-password-9' })).status, 200);
  await page.click('nav.main-nav a[data-nav="partners"]');
  await ready(page, 'login');
  assert.match(await text(page, 'main .alert-info'), /session has ended/);
  assert.equal(await page.locator('.user-menu').count(), 0);
  // Logging in again returns to where the user was going.
  await page.fill('input[name="login"]', 'russo');
  await page.fill('input[name="password"]', 'another-password-9');
  await page.click('form.login-form button[type="submit"]');
  await ready(page, 'partners');
  page.assertClean();
  await page.context().close();
});
