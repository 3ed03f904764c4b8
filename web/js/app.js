// The dashboard shell: loads the dictionaries and the session, draws the
// header (brand, nav, language switch, user menu) and routes the hash
// (#/orgs/3?x=1) to one registered page at a time.
//
// A page gets a context:
//   ctx.el        the element to draw into (inside <main>)
//   ctx.params    route parameters ({ id: '3' } for '/orgs/:id')
//   ctx.query     URLSearchParams of the hash's query
//   ctx.signal    aborted when the user leaves the page; pass it to api calls
//   ctx.navigate(path, query?)   go to another route
//   ctx.setQuery(query)          same page, new query (filters, paging)
//   ctx.refresh()                draw the page again
//   ctx.afterLogin(session, next) apply the user's language and go on
// While a page draws, <main aria-busy="true" data-page="<id>">; the browser
// tests wait for aria-busy="false".

import { t, setLang, lang, initialLang, loadDictionaries, onLangChange, LANGS } from './i18n.js';
import { api, onUnauthorized, isAbort, ApiError } from './api.js';
import * as session from './session.js';
import { match, navEntries } from './registry.js';
import { h, alertBox, notify } from './dom.js';
import './pages/index.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
const skip = document.getElementById('skip');

let controller = null;
let routeSeq = 0;
let firstRender = true;
let navOpen = false;
let pendingNotice = null;
// A control to give focus back to after the next route (the language
// switch redraws the page under the user's keyboard focus).
let focusAfterRoute = null;
// Set while a language change must not redraw the page by itself.
let quietLang = false;

// ---- hash parsing ----

function parseHash() {
  const raw = location.hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  return { path: path || '/', query };
}

function hashFor(path, query) {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams();
  if (query && !(query instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

function navigate(path, query, { replace = false } = {}) {
  const target = hashFor(path, query);
  if (target === location.hash) { route(); return; }
  if (replace) location.replace(target);
  else location.hash = target;
}

function allowed(page) {
  if (page.public) return !page.anonymousOnly || !session.loggedIn();
  return session.loggedIn() && session.can(page.minRole);
}

// The first nav entry the visitor may see: the situation map, which is
// public; an anonymous visitor with no public page to see logs in.
function homePath() {
  const first = navEntries('main', allowed)[0];
  if (!session.loggedIn()) return first ? first.path : '/login';
  return first ? first.path : '/profile';
}

// ---- header ----

async function switchLang(l) {
  if (l === lang()) return;
  if (session.loggedIn()) {
    try {
      const u = await api.patch('/api/v1/me', { lang: l });
      session.updateUser(u);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) notify(t('lang.saveFailed'), 'error');
      if (err instanceof ApiError && err.status === 401) return;
    }
  }
  focusAfterRoute = `.lang-switch button[data-lang="${l}"]`;
  setLang(l);
}

function renderHeader() {
  const { path } = parseHash();
  const m = match(path);
  const currentNav = m ? (m.page.navParent || m.page.id) : null;
  // nav.anonymous: an entry for visitors who are not logged in only.
  const entries = navEntries('main', allowed).filter((p) => !(p.nav.anonymous && session.loggedIn()));
  const u = session.user();
  const o = session.org();

  const langSwitch = h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('lang.label') },
    LANGS.map((l) => h('button', {
      type: 'button',
      class: 'lang-btn',
      lang: l === 'zh' ? 'zh-Hans' : 'en',
      'aria-pressed': String(l === lang()),
      'aria-label': t(`lang.${l}`),
      dataset: { lang: l },
      onclick: () => switchLang(l),
    }, t(`lang.short.${l}`))));

  const navId = 'main-nav';
  const nav = entries.length ? h('nav', { id: navId, class: ['main-nav', navOpen && 'open'], 'aria-label': t('nav.label') },
    h('ul', {}, entries.map((p) => h('li', {},
      h('a', {
        href: `#${p.path}`,
        dataset: { nav: p.id },
        'aria-current': p.id === currentNav ? 'page' : null,
      }, t(p.nav.label), p.nav.badge ? p.nav.badge() : null))))) : null;

  const userMenu = u ? h('div', { class: 'user-menu' },
    navEntries('user', allowed).map((p) => h('a', {
      href: `#${p.path}`,
      class: 'user-link',
      dataset: { nav: p.id },
      'aria-current': p.id === currentNav ? 'page' : null,
    }, h('span', { class: 'user-name' }, u.name || u.login),
    h('span', { class: 'user-org' }, `${t(`role.${u.role}`)} · ${orgLabel(o)}`))),
    h('button', { type: 'button', class: 'btn btn-ghost', dataset: { act: 'logout' }, onclick: doLogout }, t('nav.logout'))) : null;

  top.replaceChildren(
    h('div', { class: 'topbar-inner' },
      h('a', { class: 'brand', href: '#/' },
        h('img', { src: '/favicon.svg', alt: '', width: 28, height: 28 }),
        h('span', { class: 'brand-text' },
          h('span', { class: 'brand-name' }, 'epibridge'),
          h('span', { class: 'brand-tag' }, t('app.tagline')))),
      nav ? h('button', {
        type: 'button', class: 'nav-toggle', 'aria-controls': navId, 'aria-expanded': String(navOpen),
        onclick: () => {
          navOpen = !navOpen;
          renderHeader();
          top.querySelector('.nav-toggle')?.focus();
        },
      }, t('nav.menu')) : null,
      nav,
      h('div', { class: 'tools' }, langSwitch, userMenu || loginLink(m))));
  skip.textContent = t('app.skip');
}

