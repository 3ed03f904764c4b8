// The alert pages (C3) with three organisations, each in its own browser:
// an embassy composes a bilingual alert restricted to a ministry, which
// receives it live (no reload; the nav's unread badge goes up), opens it
// (read) and acknowledges it, while the embassy watches the receipts
// arrive; a third organisation sees nothing of it.  A joint statement is
// drafted, approved by its co-signer and issued.  An advisory is
// published; the public page (anonymous) lists only public messages, with
// the Atom feed.  Subscriptions with a webhook secret shown once.  The
// language switch, and screenshots of every page in both languages
// (EB_SHOTS, default /tmp/shots) for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWeb, launch, openPage, ready, go, login, text, shot, addOrg, addUser, loginAs, cleanupDb, ROOT } from './lib.mjs';

let srv;
let browser;
let embassy; // A: sends
let health;  // B: receives
let italy;   // C: outside
let alertId;
let statementId;

const dict = (l) => JSON.parse(readFileSync(join(ROOT, 'web', 'i18n', `${l}.json`), 'utf8'));
const flat = (o, p = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v, `${p}${k}.`) : [[`${p}${k}`, v]]));
const zhValues = flat(dict('zh')).map(([, v]) => v);
const english = flat(dict('en'))
  .map(([, v]) => v.replace(/\{\w+\}/g, '').trim())
  .filter((v) => v.length >= 4 && !zhValues.some((z) => z.includes(v)));

// The interface text of the page, without data (names, message text, codes).
async function interfaceText(page) {
  return page.evaluate(() => {
    const root = document.getElementById('app').cloneNode(true);
    root.querySelectorAll('#toasts, pre, .name-pair, .user-name, .user-org, code, option, input, textarea, .skip-link, [lang="en"], .pick-name, .chip, .signer-name, .signer-note, .msg-from, .public-meta, .statement-meta, dd, h1, .subtitle p:last-child, .receipt-line, td[data-label]:not(:first-child)')
      .forEach((n) => n.remove());
    return root.innerText;
  });
}

async function noEnglishLeft(page, name) {
  const shown = await interfaceText(page);
  const leaks = english.filter((s) => shown.includes(s));
  assert.deepEqual(leaks, [], `English left on the Chinese ${name} page`);
}

async function setLang(page, l) {
  await page.click(`.lang-switch button[data-lang="${l}"]`);
  await page.waitForFunction((x) => document.documentElement.lang === x, l === 'zh' ? 'zh-Hans' : 'en');
  await ready(page);
}

// Runs action, then waits until the page has been drawn again.
async function redraw(page, id, action) {
  const before = await page.getAttribute('main', 'data-draw');
  await action();
  await page.waitForFunction((n) => document.querySelector('main').dataset.draw !== n, before);
  await ready(page, id);
}

const badge = (page) => page.locator('nav.main-nav a[data-nav="alerts"] .nav-badge');

