// The donation pages (C4) in the browser: a recipient posts a need, a donor
// pledges against it and ships two batches through dispatched, in transit
// and arrived, the recipient counts one with a discrepancy; the pledge page
// offers only the legal next statuses and shows the server's refusal of a
// move that is no longer legal; the reconciliation flags the gap; the board
// groups by status and recipient; item names follow the language; an
// anonymous visitor sees only public pledges.  Screenshots of every page in
// both languages go to /tmp/shots (EB_SHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startWeb, launch, openPage, ready, go, login, logout, text, shot, addOrg, addUser, loginAs, cleanupDb, ROOT,
} from './lib.mjs';

let srv;
let browser;
let red;       // donor: Red Cross Society of China
let daegu;     // recipient: Daegu Metropolitan City
let japan;     // another recipient
let donorApi;  // the donor's API client (for the pledges made outside the dashboard)
const ids = {};

const dict = (l) => JSON.parse(readFileSync(join(ROOT, 'web', 'i18n', `${l}.json`), 'utf8'));
const flat = (o, p = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v, `${p}${k}.`) : [[`${p}${k}`, v]]));
const zhValues = flat(dict('zh')).map(([, v]) => v);
const english = flat(dict('en'))
  .map(([, v]) => v.replace(/\{\w+\}/g, '').trim())
  .filter((v) => v.length >= 4 && !zhValues.some((z) => z.includes(v)));