// For anonymous visitors on a public page: a way to log in and come back.
function loginLink(m) {
  if (session.loggedIn() || !m || m.page.anonymousOnly) return null;
  const next = location.hash.replace(/^#/, '');
  return h('a', { class: 'btn btn-ghost', href: hashFor('/login', { next }), dataset: { act: 'login' } }, t('nav.login'));
}

function orgLabel(o) {
  if (!o) return '';
  return lang() === 'zh' ? (o.name_zh || o.name_en) : (o.name_en || o.name_zh);
}

async function doLogout() {
  await session.logout();
  pendingNotice = t('login.loggedOut');
  navigate('/login');
}

// ---- routing ----

async function route() {
  const seq = ++routeSeq;
  navOpen = false;
  const { path, query } = parseHash();
  if (path === '/') { navigate(homePath(), null, { replace: true }); return; }
  const m = match(path);
  if (m && !m.page.public && !session.loggedIn()) {
    const next = location.hash.replace(/^#/, '');
    navigate('/login', { next }, { replace: true });
    return;
  }
  if (m && m.page.anonymousOnly && session.loggedIn()) {
    navigate(homePath(), null, { replace: true });
    return;
  }
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;

  renderHeader();
  const page = m ? m.page : null;
  document.title = `${page ? t(page.title) : t('notFound.title')} · epibridge`;
  main.setAttribute('aria-busy', 'true');
  main.dataset.page = page ? page.id : 'not-found';
  main.dataset.draw = String(seq); // counts draws; the tests check for redundant ones
  const el = h('div', { class: 'page' });
  main.replaceChildren(el);
  if (pendingNotice) {
    el.append(h('div', { class: 'alert alert-info', role: 'status' }, pendingNotice));
    pendingNotice = null;
  }
  const ctx = {
    el,
    params: m ? m.params : {},
    query,
    signal,
    navigate,
    setQuery: (q) => navigate(path, q),
    refresh: () => route(),
    afterLogin,
  };
  try {
    // A page whose role the nav hides still draws when opened directly: its
    // requests then fail with the server's own 403, which is what is shown.
    if (!page) renderNotFound(ctx);
    else await page.render(ctx);
  } catch (err) {
    if (isAbort(err) || seq !== routeSeq) return;
    el.append(alertBox(err));
    if (!(err instanceof ApiError)) console.error(err);
  }
  if (seq !== routeSeq) return;
  main.setAttribute('aria-busy', 'false');
  // Move focus to the new page (its autofocus control, else its heading) so
  // keyboard and screen-reader users land on it; not on the very first load.
  const keep = focusAfterRoute && document.querySelector(focusAfterRoute);
  focusAfterRoute = null;
  const target = keep || main.querySelector('[data-autofocus]') || (firstRender ? null : main.querySelector('h1'));
  if (target) target.focus();
  firstRender = false;
}

function renderNotFound(ctx) {
  ctx.el.append(
    h('h1', { tabindex: '-1' }, t('notFound.title')),
    h('p', {}, t('notFound.text')),
    h('p', {}, h('a', { href: '#/' }, t('notFound.home'))));
}

// ---- start ----

async function start() {
  await loadDictionaries();
  setLang(initialLang());
  skip.addEventListener('click', (ev) => {
    ev.preventDefault();
    (main.querySelector('h1') || main).focus();
  });
  session.onSessionChange(() => renderHeader());
  onUnauthorized(() => {
    if (!session.loggedIn()) return;
    session.forget();
    pendingNotice = t('login.expired');
    navigate('/login', { next: location.hash.replace(/^#/, '') });
  });
  try {
    const s = await session.restore();
    if (s?.user?.lang) setLang(s.user.lang);
  } catch (err) {
    main.replaceChildren(alertBox(err));
  }
  // Registered only now, so that applying the user's language above does
  // not draw the page a second time.
  onLangChange(() => { if (!quietLang) route(); });
  window.addEventListener('hashchange', route);
  await route();
}

// After a login (ctx.afterLogin): the user's language, then where they were going.
function afterLogin(s, next) {
  // The navigation below draws the next page once, in the user's language.
  quietLang = true;
  try {
    if (s?.user?.lang) setLang(s.user.lang);
  } finally {
    quietLang = false;
  }
  const target = next && next.startsWith('/') && !next.startsWith('/login') ? next : homePath();
  const q = target.indexOf('?');
  navigate(q >= 0 ? target.slice(0, q) : target, q >= 0 ? new URLSearchParams(target.slice(q + 1)) : null);
}

start().catch((err) => {
  console.error(err);
  main.setAttribute('aria-busy', 'false');
  main.replaceChildren(h('div', { class: 'alert alert-error', role: 'alert' }, String(err.message || err)));
});