before(async () => {
  srv = await startWeb();
  embassy = addOrg(srv.db, { kind: 'embassy', en: 'Embassy of China in Greece', zh: '中国驻希腊大使馆', country: 'GR' });
  health = addOrg(srv.db, { en: 'Ministry of Health of Greece', zh: '希腊卫生部', country: 'GR' });
  italy = addOrg(srv.db, { en: 'Ministry of Health of Italy', zh: '意大利卫生部', country: 'IT' });
  addUser(srv.db, embassy, 'zhou', { name: 'Zhou Lin', role: 'editor' });
  addUser(srv.db, health, 'papadopoulou', { name: 'Eleni Papadopoulou', role: 'editor' });
  addUser(srv.db, health, 'nikolaou', { name: 'Giorgos Nikolaou', role: 'admin' });
  addUser(srv.db, italy, 'rossi', { name: 'Maria Rossi', role: 'editor' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

test('the CAP vocabulary the pages offer is the API\'s, labelled in both languages', async () => {
  const api = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8')).components.schemas;
  const c = await import(join(ROOT, 'web', 'js', 'constants.js'));
  const alert = api.Alert.properties;
  assert.deepEqual(c.ALERT_KINDS, api.AlertInput.properties.kind.enum);
  assert.deepEqual(c.SCOPES, alert.scope.enum);
  assert.deepEqual(c.MSG_TYPES, alert.msgType.enum);
  assert.deepEqual(c.CAP_STATUSES, alert.status.enum);
  assert.deepEqual(c.ALERT_STATES, alert.state.enum);
  assert.deepEqual(c.DECISIONS, alert.signers.items.properties.decision.enum);
  const groups = { kind: c.ALERT_KINDS, scope: c.SCOPES, msgType: c.MSG_TYPES, status: c.CAP_STATUSES, urgency: c.URGENCIES,
    severity: c.SEVERITIES, certainty: c.CERTAINTIES, state: c.ALERT_STATES, decision: c.DECISIONS };
  for (const l of ['en', 'zh']) {
    const d = dict(l).alerts;
    for (const [g, values] of Object.entries(groups)) for (const v of values) assert.ok(d[g]?.[v], `${l}: alerts.${g}.${v}`);
    for (const w of ['pending', 'delivered', 'failed']) assert.ok(d.webhook[w], `${l}: alerts.webhook.${w}`);
  }
});

test('a bilingual restricted alert: B gets it live, reads and acknowledges it, A sees the receipts, C sees nothing', async () => {
  const a = await openPage(browser, srv.base);
  const b = await openPage(browser, srv.base);
  a.allowError(/status of 400/); // the server's field error, provoked below
  await login(a, 'zhou');
  await login(b, 'papadopoulou');

  // B waits in its inbox, connected to the event stream.
  await b.click('nav.main-nav a[data-nav="alerts"]');
  await ready(b, 'alerts');
  await b.locator('.live-indicator[data-live="open"]').waitFor();
  assert.equal(await text(b, '[data-list="inbox"] p.empty'), 'Nothing in the inbox here.');
  assert.equal(await badge(b).isVisible(), false, 'no unread badge yet');
  await shot(b, 'alerts-inbox-empty-en');
  // Anything that reloads or redraws the page would lose this.
  await b.evaluate(() => { window.ebMarker = 'still here'; });
  const draws = await b.getAttribute('main', 'data-draw');

  // A composes: defaults, two languages, an area, no addressee yet.
  await a.click('nav.main-nav a[data-nav="alerts"]');
  await ready(a, 'alerts');
  await a.click('a[data-act="compose"]');
  await ready(a, 'compose');
  const form = 'form[data-form="compose"]';
  assert.equal(await a.isChecked(`${form} input[name="kind"][value="alert"]`), true);
  assert.equal(await a.inputValue(`${form} select[name="scope"]`), 'Restricted');
  assert.equal(await a.inputValue(`${form} select[name="urgency"]`), 'Expected');
  assert.equal(await a.inputValue(`${form} select[name="severity"]`), 'Moderate');
  assert.equal(await a.inputValue(`${form} select[name="certainty"]`), 'Likely');
  assert.equal(await a.inputValue(`${form} select[name="status"]`), 'Actual');
  assert.equal(await a.locator(`${form} [data-field="cosigners"]`).isVisible(), false, 'co-signers only for joint statements');
  assert.equal(await a.locator(`${form} .advisory-fields`).isVisible(), false, 'advisory fields only for advisories');
  assert.deepEqual(await a.locator(`${form} .info-block legend`).allTextContents(), ['English', '中文']);

  // Nothing written: at least one language is needed.
  await a.click(`${form} button[data-act="send"]`);
  await a.locator(`${form} .form-alert`).waitFor();
  assert.equal(await text(a, `${form} .form-alert`), 'Write the message in at least one language.');
  assert.equal(await a.getAttribute(`${form} input[name="info.en.headline"]`, 'aria-invalid'), 'true');

  await a.fill(`${form} input[name="info.en.event"]`, 'COVID-19 information exchange');
  await a.fill(`${form} input[name="info.en.headline"]`, 'COVID-19 situation and control measures in China');
  await a.fill(`${form} textarea[name="info.en.description"]`, 'The embassy shares the latest epidemic information with the Ministry of Health of Greece.');
  await a.fill(`${form} textarea[name="info.en.instruction"]`, 'Use it to prepare the emergency response.');
  await a.fill(`${form} input[name="info.zh.event"]`, '新冠肺炎疫情信息通报');
  await a.fill(`${form} input[name="info.zh.headline"]`, '中国新冠肺炎疫情及防控措施通报');
  await a.fill(`${form} textarea[name="info.zh.description"]`, '中国驻希腊大使馆向希腊卫生部通报最新疫情信息。');
  await a.fill(`${form} input[name="areas"]`, 'Greece');
  await a.press(`${form} input[name="areas"]`, 'Enter');
  await a.fill(`${form} input[name="areas"]`, 'CN-HB');
  await a.click(`${form} button[data-act="add-area"]`);
  assert.deepEqual(await a.locator(`${form} [data-chips="areas"] .chip`).evaluateAll((els) => els.map((e) => e.dataset.area)), ['GR', 'CN-HB']);

  // Restricted without an addressee: the server's problem (/shared_with) on the picker.
  await a.click(`${form} button[data-act="send"]`);
  await a.locator(`${form} [data-field="shared_with"] .field-error:not([hidden])`).waitFor();
  assert.match(await text(a, `${form} [data-field="shared_with"] .field-error`), /needs shared_with/);
  assert.equal(await a.getAttribute(`${form} input[name="shared_with"]`, 'aria-invalid'), 'true');
  assert.match(await text(a, `${form} .form-alert`), /^Invalid request: /);
  await shot(a, 'alerts-compose-en');

  // Address it to B.
  await a.fill(`${form} input[name="shared_with"]`, 'health of gr');
  assert.deepEqual(await a.locator(`${form} [data-pick="shared_with"] .pick-name`).allTextContents(), ['Ministry of Health of Greece']);
  await a.check(`${form} [data-pick="shared_with"] input[data-org="${health}"]`);
  assert.deepEqual(await a.locator(`${form} [data-chips="shared_with"] .chip`).evaluateAll((els) => els.map((e) => Number(e.dataset.org))), [health]);
  await a.click(`${form} button[data-act="send"]`);
  await ready(a, 'alert');
  alertId = Number(a.url().match(/#\/alerts\/(\d+)/)[1]);
  assert.equal(await text(a, 'h1'), 'COVID-19 situation and control measures in China');
  assert.equal(await a.locator('[data-deliveries] tr[data-org]').count(), 1);
  const rowA = `[data-deliveries] tr[data-org="${health}"]`;
  assert.equal(await a.getAttribute(rowA, 'data-read'), 'false');
  assert.equal(await a.getAttribute(rowA, 'data-acknowledged'), 'false');

  // B: the alert appears at the top of the inbox, unread, and the badge counts it.
  const rowB = `[data-list="inbox"] tr[data-alert="${alertId}"]`;
  await b.locator(rowB).waitFor();
  assert.equal(await b.getAttribute(rowB, 'data-receipt'), 'unread');
  assert.equal(await text(b, `${rowB} .msg-headline`), 'COVID-19 situation and control measures in China');
  assert.match(await text(b, `${rowB} .msg-from`), /Embassy of China in Greece/);
  await badge(b).waitFor();
  assert.equal(await badge(b).getAttribute('data-unread'), '1');
  assert.equal(await b.evaluate(() => window.ebMarker), 'still here', 'no reload');
  assert.equal(await b.getAttribute('main', 'data-draw'), draws, 'the page was not redrawn');
  await shot(b, 'alerts-inbox-en');

  // B opens it: read, and the badge goes.
  await b.click(`${rowB} a.msg-headline`);
  await ready(b, 'alert');
  await b.locator('[data-receipt-card] [data-receipt="read"]').waitFor();
  assert.equal(await badge(b).getAttribute('data-unread'), '0');
  assert.equal(await badge(b).isVisible(), false);
  // The reader's language first, the other one a click away; the CAP fields; areas by name.
  assert.equal(await a.locator('section[data-info]').first().getAttribute('data-info'), 'en');
  assert.equal(await b.getAttribute('section[data-info]', 'data-info'), 'en');
  assert.equal(await b.getAttribute('details.info-other', 'data-info'), 'zh');
  assert.equal(await text(b, 'dd[data-cap="scope"]'), 'Restricted');
  assert.equal(await text(b, 'dd[data-cap="urgency"]'), 'Expected');
  // The server adds the country of a subdivision.
  assert.deepEqual(await b.locator('dd[data-cap="areas"] li').allTextContents(), ['Greece (GR)', 'Hubei (CN-HB)', 'China (CN)']);
  assert.equal(await b.getAttribute('a[data-link="cap"]', 'href'), `/api/v1/alerts/${alertId}/cap`);
  assert.equal(await b.getAttribute('a[data-link="edxl"]', 'href'), `/api/v1/alerts/${alertId}/edxl`);
  const cap = await b.evaluate(async (u) => (await fetch(u)).text(), `/api/v1/alerts/${alertId}/cap`);
  assert.match(cap, /<scope>Restricted<\/scope>/);
  assert.match(cap, /<language>zh<\/language>/);
  // A sees it read.
  await a.locator(`${rowA}[data-read="true"]`).waitFor();

  // B acknowledges.
  await b.click('[data-receipt-card] button[data-act="ack"]');
  await b.locator('[data-receipt-card] [data-receipt="acknowledged"]').waitFor();
  assert.equal(await b.locator('[data-receipt-card] button[data-act="ack"]').count(), 0);
  await shot(b, 'alerts-view-recipient-en');

  // A, live: delivered, read and acknowledged by B.
  await a.locator(`${rowA}[data-acknowledged="true"]`).waitFor();
  assert.match(await text(a, `${rowA} td:nth-child(4)`), /papadopoulou/);
  assert.match(await text(a, '[data-deliveries] .totals'), /Recipients: 1 · delivered: 1 · read: 1 · acknowledged: 1/);
  await shot(a, 'alerts-view-sender-en');

  // The language switch changes the page: B reads it in Chinese.
  await setLang(b, 'zh');
  assert.equal(await text(b, 'h1'), '中国新冠肺炎疫情及防控措施通报');
  assert.equal(await b.getAttribute('section[data-info]', 'data-info'), 'zh');
  assert.equal(await b.getAttribute('details.info-other', 'data-info'), 'en');
  assert.equal(await text(b, 'dd[data-cap="scope"]'), '限定范围');
  assert.deepEqual(await b.locator('dd[data-cap="areas"] li').allTextContents(), ['希腊 (GR)', '湖北 (CN-HB)', '中国 (CN)']);
  assert.equal(await text(b, '[data-receipt-card] [data-receipt]'), '已确认收悉');
  await noEnglishLeft(b, 'alert');
  await shot(b, 'alerts-view-recipient-zh');
  await go(b, '/alerts', 'alerts');
  assert.equal(await text(b, `${rowB} .msg-headline`), '中国新冠肺炎疫情及防控措施通报');
  assert.equal(await b.getAttribute(rowB, 'data-receipt'), 'acknowledged');
  await noEnglishLeft(b, 'inbox');
  await shot(b, 'alerts-inbox-zh');
  // Filters: acknowledged ones, or only the unread.
  const filters = 'form[data-form="inbox-filters"]';
  await redraw(b, 'alerts', () => b.selectOption(`${filters} select[name="status"]`, 'unacked'));
  assert.match(b.url(), /status=unacked/);
  assert.equal(await b.locator(rowB).count(), 0);
  await redraw(b, 'alerts', () => b.selectOption(`${filters} select[name="status"]`, 'acked'));
  assert.equal(await b.locator(rowB).count(), 1);
  await redraw(b, 'alerts', () => b.check(`${filters} input[name="unread"]`));
  assert.match(b.url(), /unread=1/);
  assert.equal(await b.locator(rowB).count(), 0);
  await setLang(b, 'en');

  // A in Chinese: the sender's view.
  await setLang(a, 'zh');
  assert.match(await text(a, '[data-deliveries] .totals'), /接收方 1 个/);
  await noEnglishLeft(a, 'sender\'s alert');
  await shot(a, 'alerts-view-sender-zh');
  await go(a, '/alerts/new', 'compose');
  assert.deepEqual(await a.locator(`${form} .info-block legend`).allTextContents(), ['中文', 'English']);
  await noEnglishLeft(a, 'compose');
  await shot(a, 'alerts-compose-zh');
  await setLang(a, 'en');

  // C: not in its inbox, and not readable.
  const c = await openPage(browser, srv.base);
  c.allowError(/status of 404/);
  await login(c, 'rossi');
  await go(c, '/alerts', 'alerts');
  assert.equal(await c.locator('[data-list="inbox"] tr[data-alert]').count(), 0);
  assert.equal(await badge(c).isVisible(), false);
  await go(c, `/alerts/${alertId}`, 'alert');
  assert.match(await text(c, 'main .alert-error'), /^Not found/);
  assert.equal(await c.locator('[data-receipt-card], [data-deliveries]').count(), 0);

  for (const p of [a, b, c]) {
    p.assertClean();
    await p.context().close();
  }
});

test('an update joins the incident, and the recipient hears of it on the page it is reading', async () => {
  const a = await openPage(browser, srv.base);
  const b = await openPage(browser, srv.base);
  await login(a, 'zhou');
  await login(b, 'papadopoulou');
  await go(b, `/alerts/${alertId}`, 'alert');
  await b.locator('[data-receipt-card]').waitFor();
  await go(a, `/alerts/${alertId}`, 'alert');
  await a.click('a[data-act="update"]');
  await ready(a, 'compose');
  const form = 'form[data-form="compose"]';
  assert.equal(await a.inputValue(`${form} input[name="info.zh.headline"]`), '中国新冠肺炎疫情及防控措施通报', 'prefilled');
  assert.deepEqual(await a.locator(`${form} [data-chips="shared_with"] .chip`).evaluateAll((els) => els.map((e) => Number(e.dataset.org))), [health]);
  assert.equal(await a.isDisabled(`${form} input[name="kind"][value="alert"]`), true);
  await a.fill(`${form} input[name="info.en.headline"]`, 'Update: new measures in China');
  await a.fill(`${form} input[name="info.zh.headline"]`, '更新：中国的新措施');
  await a.click(`${form} button[data-act="send"]`);
  await ready(a, 'alert');
  const updateId = Number(a.url().match(/#\/alerts\/(\d+)/)[1]);
  assert.deepEqual(await a.locator('[data-incident] tr[data-alert]').evaluateAll((els) => els.map((e) => [Number(e.dataset.alert), e.dataset.msgType])),
    [[updateId, 'Update'], [alertId, 'Alert']]);
  // B, still on the first message: told of the newer one.
  await b.locator(`.alert-banners [data-newer="${updateId}"]`).waitFor();
  await badge(b).waitFor();
  assert.equal(await badge(b).getAttribute('data-unread'), '1');
  a.assertClean();
  b.assertClean();
  await a.context().close();
  await b.context().close();
});

test('a joint statement: drafted by A with B co-signing, approved by B, issued by A', async () => {
  const a = await openPage(browser, srv.base);
  const b = await openPage(browser, srv.base);
  await login(a, 'zhou');
  await login(b, 'papadopoulou');
  await go(a, '/statements', 'statements');
  await a.click('a[data-act="draft-statement"]');
  await ready(a, 'compose');
  const form = 'form[data-form="compose"]';
  assert.equal(await a.isChecked(`${form} input[name="kind"][value="joint_statement"]`), true);
  assert.equal(await a.inputValue(`${form} input[name="info.en.event"]`), 'Joint statement');
  assert.equal(await a.inputValue(`${form} input[name="info.zh.event"]`), '联合声明');
  assert.equal(await a.inputValue(`${form} select[name="urgency"]`), 'Unknown');
  await a.selectOption(`${form} select[name="scope"]`, 'Public');
  await a.fill(`${form} input[name="info.en.headline"]`, 'Joint statement of China and Greece on cooperation against COVID-19');
  await a.fill(`${form} textarea[name="info.en.description"]`, 'Both sides will share information and coordinate their measures.');
  await a.fill(`${form} input[name="info.zh.headline"]`, '中希关于加强新冠肺炎防控合作的联合声明');
  await a.check(`${form} [data-pick="cosigners"] input[data-org="${health}"]`);
  assert.equal(await text(a, `${form} button[data-act="send"]`), 'Create draft');
  await a.click(`${form} button[data-act="send"]`);
  await ready(a, 'alert');
  statementId = Number(a.url().match(/#\/alerts\/(\d+)/)[1]);
  const card = `article[data-statement="${statementId}"]`;
  assert.equal(await a.getAttribute(card, 'data-state'), 'draft');
  assert.equal(await a.getAttribute(`${card} li[data-signer="${health}"]`, 'data-decision'), 'pending');
  assert.equal(await a.isDisabled(`${card} button[data-act="issue"]`), true, 'not before every co-signer approved');
  assert.match(await text(a, `${card} .hint`), /Waiting for: Ministry of Health of Greece \(Awaiting decision\)/);
  await shot(a, 'alerts-statement-draft-en');

  // B approves from the statements page, in Chinese.
  await setLang(b, 'zh');
  await go(b, '/statements', 'statements');
  const waiting = `[data-list="waiting"] ${card}`;
  await b.locator(waiting).waitFor();
  await noEnglishLeft(b, 'statements');
  await shot(b, 'alerts-statements-zh');
  await b.click(`${waiting} button[data-act="approve"]`);
  await b.locator('dialog[open]').waitFor();
  await b.fill('dialog[open] textarea[name="note"]', '同意发布');
  await b.click('dialog[open] button[value="ok"]');
  await b.locator(`[data-list="decided"] ${card} li[data-signer="${health}"][data-decision="approved"]`).waitFor();
  assert.equal(await b.locator('[data-list="waiting"] article').count(), 0);
  await setLang(b, 'en');
  await go(b, '/alerts', 'alerts');
  await b.locator('.live-indicator[data-live="open"]').waitFor();

  // A issues it: enabled now.
  await go(a, '/statements', 'statements');
  const own = `[data-list="own"] ${card}`;
  assert.equal(await a.getAttribute(`${own} li[data-signer="${health}"]`, 'data-decision'), 'approved');
  assert.match(await text(a, `${own} .signer-note`), /同意发布/);
  await shot(a, 'alerts-statements-en');
  assert.equal(await a.isDisabled(`${own} button[data-act="issue"]`), false);
  await a.click(`${own} button[data-act="issue"]`);
  await a.locator('dialog[open]').waitFor();
  await a.click('dialog[open] button[value="ok"]');
  await ready(a, 'statements');
  await a.locator(`tr[data-alert="${statementId}"]`).waitFor();
  assert.equal(await a.locator('[data-list="own"] article').count(), 0);

  // Issued: delivered to B live.
  await b.locator(`[data-list="inbox"] tr[data-alert="${statementId}"][data-kind="joint_statement"]`).waitFor();
  await go(a, `/alerts/${statementId}`, 'alert');
  assert.equal(await a.getAttribute(card, 'data-state'), 'issued');
  assert.equal(await a.locator(`${card} button`).count(), 0);
  a.assertClean();
  b.assertClean();
  await a.context().close();
  await b.context().close();
});

test('an advisory, and the public page: only public messages, with the Atom feed, for anonymous visitors', async () => {
  const a = await openPage(browser, srv.base);
  await login(a, 'zhou');
  await go(a, '/alerts/new', 'compose');
  const form = 'form[data-form="compose"]';
  await a.check(`${form} input[name="kind"][value="advisory"]`);
  assert.equal(await a.locator(`${form} .advisory-fields`).isVisible(), true);
  assert.equal(await a.inputValue(`${form} input[name="info.en.event"]`), 'Travel advisory');
  await a.selectOption(`${form} select[name="scope"]`, 'Public');
  await a.selectOption(`${form} select[name="citizens_of"]`, 'CN');
  await a.selectOption(`${form} select[name="entering"]`, 'GR');
  await a.fill(`${form} input[name="info.zh.headline"]`, '入境希腊的中国公民请配合入境检疫');
  await a.fill(`${form} textarea[name="info.zh.instruction"]`, '请遵守希腊的防疫措施。');
  await a.fill(`${form} input[name="info.en.headline"]`, 'Chinese citizens entering Greece: cooperate with entry quarantine');
  await a.fill(`${form} textarea[name="info.en.instruction"]`, 'Follow the measures of Greece.');
  assert.equal(await text(a, `${form} button[data-act="send"]`), 'Publish advisory');
  await a.click(`${form} button[data-act="send"]`);
  await ready(a, 'alert');
  const advisoryId = Number(a.url().match(/#\/alerts\/(\d+)/)[1]);
  assert.equal(await text(a, 'dd[data-cap="citizens_of"]'), 'China');
  assert.equal(await text(a, 'dd[data-cap="entering"]'), 'Greece');
  assert.equal(await a.locator('nav.main-nav a[data-nav="public-alerts"]').count(), 0, 'members reach it from the alert pages');
  a.assertClean();
  await a.context().close();

  const anon = await openPage(browser, srv.base);
  await anon.goto('/');
  await ready(anon, 'map');
  await anon.click('nav.main-nav a[data-nav="public-alerts"]');
  await ready(anon, 'public-alerts');
  const ids = await anon.locator('[data-list="public"] article[data-alert]').evaluateAll((els) => els.map((e) => Number(e.dataset.alert)));
  assert.deepEqual(ids, [advisoryId, statementId], 'the public ones, newest first; not the restricted alert');
  assert.equal(await anon.getAttribute('a[data-link="atom"]', 'href'), '/feeds/alerts.atom');
  assert.equal(await anon.getAttribute('link[rel="alternate"][type="application/atom+xml"]', 'href'), '/feeds/alerts.atom');
  const atom = await anon.evaluate(async () => {
    const r = await fetch('/feeds/alerts.atom');
    return { type: r.headers.get('Content-Type'), body: await r.text() };
  });
  assert.match(atom.type, /atom\+xml/);
  assert.match(atom.body, /Chinese citizens entering Greece/);
  assert.doesNotMatch(atom.body, /COVID-19 situation and control measures in China/);
  await shot(anon, 'alerts-public-en');
  await setLang(anon, 'zh');
  assert.equal(await text(anon, `article[data-alert="${advisoryId}"] h2`), '入境希腊的中国公民请配合入境检疫');
  await noEnglishLeft(anon, 'public alerts');
  await shot(anon, 'alerts-public-zh');
  // A public message reads without login; the inbox needs one.
  await anon.click(`article[data-alert="${advisoryId}"] h2 a`);
  await ready(anon, 'alert');
  assert.equal(await text(anon, 'h1'), '入境希腊的中国公民请配合入境检疫');
  assert.equal(await anon.locator('a[data-link="edxl"]').count(), 0);
  await shot(anon, 'alerts-view-public-zh');
  await anon.goto('/#/alerts');
  await ready(anon, 'login');
  anon.assertClean();
  await anon.context().close();
});

test('subscriptions: by area and kind, the webhook secret shown once', async () => {
  const page = await openPage(browser, srv.base);
  await login(page, 'nikolaou');
  await go(page, '/alerts', 'alerts');
  await page.click('.subnav a[data-tab="subscriptions"]');
  await ready(page, 'subscriptions');
  const form = 'form[data-form="subscribe"]';
  await page.selectOption(`${form} select[name="area"]`, 'IT');
  await page.selectOption(`${form} select[name="kind"]`, 'advisory');
  await page.fill(`${form} input[name="webhook_url"]`, 'http://127.0.0.1:9/epibridge');
  await page.click(`${form} button[type="submit"]`);
  await ready(page, 'subscriptions');
  const secret = await text(page, '[data-secret] output.secret');
  assert.match(secret, /^\S{16,}$/);
  const row = 'tr[data-area="IT"][data-kind="advisory"]';
  assert.match(await text(page, `${row} td:nth-child(1)`), /Italy \(IT\)/);
  assert.equal(await text(page, `${row} code.url`), 'http://127.0.0.1:9/epibridge');
  await shot(page, 'alerts-subscriptions-en');
  await setLang(page, 'zh');
  assert.equal(await page.locator('[data-secret]').count(), 0, 'shown once');
  await noEnglishLeft(page, 'subscriptions');
  await shot(page, 'alerts-subscriptions-zh');
  await setLang(page, 'en');
  // Every area, inbox only; then delete it.
  await page.click(`${form} button[type="submit"]`);
  await page.locator('tr[data-area="*"][data-kind="*"]').waitFor();
  await ready(page, 'subscriptions');
  assert.equal(await page.locator('[data-secret]').count(), 0, 'no webhook, no secret');
  await page.click(`${row} button[data-act="delete"]`);
  await page.locator('dialog[open]').waitFor();
  await page.click('dialog[open] button[value="ok"]');
  await page.locator(row).waitFor({ state: 'detached' });
  await ready(page, 'subscriptions');
  const api = await loginAs(srv.base, 'nikolaou');
  assert.deepEqual((await api.get('/api/v1/subscriptions')).json.items.map((s) => [s.area, s.kind]), [['*', '*']]);
  page.assertClean();
  await page.context().close();
});

test('the event stream comes back after the server refused it, and what arrived meanwhile shows', async () => {
  const b = await openPage(browser, srv.base);
  b.allowError(/status of 503/);
  b.allowError(/EventSource/);
  // The server is busy for the event stream: the page retries after a pause.
  await b.route('**/api/v1/events**', (route) => route.fulfill({
    status: 503, contentType: 'application/problem+json', body: '{"title":"Service Unavailable","status":503}',
  }));
  await login(b, 'papadopoulou');
  await go(b, '/alerts', 'alerts');
  await b.locator('.live-indicator[data-live="closed"]').waitFor();
  const before = Number(await badge(b).getAttribute('data-unread'));
  const draws = await b.getAttribute('main', 'data-draw');
  const a = await loginAs(srv.base, 'zhou');
  const sent = await a.post('/api/v1/alerts', {
    kind: 'alert',
    cap: { scope: 'Restricted', info: [{ language: 'en', event: 'COVID-19', urgency: 'Expected', severity: 'Minor', certainty: 'Likely', headline: 'Sent while the stream was down' }] },
    areas: ['GR'],
    shared_with: [health],
  });
  assert.equal(sent.status, 201);
  await b.unroute('**/api/v1/events**');
  await b.locator('.live-indicator[data-live="open"]').waitFor({ timeout: 15000 });
  await b.locator(`[data-list="inbox"] tr[data-alert="${sent.json.id}"][data-receipt="unread"]`).waitFor();
  await b.waitForFunction((n) => document.querySelector('nav.main-nav a[data-nav="alerts"] .nav-badge')?.dataset.unread === String(n), before + 1);
  assert.equal(await b.getAttribute('main', 'data-draw'), draws, 'without redrawing the page');
  b.assertClean();
  await b.context().close();
});

test('on a phone the alert pages fit the screen', async () => {
  const page = await openPage(browser, srv.base, { viewport: { width: 390, height: 780 } });
  await login(page, 'papadopoulou');
  for (const [hash, id, name] of [['/alerts', 'alerts', 'inbox'], [`/alerts/${alertId}`, 'alert', 'view'], ['/alerts/new', 'compose', 'compose'], ['/statements', 'statements', 'statements'], ['/public-alerts', 'public-alerts', 'public']]) {
    await go(page, hash, id);
    await shot(page, `alerts-mobile-${name}-en`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${hash} is ${overflow}px wider than the screen`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input:not([type="hidden"]):not([hidden]), main select, main textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map((el) => el.name || el.type));
    assert.deepEqual(unlabelled, [], `unlabelled controls on ${hash}`);
  }
  page.assertClean();
  await page.context().close();
});