before(async () => {
  srv = await startWeb();
  red = addOrg(srv.db, { kind: 'red_cross_society', en: 'Red Cross Society of China', zh: '中国红十字会', country: 'CN' });
  daegu = addOrg(srv.db, { kind: 'local_government', en: 'Daegu Metropolitan City', zh: '大邱广域市', country: 'KR' });
  japan = addOrg(srv.db, { en: 'Ministry of Health of Japan', zh: '日本厚生劳动省', country: 'JP' });
  addUser(srv.db, red, 'liwei', { role: 'editor', name: 'Li Wei' });
  addUser(srv.db, daegu, 'kim', { role: 'editor', name: 'Kim Min-jun' });
  addUser(srv.db, daegu, 'park', { role: 'viewer', name: 'Park Ji-woo' });
  donorApi = await loginAs(srv.base, 'liwei');
  // Two pledges made elsewhere: a public, committed one to Japan with a
  // batch lost on the way, and a private one to Daegu.
  const jp = await donorApi.post('/api/v1/donations/pledges', {
    title: 'Test kits and suits for Tokyo', donor_type: 'red_cross_society', recipient_org: japan, country: 'JP', city: 'Tokyo',
    visibility: 'public', status: 'committed', pledged_on: '2020-02-10',
    lines: [{ item: 'nucleic_acid_test_kit', quantity: 1000 }, { item: 'protective_suit', quantity: 5000 }],
  });
  assert.equal(jp.status, 201, jp.text);
  ids.japan = jp.json.id;
  const lost = await donorApi.post(`/api/v1/donations/pledges/${ids.japan}/shipments`, { lines: [{ line: 2, quantity: 2000 }] });
  await donorApi.post(`/api/v1/donations/shipments/${lost.json.id}/transitions`, { to: 'dispatched', on: '2020-02-20' });
  await donorApi.post(`/api/v1/donations/shipments/${lost.json.id}/transitions`, { to: 'lost', on: '2020-02-22' });
  const kits = await donorApi.post(`/api/v1/donations/pledges/${ids.japan}/shipments`, { lines: [{ line: 1, quantity: 1000 }], eta: '2020-02-25' });
  await donorApi.post(`/api/v1/donations/shipments/${kits.json.id}/transitions`, { to: 'cancelled' });
  const priv = await donorApi.post('/api/v1/donations/pledges', {
    donor_type: 'red_cross_society', recipient_org: daegu, country: 'KR', visibility: 'private', pledged_on: '2020-02-21',
    lines: [{ item: 'goggles', quantity: 800 }],
  });
  assert.equal(priv.status, 201, priv.text);
  ids.private = priv.json.id;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

async function inZh(page, id) {
  await page.click('.lang-switch button[data-lang="zh"]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  await ready(page, id);
}

async function inEn(page, id) {
  await page.click('.lang-switch button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await ready(page, id);
}

// The interface text of the page, leaving out data (names, places, notes).
async function interfaceText(page) {
  return page.evaluate(() => {
    const root = document.getElementById('app').cloneNode(true);
    root.querySelectorAll('.name-pair, .secondary-name, .user-name, .user-org, code, .note, .place, .batch-facts dd, option, input, textarea, .skip-link, h1, h3 a, #toasts')
      .forEach((n) => n.remove());
    return root.innerText;
  });
}

async function noEnglishLeft(page, name) {
  const shown = await interfaceText(page);
  const leaks = english.filter((s) => shown.includes(s));
  assert.deepEqual(leaks, [], `English left on the Chinese ${name} page`);
}

const options = (page, sel) => page.$$eval(`${sel} option`, (os) => os.map((o) => o.value));

// Records a move of a batch in the dashboard and waits for the page to show it.
async function move(page, batch, to, on) {
  const form = `form[data-form="move"][data-batch="${batch}"]`;
  await page.selectOption(`${form} select[name="to"]`, to);
  await page.fill(`${form} input[name="on"]`, on);
  await page.click(`${form} button[data-act="move"]`);
  await page.waitForSelector(`main[aria-busy="false"] article.batch[data-batch="${batch}"][data-status="${to}"]`);
}

test('the recipient posts a need; the server\'s field error shows on the field', async () => {
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 400/);
  await login(page, 'kim');
  await page.click('nav.main-nav a[data-nav="donations"]');
  await ready(page, 'donations');
  await page.click('nav.subnav a[data-tab="needs"]');
  await ready(page, 'needs');
  assert.equal(await page.locator('article.need-card').count(), 0);
  await page.click('details[data-disclosure="new-need"] summary');
  const f = 'form[data-form="new-need"]';
  await page.selectOption(`${f} select[name="item"]`, 'medical_mask');
  await page.fill(`${f} input[name="quantity"]`, '30000');
  await page.selectOption(`${f} select[name="priority"]`, 'high');
  await page.fill(`${f} input[name="needed_by"]`, '2099-03-01');
  assert.equal(await page.inputValue(`${f} input[name="country"]`), 'KR', 'the organisation\'s country by default');
  await page.fill(`${f} input[name="subdivision"]`, 'JP-13');
  await page.fill(`${f} input[name="city"]`, 'Daegu');
  await page.selectOption(`${f} select[name="visibility"]`, 'public');
  await page.click(`${f} button[data-act="post-need"]`);
  // The server names the field; the dashboard marks it.
  await page.waitForSelector(`${f} input[name="subdivision"][aria-invalid="true"]`);
  assert.match(await text(page, `${f} [data-field="subdivision"] .field-error`), /ISO 3166-2 code of country KR/);
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'subdivision');
  await page.fill(`${f} input[name="subdivision"]`, 'KR-27');
  await page.click(`${f} button[data-act="post-need"]`);
  await page.waitForSelector('main[aria-busy="false"] article.need-card');
  const card = page.locator('article.need-card').first();
  ids.need = Number(await card.getAttribute('data-need'));
  assert.equal(await card.getAttribute('data-priority'), 'high');
  assert.match(await card.locator('.need-qty').textContent(), /30,000 pieces/);
  assert.equal(await card.locator('.need-coverage').getAttribute('data-uncovered'), '30000');
  // Its own need: no pledge from the recipient, but it may close it.
  assert.equal(await card.locator('[data-act="pledge-need"]').count(), 0);
  assert.equal(await card.locator('[data-act="close-need"]').count(), 1);
  await shot(page, 'needs-recipient-en');
  await inZh(page, 'needs');
  assert.equal(await text(page, 'h1'), '需求');
  assert.equal(await card.locator('.item-name').textContent(), '医用口罩');
  await noEnglishLeft(page, 'needs');
  await shot(page, 'needs-recipient-zh');
  await inEn(page, 'needs');
  page.assertClean();
  await page.context().close();
});

test('the donor pledges against the need, plans two batches and moves them along the legal statuses only', async () => {
  assert.ok(ids.need, 'the need of the previous test');
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 409/);
  await login(page, 'liwei');
  await go(page, '/needs', 'needs');
  await page.click(`article[data-need="${ids.need}"] a[data-act="pledge-need"]`);
  await ready(page, 'pledge-new');
  assert.match(await text(page, '.need-answered'), /Daegu Metropolitan City: 30,000 pieces of Medical mask, 30,000 pieces not yet covered/);
  const f = 'form[data-form="new-pledge"]';
  // The need fills in the place, the item and what is not covered.
  assert.equal(await page.inputValue(`${f} input[name="country"]`), 'KR');
  assert.equal(await page.inputValue(`${f} input[name="subdivision"]`), 'KR-27');
  assert.equal(await page.inputValue(`${f} input[name="city"]`), 'Daegu');
  assert.equal(await page.inputValue(`${f} select[name="lines.0.item"]`), 'medical_mask');
  assert.equal(await page.inputValue(`${f} input[name="lines.0.quantity"]`), '30000');
  assert.equal(await page.inputValue(`${f} select[name="donor_type"]`), 'red_cross_society');
  await page.fill(`${f} input[name="title"]`, 'Masks for Daegu');
  await page.fill(`${f} input[name="lines.0.quantity"]`, '25000');
  await page.fill(`${f} input[name="lines.0.value"]`, '50000');
  await page.fill(`${f} input[name="lines.0.currency"]`, 'cny');
  await page.click(`${f} button[data-act="add-line"]`);
  await page.selectOption(`${f} select[name="lines.1.item"]`, 'protective_suit');
  await page.fill(`${f} input[name="lines.1.quantity"]`, '500');
  await page.fill(`${f} input[name="pledged_on"]`, '2020-02-20');
  await page.selectOption(`${f} select[name="visibility"]`, 'public');
  await shot(page, 'pledge-new-en');
  await inZh(page, 'pledge-new');
  await noEnglishLeft(page, 'new pledge');
  await shot(page, 'pledge-new-zh');
  await inEn(page, 'pledge-new');
  // (the language switch drew the form anew: fill it again)
  await page.fill(`${f} input[name="title"]`, 'Masks for Daegu');
  await page.fill(`${f} input[name="lines.0.quantity"]`, '25000');
  await page.fill(`${f} input[name="lines.0.value"]`, '50000');
  await page.fill(`${f} input[name="lines.0.currency"]`, 'cny');
  await page.click(`${f} button[data-act="add-line"]`);
  await page.selectOption(`${f} select[name="lines.1.item"]`, 'protective_suit');
  await page.fill(`${f} input[name="lines.1.quantity"]`, '500');
  await page.fill(`${f} input[name="pledged_on"]`, '2020-02-20');
  await page.selectOption(`${f} select[name="visibility"]`, 'public');
  await page.click(`${f} button[data-act="create-pledge"]`);
  await ready(page, 'pledge');
  ids.pledge = Number(/#\/pledges\/(\d+)/.exec(page.url())[1]);
  assert.equal(await text(page, 'h1'), 'Masks for Daegu');
  assert.match(await text(page, 'dd[data-fact="need"]'), new RegExp(`Need ${ids.need}: 30,000 pieces of Medical mask`));
  assert.equal(await text(page, 'tr[data-line="1"] .item-name'), 'Medical mask');
  assert.equal(await text(page, 'tr[data-line="1"] [data-qty]'), '25,000 pieces');
  assert.match(await text(page, 'tr[data-line="1"] td:nth-child(4)'), /CN¥50,000\.00/);

  // Batch 1: 10,000 masks.
  await page.click('details[data-disclosure="add-batch"] summary');
  let b = 'form[data-form="add-batch"]';
  assert.equal(await page.inputValue(`${b} input[name="lines.0.quantity"]`), '25000', 'what is left to ship');
  await page.fill(`${b} input[name="lines.0.quantity"]`, '10000');
  await page.fill(`${b} input[name="lines.1.quantity"]`, '0');
  await page.fill(`${b} input[name="carrier"]`, 'Air China');
  await page.fill(`${b} input[name="eta"]`, '2020-02-27');
  await page.click(`${b} button[data-act="add-batch"]`);
  await page.waitForSelector('main[aria-busy="false"] article.batch[data-batch="1"][data-status="planned"]');
  // Batch 2: the rest, proposed by the form.
  await page.click('details[data-disclosure="add-batch"] summary');
  assert.equal(await page.inputValue(`${b} input[name="lines.0.quantity"]`), '15000');
  assert.equal(await page.inputValue(`${b} input[name="lines.1.quantity"]`), '500');
  await page.fill(`${b} input[name="carrier"]`, 'China Eastern');
  await page.fill(`${b} input[name="eta"]`, '2020-03-02');
  await page.click(`${b} button[data-act="add-batch"]`);
  await page.waitForSelector('main[aria-busy="false"] article.batch[data-batch="2"][data-status="planned"]');

  // Only the legal next statuses are offered, at every step.
  const to = (n) => options(page, `form[data-form="move"][data-batch="${n}"] select[name="to"]`);
  assert.deepEqual(await to(1), ['dispatched', 'cancelled']);
  await move(page, 1, 'dispatched', '2020-02-24');
  assert.deepEqual(await to(1), ['in_transit', 'arrived', 'lost']);
  await move(page, 1, 'in_transit', '2020-02-25');
  assert.deepEqual(await to(1), ['arrived', 'lost']);
  await move(page, 1, 'arrived', '2020-02-27');
  // Arrived: the receipt is the recipient's, so the donor has no move left.
  assert.equal(await page.locator('form[data-form="move"][data-batch="1"]').count(), 0);
  await move(page, 2, 'dispatched', '2020-02-26');
  await move(page, 2, 'in_transit', '2020-02-27');
  await move(page, 2, 'arrived', '2020-02-29');
  for (const n of [1, 2]) {
    const steps = await page.$$eval(`article.batch[data-batch="${n}"] .stepper li`, (ls) => ls.map((l) => `${l.dataset.step}:${l.dataset.state}`));
    assert.deepEqual(steps, ['planned:done', 'dispatched:done', 'in_transit:done', 'arrived:current', 'received:todo']);
  }
  // The timeline places the dates.
  assert.deepEqual(await page.$$eval('.timeline .tl-row[data-batch="1"] .tl-mark', (ms) => ms.map((m) => `${m.dataset.mark}:${m.dataset.day}`)),
    ['dispatched:2020-02-24', 'arrived:2020-02-27']);
  assert.equal(await page.getAttribute('.timeline', 'data-from'), '2020-02-20');
  assert.equal(await page.getAttribute('.timeline', 'data-to'), '2020-02-29');

  // An amendment below what is on batches is refused on the line's field.
  await page.click('details[data-disclosure="amend"] summary');
  const a = 'form[data-form="amend"]';
  await page.fill(`${a} input[name="lines.0.quantity"]`, '20000');
  await page.fill(`${a} textarea[name="reason"]`, 'Fewer masks');
  await page.click(`${a} button[data-act="amend"]`);
  await page.waitForSelector(`${a} input[name="lines.0.quantity"][aria-invalid="true"]`);
  assert.match(await text(page, `${a} .form-alert`), /Conflict: line 1 cannot go below 25000/);
  await page.fill(`${a} input[name="lines.0.quantity"]`, '25000');
  await page.fill(`${a} input[name="lines.1.quantity"]`, '600');
  await page.fill(`${a} textarea[name="reason"]`, 'A second warehouse found 100 more suits');
  await page.click(`${a} button[data-act="amend"]`);
  await page.waitForSelector('main[aria-busy="false"] tr[data-amendment="1"]');
  assert.match(await text(page, 'tr[data-amendment="1"]'), /A second warehouse found 100 more suits.*Protective suit: 500 → 600 sets/s);
  assert.equal(await text(page, 'tr[data-line="2"] [data-qty]'), '600 sets');
  page.assertClean();
  await page.context().close();
});

test('the recipient marks nothing it may not, and records the receipt of a batch with a discrepancy', async () => {
  assert.ok(ids.pledge);
  const page = await openPage(browser, srv.base);
  await login(page, 'kim');
  await go(page, `/pledges/${ids.pledge}`, 'pledge');
  // No donor's actions for the recipient.
  for (const sel of ['[data-act="commit"]', '[data-act="cancel-pledge"]', 'form[data-form="add-batch"]', 'form[data-form="amend"]', 'form[data-form="move"]']) {
    assert.equal(await page.locator(sel).count(), 0, sel);
  }
  assert.equal(await page.locator('form[data-form="receipt"]').count(), 2, 'both batches arrived');
  const r = 'form[data-form="receipt"][data-batch="1"]';
  assert.equal(await page.inputValue(`${r} input[name="lines.0.received"]`), '10000');
  await page.fill(`${r} input[name="received_on"]`, '2020-02-28');
  await page.fill(`${r} input[name="received_by"]`, 'Daegu medical supplies depot');
  await page.fill(`${r} input[name="lines.0.received"]`, '9800');
  await page.selectOption(`${r} select[name="lines.0.discrepancy"]`, 'damaged');
  await page.fill(`${r} input[name="lines.0.note"]`, '200 masks soaked by rain');
  await shot(page, 'pledge-recipient-en');
  await page.click(`${r} button[data-act="receive"]`);
  await page.waitForSelector('main[aria-busy="false"] article.batch[data-batch="1"][data-status="received"]');
  const row = 'article.batch[data-batch="1"] tr[data-line="1"]';
  assert.equal(await page.getAttribute(row, 'class'), 'row-gap');
  assert.equal(await text(page, `${row} [data-received]`), '9,800');
  assert.equal(await text(page, `${row} .diff-short`), '−200');
  assert.match(await text(page, `${row} [data-discrepancy="damaged"]`), /Damaged/);
  assert.match(await text(page, 'article.batch[data-batch="1"] .batch-head'), /Discrepancy/);
  // The pledge's lines: received against pledged, the gap named.
  assert.match(await text(page, 'tr[data-line="1"] [data-measure="received"]'), /9,800 pieces/);
  assert.match(await text(page, 'tr[data-line="1"]'), /Received short.*Discrepancy/s);
  assert.equal(await page.locator('form[data-form="receipt"]').count(), 1, 'batch 2 still to count');

  // Item names, statuses and labels follow the language.
  await inZh(page, 'pledge');
  assert.equal(await text(page, 'tr[data-line="1"] .item-name'), '医用口罩');
  assert.equal(await text(page, 'section[data-section="batches"] h2'), '批次');
  assert.equal(await text(page, 'article.batch[data-batch="1"] .batch-head [data-status]'), '已接收');
  assert.equal(await text(page, 'tr[data-line="1"] [data-qty]'), '25,000 件');
  assert.match(await text(page, 'tr[data-line="1"]'), /接收短缺/);
  await noEnglishLeft(page, 'pledge');
  await shot(page, 'pledge-recipient-zh');
  await inEn(page, 'pledge');
  assert.equal(await text(page, 'tr[data-line="1"] .item-name'), 'Medical mask');
  page.assertClean();
  await page.context().close();
});

test('a move no longer legal is refused by the server, whose detail shows on the field; an illegal one is never offered', async () => {
  assert.ok(ids.pledge);
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 409/);
  await login(page, 'liwei');
  await go(page, `/pledges/${ids.pledge}`, 'pledge');
  // Batch 3: the last 100 suits.
  await page.click('details[data-disclosure="add-batch"] summary');
  const b = 'form[data-form="add-batch"]';
  assert.equal(await page.inputValue(`${b} input[name="lines.0.quantity"]`), '0');
  assert.equal(await page.inputValue(`${b} input[name="lines.1.quantity"]`), '100');
  await page.click(`${b} button[data-act="add-batch"]`);
  await page.waitForSelector('main[aria-busy="false"] article.batch[data-batch="3"][data-status="planned"]');
  const sel = 'form[data-form="move"][data-batch="3"] select[name="to"]';
  const offered = await options(page, sel);
  assert.deepEqual(offered, ['dispatched', 'cancelled']);
  for (const illegal of ['in_transit', 'arrived', 'received', 'lost', 'planned']) assert.ok(!offered.includes(illegal), illegal);
  await shot(page, 'pledge-donor-en');

  // Meanwhile, through the API, the batch is dispatched; the same move
  // asked for directly is refused with the legal ones named.
  const ships = (await donorApi.get(`/api/v1/donations/pledges/${ids.pledge}/shipments`)).json.items;
  const s3 = ships.find((s) => s.batch_no === 3);
  assert.equal((await donorApi.post(`/api/v1/donations/shipments/${s3.id}/transitions`, { to: 'dispatched', on: '2020-03-01' })).status, 200);
  const forced = await donorApi.post(`/api/v1/donations/shipments/${s3.id}/transitions`, { to: 'dispatched' });
  assert.equal(forced.status, 409);
  assert.equal(forced.json.field, '/to');

  // The page still offers "dispatched": the server says no, on the field.
  await page.selectOption(sel, 'dispatched');
  await page.click('form[data-form="move"][data-batch="3"] button[data-act="move"]');
  await page.waitForSelector(`${sel}[aria-invalid="true"]`);
  const err = await text(page, 'form[data-form="move"][data-batch="3"] [data-field="to"] .field-error');
  assert.equal(err, forced.json.detail);
  assert.match(err, /a batch that is dispatched cannot become dispatched; it can become: in_transit, arrived, lost/);
  assert.match(await text(page, 'form[data-form="move"][data-batch="3"] .form-alert'), /^Conflict: /);
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'to');
  await shot(page, 'pledge-refused-en');
  // Reloaded, the page offers what is legal now.
  await page.reload();
  await ready(page, 'pledge');
  assert.deepEqual(await options(page, sel), ['in_transit', 'arrived', 'lost']);
  // Everything pledged is on batches: no batch to plan, an amendment first.
  assert.equal(await page.locator('details[data-disclosure="add-batch"]').count(), 0);
  assert.match(await text(page, '[data-note="all-on-batches"]'), /amend the pledge to ship more/);
  await page.click('details[data-disclosure="amend"] summary');
  await shot(page, 'pledge-donor-forms-en');
  await inZh(page, 'pledge');
  await page.click('details[data-disclosure="amend"] summary');
  await noEnglishLeft(page, 'pledge (donor)');
  await shot(page, 'pledge-donor-zh');
  await inEn(page, 'pledge');
  page.assertClean();
  await page.context().close();
});

