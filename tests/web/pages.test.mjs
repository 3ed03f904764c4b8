// Every page in both languages: it draws without a console error, its
// interface text is in the chosen language (no English left in the Chinese
// pages), and a screenshot goes to /tmp/shots (EB_SHOTS) for a human to look
// at.  Also the narrow-screen menu and keyboard use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWeb, launch, openPage, ready, go, login, text, shot, addOrg, addUser, loginAs, cleanupDb, ROOT } from './lib.mjs';

let srv;
let browser;
let italy;

const dict = (l) => JSON.parse(readFileSync(join(ROOT, 'web', 'i18n', `${l}.json`), 'utf8'));
const flat = (o, p = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v, `${p}${k}.`) : [[`${p}${k}`, v]]));

// English interface strings that must not show on a Chinese page: those
// that differ from their Chinese version and are not part of any Chinese
// string (like "API" or "Ctrl+C").
const zhValues = flat(dict('zh')).map(([, v]) => v);
const english = flat(dict('en'))
  .map(([, v]) => v.replace(/\{\w+\}/g, '').trim())
  .filter((v) => v.length >= 4 && !zhValues.some((z) => z.includes(v)));

before(async () => {
  srv = await startWeb();
  const root = await loginAs(srv.base, 'root');
  await root.patch('/api/v1/orgs/1', { name_en: 'Operations Centre', name_zh: '运营中心' });
  italy = addOrg(srv.db, { en: 'Ministry of Health of Italy', zh: '意大利卫生部', country: 'IT' });
  const cn = addOrg(srv.db, { kind: 'embassy', en: 'Embassy of China in Tanzania', zh: '中国驻坦桑尼亚大使馆', country: 'TZ' });
  addOrg(srv.db, { kind: 'local_government', en: 'Daegu Metropolitan City', zh: '大邱广域市', country: 'KR' });
  addUser(srv.db, italy, 'rossi', { name: 'Maria Rossi' });
  addUser(srv.db, italy, 'bianchi', { name: 'Luca Bianchi', role: 'viewer' });
  const rossi = await loginAs(srv.base, 'rossi');
  await rossi.post('/api/v1/partnerships', { partner_id: cn, note: 'Test kits, first batch' });
  await rossi.post('/api/v1/tokens', { name: 'daily figures feed', role: 'editor' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  cleanupDb(srv?.db);
});

const PAGES = () => [
  ['map', '/map'],
  ['area', '/area/IT'],
  ['orgs', '/orgs'],
  ['org', `/orgs/${italy}`],
  ['org-other', '/orgs/1'],
  ['partners', '/partners'],
  ['tokens', '/tokens'],
  ['audit', '/audit'],
  ['profile', '/profile'],
];

// The page's interface text, leaving out data (names, logins, notes, codes).
async function interfaceText(page) {
  return page.evaluate(() => {
    const root = document.getElementById('app').cloneNode(true);
    root.querySelectorAll('.name-pair, .secondary-name, .user-name, code, .diff, .muted, [data-act="copy"] ~ *, option, input, .skip-link, td:nth-child(4)')
      .forEach((n) => n.remove());
    // Names of organisations shown as headings are data too.
    if (document.querySelector('main[data-page="org"]')) root.querySelector('h1')?.remove();
    return root.innerText;
  });
}

for (const lang of ['en', 'zh']) {
  test(`every page draws cleanly in ${lang}`, async () => {
    const page = await openPage(browser, srv.base, { locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
    await page.goto('/#/login');
    await ready(page, 'login');
    await shot(page, `login-${lang}`);
    await page.fill('input[name="login"]', 'rossi');
    await page.fill('input[name="password"]', 'test-password-1');
    await page.click('form.login-form button[type="submit"]');
    await ready(page, 'map');
    if (lang === 'zh') {
      await page.click('.lang-switch button[data-lang="zh"]');
      await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
      await ready(page, 'map');
    }
    const d = dict(lang);
    for (const [name, hash] of PAGES()) {
      const id = name === 'org-other' ? 'org' : name;
      await go(page, hash, id);
      if (name === 'org') await page.click('details.disclosure summary');
      await shot(page, `${name}-${lang}`);
      const h1 = await text(page, 'h1');
      const titleKey = { map: 'map', orgs: 'orgs', partners: 'partners', tokens: 'tokens', audit: 'audit', profile: 'profile' }[id];
      if (titleKey) assert.equal(h1, d[titleKey].title, `${name} heading`);
      if (lang === 'zh') {
        const shown = await interfaceText(page);
        const leaks = english.filter((s) => shown.includes(s));
        assert.deepEqual(leaks, [], `English left on the Chinese ${name} page`);
      }
    }
    await go(page, '/no/such/page', 'not-found');
    assert.equal(await text(page, 'h1'), d.notFound.title);
    page.assertClean();
    await page.context().close();
  });
}

test('on a narrow screen the nav folds into a menu button, usable by keyboard', async () => {
  const page = await openPage(browser, srv.base, { viewport: { width: 390, height: 780 } });
  await login(page, 'rossi');
  const nav = page.locator('nav.main-nav');
  assert.equal(await nav.isVisible(), false);
  const toggle = page.locator('button.nav-toggle');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('nav.main-nav.open');
  assert.equal(await page.locator('button.nav-toggle').getAttribute('aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'nav-toggle', 'focus stays on the toggle');
  await shot(page, 'mobile-menu-en');
  await page.click('nav.main-nav a[data-nav="partners"]');
  await ready(page, 'partners');
  assert.equal(await nav.isVisible(), false, 'the menu closes after choosing');
  // Focus moved to the new page's heading.
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  await go(page, '/orgs', 'orgs');
  await shot(page, 'mobile-orgs-en');
  // Tables become stacked, labelled rows: nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  page.assertClean();
  await page.context().close();
});

test('keyboard: the skip link leads to the page, and forms work with Tab and Enter', async () => {
  const page = await openPage(browser, srv.base);
  await page.goto('/#/login');
  await ready(page, 'login');
  // The login field has focus; type, Tab to the password, Enter submits.
  await page.keyboard.type('bianchi');
  await page.keyboard.press('Tab');
  await page.keyboard.type('test-password-1');
  await page.keyboard.press('Enter');
  await ready(page, 'map');
  // On a fresh load, the first Tab reaches the skip link.
  await page.reload();
  await ready(page, 'map');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'skip');
  assert.equal(await text(page, '#skip'), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  assert.match(page.url(), /#\/map$/, 'the skip link does not change the route');
  // Every form control of the page has a label.
  for (const [, hash] of PAGES()) {
    await go(page, hash, hash.startsWith('/orgs/') ? 'org' : hash.startsWith('/area/') ? 'area' : hash.slice(1));
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input:not([type="hidden"]):not([hidden]), main select, main textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map((el) => el.name));
    assert.deepEqual(unlabelled, [], `unlabelled controls on ${hash}`);
  }
  page.allowError(/status of 403/); // tokens and audit, for a viewer
  page.assertClean();
  await page.context().close();
});
