// The audit page lists the writes made through the dashboard, newest first,
// with what changed, and pages back through older entries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeb, launch, openPage, ready, go, login, text, addOrg, addUser, loginAs, cleanupDb, PASSWORD } from './lib.mjs';

let srv;
let browser;
let italy;

before(async () => {
  srv = await startWeb();
  italy = addOrg(srv.db, { en: 'Ministry of Health of Italy', country: 'IT' });
  addOrg(srv.db, { kind: 'red_cross_society', en: 'Red Cross Society of China', country: 'CN' });
  addUser(srv.db, italy, 'rossi', { name: 'Maria Rossi' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

test('writes made in the dashboard appear in the audit log with what changed', async () => {
  const page = await openPage(browser, srv.base);
  await login(page, 'rossi');

  // 1. edit the organisation
  await go(page, `/orgs/${italy}`, 'org');
  await page.click('details.disclosure summary');
  await page.fill('form[data-form="edit-org"] input[name="name_zh"]', '意大利卫生部');
  await page.click('form[data-form="edit-org"] button[type="submit"]');
  await page.locator('.secondary-name', { hasText: '意大利卫生部' }).waitFor();
  // 2. add a user
  const add = 'form[data-form="add-user"]';
  await page.fill(`${add} input[name="login"]`, 'ferrari');
  await page.fill(`${add} input[name="name"]`, 'Giulia Ferrari');
  await page.fill(`${add} input[name="password"]`, PASSWORD);
  await page.click(`${add} button[type="submit"]`);
  await page.locator('tr[data-user="ferrari"]').waitFor();
  // 3. propose a partnership
  await go(page, '/partners', 'partners');
  await page.selectOption('form[data-form="propose"] select[name="partner_id"]', { label: 'Red Cross Society of China — China' });
  await page.click('form[data-form="propose"] button[type="submit"]');
  await page.locator('tr[data-status="proposed"]').waitFor();
  // 4. create a token
  await go(page, '/tokens', 'tokens');
  await page.fill('form[data-form="create-token"] input[name="name"]', 'sync');
  await page.click('form[data-form="create-token"] button[type="submit"]');
  await page.locator('[data-secret]').waitFor();

  await page.click('nav.main-nav a[data-nav="audit"]');
  await ready(page, 'audit');
  const rows = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    action: tr.dataset.action, entity: tr.dataset.entity, who: tr.children[2].textContent, changes: tr.children[5].textContent,
  })));
  // Newest first, only this organisation's actions (the CLI's are the operator's).
  assert.deepEqual(rows.map((r) => `${r.action} ${r.entity}`),
    ['create api_token', 'create partnership', 'create user', 'update org']);
  for (const r of rows) assert.equal(r.who, 'rossi');
  assert.match(rows[3].changes, /name_zh: — → 意大利卫生部/);
  assert.match(rows[2].changes, /login=ferrari/);
  assert.doesNotMatch(rows[2].changes, /password|pw_hash/);
  assert.equal(await text(page, 'tbody tr:last-child td:nth-child(4)'), 'Updated');
  assert.equal(await text(page, 'tbody tr:last-child td:nth-child(5)'), `Organisation #${italy}`);
  page.assertClean();
  await page.context().close();
});

test('the operator pages through a long log', async () => {
  const root = await loginAs(srv.base, 'root');
  for (let i = 0; i < 30; i++) {
    assert.equal((await root.post('/api/v1/orgs', { kind: 'ngo', name_en: `NGO ${i}`, country: 'FR' })).status, 201);
  }
  const total = (await root.get('/api/v1/audit?limit=1000')).json.items.length;
  const page = await openPage(browser, srv.base);
  await login(page, 'root');
  await go(page, '/audit', 'audit');
  const seqs = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.seq)));
  assert.equal(seqs.length, 25);
  assert.equal(seqs[0], total);
  await page.click('.pager [data-act="next"]');
  await ready(page, 'audit');
  const next = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.seq)));
  assert.equal(next[0], seqs[24] - 1);
  page.assertClean();
  await page.context().close();
});