test('the reconciliation table shows the gap in words, per pledge, recipient and item', async () => {
  assert.ok(ids.pledge);
  const page = await openPage(browser, srv.base);
  await login(page, 'kim');
  await go(page, '/reconciliation', 'reconciliation');
  const row = `tr[data-group="${ids.pledge}"][data-item="medical_mask"]`;
  assert.equal(await page.getAttribute(row, 'data-flags'), 'short_received discrepancy');
  assert.match(await page.getAttribute(row, 'class'), /row-gap/);
  assert.equal(await page.getAttribute(row, 'data-outstanding'), '15200');
  assert.match(await text(page, `${row} .col-gaps`), /Received short.*Discrepancy/s);
  assert.equal(await text(page, `${row} [data-measure="shipped"]`), '25,000');
  assert.equal(await text(page, `${row} [data-measure="received"]`), '9,800');
  assert.equal(await text(page, `${row} [data-measure="outstanding"]`), '15,200');
  // The suits: 600 pledged, 500 shipped, nothing counted yet, no gap.
  const suits = `tr[data-group="${ids.pledge}"][data-item="protective_suit"]`;
  assert.equal(await page.getAttribute(suits, 'data-flags'), '');
  assert.match(await text(page, `${suits} .col-gaps`), /No gap/);
  // The recipient sees its private pledge too.
  assert.equal(await page.locator(`tr[data-group="${ids.private}"]`).count(), 1);
  assert.match(await text(page, '.recon-summary'), /row\(s\) with a gap/);
  await shot(page, 'reconciliation-en');

  // Per recipient, and only the rows with a gap.
  await page.selectOption('form[data-form="recon-filters"] select[name="by"]', 'recipient');
  await ready(page, 'reconciliation');
  assert.match(page.url(), /by=recipient/);
  assert.equal(await page.getAttribute(`tr[data-group="${daegu}"][data-item="medical_mask"]`, 'data-flags'), 'short_received discrepancy');
  await page.check('form[data-form="recon-filters"] input[name="gaps"]');
  await ready(page, 'reconciliation');
  assert.deepEqual(await page.$$eval('table.recon-table tbody tr', (rs) => rs.map((r) => `${r.dataset.group}:${r.dataset.item}`)),
    [`${daegu}:medical_mask`, `${japan}:protective_suit`]);
  await go(page, '/reconciliation?by=item', 'reconciliation');
  assert.equal(await page.getAttribute('tr[data-item="protective_suit"]', 'data-flags'), 'lost');
  assert.match(await text(page, 'tr[data-item="protective_suit"] .col-gaps'), /Lost in transit/);
  await go(page, '/reconciliation', 'reconciliation');
  await inZh(page, 'reconciliation');
  assert.match(await text(page, `${row} .col-gaps`), /接收短缺.*有差异/s);
  await noEnglishLeft(page, 'reconciliation');
  await shot(page, 'reconciliation-zh');
  await inEn(page, 'reconciliation');
  page.assertClean();
  await page.context().close();
});

