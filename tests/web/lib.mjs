// Browser-test harness: a real epibridge server on a fresh database (through
// tests/api/lib.mjs) serving this checkout's web/, and Debian's Chromium
// driven by playwright-core.
//
// Every page a test opens records console errors and uncaught exceptions;
// page.assertClean() fails the test on any that the test did not expect
// (an expected 401/403 shows in Chromium's console as "Failed to load
// resource: ... 401", and is allowed by the test that provokes it).
import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startServer, loginAs, tokenClient, cli, cleanupDb, PASSWORD, ROOT } from '../api/lib.mjs';

export { PASSWORD, ROOT, loginAs, tokenClient, cli, cleanupDb };

export const SHOTS = process.env.EB_SHOTS || '/tmp/shots';
const CHROMIUM = process.env.EB_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Starts a server with the operator organisation (1) and its admin "root".
export async function startWeb(opts = {}) {
  return startServer({ ...opts, args: ['--web', join(ROOT, 'web'), ...(opts.args || [])] });
}

export async function launch() {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    throw new Error(`playwright-core is not installed: run sh scripts/web-assets.sh (npm ci) first\n${err.message}`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: sh scripts/install-deps.sh check installs Debian's (or set EB_CHROMIUM)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

// A new browser context (its own cookies and localStorage) with one page.
// locale defaults to en-GB so that the first language is English.
export async function openPage(browser, base, { locale = 'en-GB', viewport = { width: 1280, height: 860 } } = {}) {
  const context = await browser.newContext({ baseURL: base, locale, viewport });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const problems = [];
  const allowed = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location()?.url || ''})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // allowError(/status of 401/) accepts the console errors matching the pattern.
  page.allowError = (re) => allowed.push(re);
  page.assertClean = () => {
    const left = problems.filter((p) => !allowed.some((re) => re.test(p)));
    assert.deepEqual(left, [], `console errors on the page:\n${left.join('\n')}`);
  };
  page.problems = problems;
  return page;
}

// Waits until the page with this id has drawn (<main data-page aria-busy=false>).
export async function ready(page, id) {
  const sel = id ? `main[data-page="${id}"][aria-busy="false"]` : 'main[aria-busy="false"]';
  await page.waitForSelector(sel);
}

export async function go(page, hash, id) {
  await page.goto(`/#${hash}`);
  await ready(page, id);
}

// After a login the home page shows: the situation map (the first nav entry).
export async function login(page, loginName, password = PASSWORD, landing = 'map') {
  await page.goto('/#/login');
  await ready(page, 'login');
  await page.fill('input[name="login"]', loginName);
  await page.fill('input[name="password"]', password);
  await page.click('form.login-form button[type="submit"]');
  if (landing) await ready(page, landing);
}

export async function logout(page) {
  await page.click('button[data-act="logout"]');
  await ready(page, 'login');
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export const text = async (page, sel) => (await page.textContent(sel))?.trim();

// Creates an organisation with an admin through the CLI.  Returns its id.
export function addOrg(db, { kind = 'ministry_of_health', en, zh, country }) {
  const args = ['org', 'add', '--kind', kind, '--name-en', en, '--country', country];
  if (zh) args.push('--name-zh', zh);
  return JSON.parse(cli(db, ...args)).id;
}

export function addUser(db, org, loginName, { role = 'admin', name = null, lang = 'en' } = {}) {
  return JSON.parse(cli(db, 'user', 'add', '--org', String(org), '--login', loginName,
    '--name', name || loginName, '--role', role, '--lang', lang, '--password', PASSWORD));
}
