// API tokens: created from the page, the secret shown once (with a warning
// and a copy button) and working against the API; listed by prefix; revoked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, launch, openPage, ready, go, login, text, tokenClient, cleanupDb } from './lib.mjs';

let srv;
let browser;

before(async () => {
  srv = await startWeb();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

test('a token is shown once, works, and stops working when revoked', async () => {
  const page = await openPage(browser, srv.base);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  page.allowError(/status of 400/);
  await login(page, 'root');
  await page.click('nav.main-nav a[data-nav="tokens"]');
  await ready(page, 'tokens');
  assert.equal(await text(page, 'p.empty'), 'No tokens yet.');

  const form = 'form[data-form="create-token"]';
  // No name: the server's problem lands on the name field.
  await page.click(`${form} button[type="submit"]`);
  await page.locator(`${form} .form-alert`).waitFor();
  assert.equal(await page.getAttribute(`${form} input[name="name"]`, 'aria-invalid'), 'true');

  await page.fill(`${form} input[name="name"]`, 'nightly import');
  await page.selectOption(`${form} select[name="role"]`, 'editor');
  await page.click(`${form} button[type="submit"]`);
  await ready(page, 'tokens');
  const secret = (await text(page, '[data-secret] output.secret'));
  assert.ok(secret.length >= 32, `token ${secret}`);
  assert.match(await text(page, '[data-secret] .alert-warn'), /only time the token is shown/);

  // The copy button puts it on the clipboard.
  await page.click('[data-secret] button[data-act="copy"]');
  await page.locator('[data-secret] .copy-status', { hasText: 'Copied.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

  // It is a working token with the chosen role.
  const machine = tokenClient(srv.base, secret);
  assert.equal((await machine.get('/api/v1/orgs')).status, 200);

  // Listed by name and prefix only.
  const row = 'tr[data-token="nightly import"]';
  assert.equal(await text(page, `${row} td:nth-child(2)`), 'Editor');
  const prefix = (await text(page, `${row} td:nth-child(3)`)).replace('…', '');
  assert.ok(secret.startsWith(prefix), `${prefix} is the start of the token`);

  // Shown once: gone after a reload, and nowhere in the page.
  await page.reload();
  await ready(page, 'tokens');
  assert.equal(await page.locator('[data-secret]').count(), 0);
  assert.ok(!(await page.content()).includes(secret));

  await page.click(`${row} button[data-act="revoke"]`);
  await page.locator('dialog[open]').waitFor();
  await page.click('dialog[open] button[value="ok"]');
  await page.locator(`${row} td:nth-child(6)`, { hasText: 'Revoked' }).waitFor();
  assert.equal(await page.locator(`${row} button[data-act="revoke"]`).count(), 0);
  assert.equal((await machine.get('/api/v1/orgs')).status, 401);
  page.assertClean();
  await page.context().close();
});

test('cancelling the revoke dialog (Escape) keeps the token', async () => {
  const page = await openPage(browser, srv.base);
  await login(page, 'root');
  await go(page, '/tokens', 'tokens');
  const form = 'form[data-form="create-token"]';
  await page.fill(`${form} input[name="name"]`, 'keep me');
  await page.click(`${form} button[type="submit"]`);
  await page.locator('[data-secret]').waitFor();
  const row = 'tr[data-token="keep me"]';
  await page.click(`${row} button[data-act="revoke"]`);
  await page.locator('dialog[open]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('dialog').waitFor({ state: 'detached' });
  assert.equal(await text(page, `${row} td:nth-child(6)`), 'Active');
  // Focus returns to the page (the button that opened the dialog).
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.act), 'revoke');
  page.assertClean();
  await page.context().close();
});