test('the board groups the pledges by status and by recipient, with totals per item', async () => {
  assert.ok(ids.pledge);
  const page = await openPage(browser, srv.base);
  await login(page, 'liwei');
  await go(page, '/donations', 'donations');
  const inGroup = (g) => page.$$eval(`section.board-group[data-group="${g}"] article.pledge-card`, (as) => as.map((a) => Number(a.dataset.pledge)));
  assert.deepEqual(await page.$$eval('section.board-group', (ss) => ss.map((s) => s.dataset.group)), ['pledged', 'committed']);
  assert.deepEqual(await inGroup('pledged'), [ids.private, ids.pledge].sort((x, y) => y - x));
  assert.deepEqual(await inGroup('committed'), [ids.japan]);
  const card = `article.pledge-card[data-pledge="${ids.pledge}"]`;
  assert.equal(await page.getAttribute(card, 'data-stage'), 'partial');
  assert.match(await text(page, `${card} [data-role="recipient"]`), /Daegu Metropolitan City/);
  assert.match(await text(page, `${card} .place`), /Daegu, South Korea/);
  assert.equal(await page.getAttribute(`${card} .pledge-line[data-item="medical_mask"] [data-measure="received"]`, 'data-value'), '9800');
  assert.equal(await page.getAttribute(`${card} .pledge-line[data-item="medical_mask"] [data-measure="shipped"]`, 'data-value'), '25000');
  assert.match(await text(page, `${card} .pledge-flags`), /Received short/);
  // Totals per item of everything shown.
  assert.match(await text(page, '[data-totals="all"] tr[data-item="protective_suit"]'), /5,600 sets/);
  await shot(page, 'board-status-en');

  await page.selectOption('form[data-form="board-filters"] select[name="group"]', 'recipient');
  await ready(page, 'donations');
  assert.match(page.url(), /group=recipient/);
  assert.deepEqual(await page.$$eval('section.board-group h2', (hs) => hs.map((x) => x.firstChild.textContent)),
    ['Daegu Metropolitan City', 'Ministry of Health of Japan']);
  assert.deepEqual(await inGroup(String(daegu)), [ids.private, ids.pledge].sort((x, y) => y - x));
  assert.match(await text(page, `section.board-group[data-group="${daegu}"] .group-totals li[data-item="medical_mask"]`),
    /25,000 pieces pledged, 25,000 shipped, 9,800 received/);
  await shot(page, 'board-recipient-en');
  // Filters: one status, one recipient.
  await page.selectOption('form[data-form="board-filters"] select[name="status"]', 'committed');
  await ready(page, 'donations');
  assert.deepEqual(await page.$$eval('article.pledge-card', (as) => as.map((a) => Number(a.dataset.pledge))), [ids.japan]);
  await page.click('form[data-form="board-filters"] [data-act="clear"]');
  await ready(page, 'donations');
  assert.equal(await page.locator('article.pledge-card').count(), 3);

  // In Chinese: group names, statuses and item names.
  await inZh(page, 'donations');
  assert.deepEqual(await page.$$eval('section.board-group h2', (hs) => hs.map((x) => x.firstChild.textContent)),
    ['大邱广域市', '日本厚生劳动省']);
  assert.equal(await text(page, `${card} .pledge-line[data-item="medical_mask"] .item-name`), '医用口罩');
  assert.equal(await text(page, 'nav.main-nav a[data-nav="donations"]'), '捐赠');
  await noEnglishLeft(page, 'board');
  await shot(page, 'board-recipient-zh');
  await page.selectOption('form[data-form="board-filters"] select[name="group"]', 'status');
  await ready(page, 'donations');
  assert.deepEqual(await page.$$eval('section.board-group h2', (hs) => hs.map((x) => x.firstChild.textContent)), ['已认捐', '已确认']);
  await shot(page, 'board-status-zh');
  await inEn(page, 'donations');
  page.assertClean();
  await page.context().close();
});

test('an anonymous visitor sees only the public pledges and needs, and no action', async () => {
  assert.ok(ids.pledge);
  const page = await openPage(browser, srv.base);
  page.allowError(/status of 404/);
  await page.goto('/');
  await ready(page, 'map');
  const nav = await page.locator('nav.main-nav a').allTextContents();
  assert.equal(nav[0], 'Situation map');
  assert.ok(nav.includes('Donations'), 'the donation board is public');
  await page.click('nav.main-nav a[data-nav="donations"]');
  await ready(page, 'donations');
  assert.equal(await page.locator('[data-note="public"]').count(), 1);
  assert.deepEqual((await page.$$eval('article.pledge-card', (as) => as.map((a) => Number(a.dataset.pledge)))).sort(),
    [ids.japan, ids.pledge].sort());
  assert.equal(await page.locator(`article.pledge-card[data-pledge="${ids.private}"]`).count(), 0);
  assert.equal(await page.locator('[data-act="new-pledge"]').count(), 0);
  // The open data: the same public pledges as IATI, HXL and FTS.
  assert.deepEqual(await page.$$eval('[data-section="open-data"] a', (as) => as.map((a) => a.getAttribute('href'))),
    ['iati', 'hxl', 'fts'].map((f) => `/api/v1/exports/donations?format=${f}`));
  const hxl = await page.request.get('/api/v1/exports/donations?format=hxl');
  assert.equal(hxl.status(), 200);
  const csv = await hxl.text();
  assert.match(csv, new RegExp(`^pledge-${ids.pledge},pledged,.*,medical_mask,Medical mask,piece,25000,25000,9800,15200,`, 'm'));
  assert.doesNotMatch(csv, new RegExp(`^pledge-${ids.private},`, 'm'), 'not the private pledge');
  await shot(page, 'board-anonymous-en');
  await page.click(`article.pledge-card[data-pledge="${ids.pledge}"] h3 a`);
  await ready(page, 'pledge');
  assert.equal(await page.locator('article.batch').count(), 3);
  assert.equal(await page.locator('main form').count(), 0, 'no form for a visitor');
  // Lost and cancelled batches end their path where they stopped.
  await go(page, `/pledges/${ids.japan}`, 'pledge');
  const path = (n) => page.$$eval(`article.batch[data-batch="${n}"] .stepper li`, (ls) => ls.map((l) => `${l.dataset.step}:${l.dataset.state}`));
  assert.deepEqual(await path(1), ['planned:done', 'dispatched:done', 'lost:current']);
  assert.deepEqual(await path(2), ['planned:done', 'cancelled:current']);
  assert.equal(await text(page, '.timeline .tl-row[data-batch="1"] .tl-lost'), 'Lost');
  assert.equal(await text(page, '.timeline .tl-row[data-batch="2"] .tl-cancelled'), 'Cancelled');
  assert.match(await text(page, 'tr[data-line="2"]'), /Lost in transit/);
  await shot(page, 'pledge-lost-en');
  await inZh(page, 'pledge');
  assert.deepEqual(await page.$$eval('.stepper .step-end .step-label', (ls) => ls.map((l) => l.textContent)), ['已丢失', '已取消']);
  await noEnglishLeft(page, 'pledge (lost, cancelled)');
  await shot(page, 'pledge-lost-zh');
  await inEn(page, 'pledge');
  await go(page, '/reconciliation', 'reconciliation');
  assert.equal(await page.locator(`tr[data-group="${ids.private}"]`).count(), 0);
  await go(page, '/needs', 'needs');
  assert.equal(await page.locator('article.need-card').count(), 1);
  assert.equal(await page.locator('[data-act="pledge-need"], details[data-disclosure="new-need"]').count(), 0);
  await inZh(page, 'needs');
  await noEnglishLeft(page, 'needs (anonymous)');
  await shot(page, 'needs-anonymous-zh');
  await inEn(page, 'needs');
  // The private pledge: not found.
  await go(page, `/pledges/${ids.private}`, 'pledge');
  assert.match(await text(page, '.alert-error'), /Not found: no pledge/);
  page.assertClean();
  await page.context().close();
});

test('a viewer of the recipient sees the pledge but records nothing; the pages fit a phone', async () => {
  assert.ok(ids.pledge);
  const page = await openPage(browser, srv.base, { viewport: { width: 390, height: 800 } });
  await login(page, 'park');
  await go(page, `/pledges/${ids.pledge}`, 'pledge');
  assert.equal(await page.locator('main form').count(), 0);
  for (const [hash, id, name] of [[`/pledges/${ids.pledge}`, 'pledge', 'pledge'], ['/donations', 'donations', 'board'],
    ['/reconciliation', 'reconciliation', 'reconciliation'], ['/needs', 'needs', 'needs']]) {
    await go(page, hash, id);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} is ${overflow}px wider than the screen`);
    await shot(page, `mobile-${name}-en`);
  }
  page.assertClean();
  await logout(page);
  await page.context().close();
});
