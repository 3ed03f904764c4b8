// What the alert pages (C3: inbox, an alert, compose, joint statements,
// subscriptions, public alerts) share: the CAP vocabulary and its labels,
// text of a message in the reader's language, areas and organisations by
// name, the organisation's live event stream and its unread count (the
// badge on the nav's "Alerts").
//
// The event stream (GET /api/v1/events) is opened once a user is logged in,
// whatever page is shown, so that the badge stays current: an "alert" event
// is a new message in the organisation's inbox; "read", "ack" and "webhook"
// events tell the sender about its recipients.  The browser's EventSource
// reconnects by itself after a dropped connection (sending Last-Event-ID);
// when it gives up (an HTTP error, the server restarting), the stream is
// opened again after a pause with ?last_event_id=, so the server replays
// what was missed.

import { api, ApiError } from './api.js';
import { t, lang, countryName, orgNames, fmtDateTime } from './i18n.js';
import * as session from './session.js';
import { h, badge, notify } from './dom.js';
import { loadCss } from './vendor.js';
import { areas } from './situation.js';

export {
  ALERT_KINDS, SCOPES, MSG_TYPES, CAP_STATUSES, URGENCIES, SEVERITIES, CERTAINTIES, ALERT_STATES,
  DECISIONS, SUB_KINDS, INFO_LANGS,
} from './constants.js';

// The pages' stylesheet; the nav's badge needs it on every page.
export const css = () => loadCss('/css/alerts.css');
css().catch(() => {});

// ---- labels ----

// kind, scope, msgType, status, urgency, severity, certainty, state, decision
export const label = (group, value) => (value ? t(`alerts.${group}.${value}`) : '');

export function kindBadge(kind) {
  return h('span', { class: ['badge', `alert-kind alert-kind-${kind}`], dataset: { kind } }, label('kind', kind));
}

export function msgTypeBadge(a) {
  if (!a.msgType || a.msgType === 'Alert') return null;
  return badge(label('msgType', a.msgType), a.msgType === 'Cancel' ? 'warn' : 'info');
}

export function severityBadge(sev) {
  if (!sev || sev === 'Unknown') return null;
  return h('span', { class: ['badge', `sev sev-${sev.toLowerCase()}`], dataset: { severity: sev } }, label('severity', sev));
}

// ---- text of a message in the reader's language ----

// The CAP messages of this session, by id (messages do not change once
// issued; a draft's text does not either).
const caps = new Map();
export function rememberCap(a) {
  if (a && a.cap) caps.set(a.id, a.cap);
  return a;
}
export function cachedCap(id) { return caps.get(id) || null; }

const primary = (l) => (l || '').toLowerCase().split('-')[0];

// The info blocks of a CAP message, the one in the current language first.
export function infosByLang(cap) {
  const infos = Array.isArray(cap?.info) ? cap.info.slice() : [];
  const l = lang();
  const rank = (i) => (primary(i.language) === l ? 0 : primary(i.language) === 'en' ? 1 : 2);
  return infos.map((info, i) => [info, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([info]) => info);
}

// The headline of a message in the current language when the CAP text is
// known (full reads, events), else the main one the list carries.
export function headline(a) {
  const info = infosByLang(a?.cap || caps.get(a?.id))[0];
  return (info && (info.headline || info.event)) || a?.headline || a?.event || t('alerts.noHeadline');
}

// The language a headline() is in, for the lang attribute.
export function headlineLang(a) {
  const info = infosByLang(a?.cap || caps.get(a?.id))[0];
  return htmlLang(info?.language);
}

export function htmlLang(l) {
  const p = primary(l);
  if (!p) return null;
  return p === 'zh' ? 'zh-Hans' : p;
}

export function langName(l) {
  const p = primary(l);
  return ['en', 'zh'].includes(p) ? t(`lang.${p}`) : l;
}

// ---- names ----

export function ownerName(a) {
  return a?.owner ? orgNames(a.owner).primary : t('alerts.orgId', { id: a?.owner_org });
}

// Names of areas (countries and subdivisions) in the current language:
// from the area reference when it is loaded, else the browser's country names.
let areaRef = null;
export async function loadAreas() {
  if (!areaRef) areaRef = await areas();
  return areaRef;
}
export function areaLabel(code) {
  const a = areaRef?.byCode.get(code);
  if (a) return lang() === 'zh' ? (a.name_zh || a.name_en) : (a.name_en || a.name_zh);
  return /^[A-Z]{2}$/.test(code) ? countryName(code) : code;
}
export function areasText(codes) {
  return (codes || []).map(areaLabel).join(lang() === 'zh' ? '、' : ', ');
}

// The organisations of the directory (GET /api/v1/orgs, every page), for
// the pickers and for names by id.  Kept for the session.
let directory = null;
const MAX_DIRECTORY = 5000;
export function loadDirectory(signal) {
  if (!directory) {
    directory = (async () => {
      const all = [];
      let cursor = null;
      do {
        const page = await api.get('/api/v1/orgs', { query: { limit: 1000, cursor }, signal });
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor && all.length < MAX_DIRECTORY);
      return all;
    })();
    directory.catch(() => { directory = null; });
  }
  return directory;
}

export function orgLabelOf(orgs, id) {
  const o = orgs.find((x) => x.id === id);
  return o ? orgNames(o).primary : t('alerts.orgId', { id });
}

// ---- times ----

// A CAP date-time ("2020-03-01T10:00:00+01:00") or RFC 3339 in the reader's language.
export function when(iso) {
  return iso ? h('time', { datetime: iso }, fmtDateTime(iso)) : '—';
}

// A datetime-local value ("2020-03-01T10:00") as CAP text with the
// browser's offset for that moment: "2020-03-01T10:00:00+01:00".
export function capTime(local) {
  if (!local) return null;
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const base = local.length === 16 ? `${local}:00` : local.slice(0, 19);
  return `${base}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

// An instant as a datetime-local value in the browser's time zone.
export function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ---- the organisation's receipt of a message ----

// Inbox rows seen in this session, by alert id ({delivered_at, read_at,
// acknowledged_at, acknowledged_by}).
const receipts = new Map();
export function rememberReceipt(item) {
  if (item && item.alert_id) receipts.set(item.alert_id, item);
  return item;
}

// The inbox row of a message, or null when it is not in the organisation's
// inbox.  The alert record does not say; the inbox is read newest first
// until deliveries older than the message's issue.
export async function findReceipt(a, signal) {
  if (receipts.has(a.id)) return receipts.get(a.id);
  if (!session.loggedIn() || a.owner_org === session.org()?.id || a.state !== 'issued') return null;
  const issued = Date.parse(a.issued_at || a.created_at || 0);
  let cursor = null;
  for (let n = 0; n < 5; n++) {
    const page = await api.get('/api/v1/inbox', { query: { limit: 200, cursor }, signal });
    for (const item of page.items) {
      rememberReceipt(item);
      if (item.alert_id === a.id) return item;
    }
    const last = page.items[page.items.length - 1];
    cursor = page.next_cursor;
    if (!cursor || !last || Date.parse(last.delivered_at) < issued - 60000) break;
  }
  return null;
}

export function receiptState(r) {
  if (!r) return null;
  if (r.acknowledged_at) return 'acknowledged';
  if (r.read_at) return 'read';
  return 'unread';
}

export function receiptBadge(r) {
  const s = receiptState(r);
  if (!s) return null;
  return h('span', { class: ['badge', `receipt receipt-${s}`], dataset: { receipt: s } }, t(`alerts.receipt.${s}`));
}

// ---- live: unread count and the event stream ----

const unread = new Set();   // alert ids unread in the organisation's inbox
let unreadMore = false;     // more than the ones counted
let unreadKnown = false;
const listeners = new Set();
let es = null;
let esUser = null;
let lastSeq = null;
let retryTimer = null;
let retryDelay = 3000;
let liveState = 'closed';   // 'connecting' | 'open' | 'closed'
let broken = false;         // the stream failed since it was last open
const UNREAD_PAGE = 200;

// fn(type, data) for every event ('alert', 'read', 'ack', 'webhook'),
// 'unread' and 'state' changes, and 'resync' when the stream is back after
// a break.  Returns the function that stops it.
export function onLive(fn, signal) {
  listeners.add(fn);
  const stop = () => listeners.delete(fn);
  signal?.addEventListener('abort', stop, { once: true });
  return stop;
}

function emit(type, data) {
  for (const fn of [...listeners]) {
    try { fn(type, data); } catch (err) { console.error(err); }
  }
}

export function liveStatus() { return liveState; }
export function unreadCount() { return { count: unread.size, more: unreadMore, known: unreadKnown }; }

function setState(s) {
  if (liveState === s) return;
  liveState = s;
  emit('state', s);
}

// Counts the unread messages again (the first page of GET /inbox?unread=true).
export async function refreshUnread() {
  if (!session.loggedIn()) return;
  const who = session.user()?.id;
  try {
    const page = await api.get('/api/v1/inbox', { query: { unread: 'true', limit: UNREAD_PAGE } });
    if (session.user()?.id !== who) return;
    unread.clear();
    for (const item of page.items) unread.add(item.alert_id);
    unreadMore = !!page.next_cursor;
    unreadKnown = true;
    updateBadge();
    emit('unread', unreadCount());
  } catch (err) {
    if (!(err instanceof ApiError)) console.error(err);
  }
}

export function markedRead(alertId) {
  if (unread.delete(alertId)) {
    updateBadge();
    emit('unread', unreadCount());
    if (unreadMore && unread.size < UNREAD_PAGE / 2) refreshUnread();
  }
}

function open() {
  clearTimeout(retryTimer);
  retryTimer = null;
  const url = lastSeq !== null ? `/api/v1/events?last_event_id=${encodeURIComponent(lastSeq)}` : '/api/v1/events';
  const src = new EventSource(url);
  es = src;
  setState('connecting');
  src.addEventListener('open', () => {
    if (es !== src) return;
    retryDelay = 3000;
    setState('open');
    // Back after a break: what the stream may not replay (it replays only
    // after the last event seen, and the count may have moved in another
    // browser) is read again; pages showing the inbox hear 'resync'.
    if (broken) {
      broken = false;
      refreshUnread();
      emit('resync');
    }
  });
  src.addEventListener('error', () => {
    if (es !== src) return;
    broken = true;
    if (src.readyState === EventSource.CLOSED) {
      // The browser gave up (an HTTP error): try again later, replaying from
      // the last event seen.
      src.close();
      es = null;
      setState('closed');
      retryTimer = setTimeout(() => { if (session.loggedIn()) open(); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60000);
    } else {
      setState('connecting');
    }
  });
  const handle = (type) => (ev) => {
    if (es !== src) return;
    if (ev.lastEventId) lastSeq = ev.lastEventId;
    let data;
    try { data = JSON.parse(ev.data); } catch { return; }
    if (type === 'alert' && data.alert) {
      const a = rememberCap(data.alert);
      if (a.owner_org !== session.org()?.id && !unread.has(a.id) && !receipts.get(a.id)?.read_at) {
        if (!receipts.has(a.id)) {
          receipts.set(a.id, { alert_id: a.id, delivered_at: new Date().toISOString(), read_at: null, acknowledged_at: null });
        }
        unread.add(a.id);
        updateBadge();
        emit('unread', unreadCount());
        announce(a);
      }
    }
    emit(type, data);
  };
  for (const type of ['alert', 'read', 'ack', 'webhook']) src.addEventListener(type, handle(type));
}

function start() {
  const u = session.user();
  if (!u) return;
  if (esUser === u.id && (es || retryTimer)) return;
  stop();
  esUser = u.id;
  open();
  refreshUnread();
}

function stop() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (es) es.close();
  es = null;
  esUser = null;
  lastSeq = null;
  retryDelay = 3000;
  broken = false;
  unread.clear();
  unreadMore = false;
  unreadKnown = false;
  receipts.clear();
  setState('closed');
  updateBadge();
}

session.onSessionChange((s) => (s ? start() : stop()));

// Back to a tab after a while: the count may have changed elsewhere.
let hiddenAt = 0;
document.addEventListener('visibilitychange', () => {
  if (document.hidden) { hiddenAt = Date.now(); return; }
  if (session.loggedIn() && hiddenAt && Date.now() - hiddenAt > 30000) refreshUnread();
});

// ---- the nav's badge ----

const badgeEl = h('span', { class: 'nav-badge', hidden: true, dataset: { unread: '0' } });

function updateBadge() {
  const n = unread.size;
  badgeEl.hidden = n === 0;
  badgeEl.dataset.unread = String(n);
  if (!n) {
    badgeEl.replaceChildren();
    return;
  }
  const shown = unreadMore ? `${n}+` : String(n);
  badgeEl.replaceChildren(
    h('span', { 'aria-hidden': 'true' }, shown),
    h('span', { class: 'sr-only' }, ` (${t('alerts.unreadCount', { count: shown })})`));
}

// The nav entry's badge (registerPage nav.badge): the same element each
// time the header is drawn, its text in the current language.
export function navBadge() {
  updateBadge();
  return badgeEl;
}

// ---- a notice for a new message ----

export function announce(a) {
  notify(t('alerts.arrived', { from: ownerName(a), headline: headline(a) }));
}

// ---- the alert pages' own navigation ----

// Inbox · Joint statements · Subscriptions (admins) · Public alerts, and
// "New message" for editors.
export function alertTabs(current) {
  const tabs = [
    ['alerts', '#/alerts', 'alerts.tabs.inbox', true],
    ['statements', '#/statements', 'alerts.tabs.statements', true],
    ['subscriptions', '#/subscriptions', 'alerts.tabs.subscriptions', session.can('admin')],
    ['public-alerts', '#/public-alerts', 'alerts.tabs.public', true],
  ].filter(([, , , show]) => show);
  return h('nav', { class: 'subnav', 'aria-label': t('alerts.tabs.label') },
    h('ul', {}, tabs.map(([id, href, key]) => h('li', {},
      h('a', { href, dataset: { tab: id }, 'aria-current': id === current ? 'page' : null }, t(key))))),
    session.can('editor') && current !== 'compose'
      ? h('a', { class: 'btn btn-small', href: '#/alerts/new', dataset: { act: 'compose' } }, t('alerts.tabs.compose'))
      : null);
}

// "Live" / "Reconnecting…" beside a page's title, kept current.
export function liveIndicator(signal) {
  const el = h('span', { class: 'live-indicator', role: 'status' });
  const draw = () => {
    const s = liveStatus();
    el.dataset.live = s;
    el.replaceChildren(h('span', { class: 'live-dot', 'aria-hidden': 'true' }), t(`alerts.live.${s}`));
  };
  draw();
  onLive((type) => { if (type === 'state') draw(); }, signal);
  return el;
}

// Fetches the CAP text of messages not yet seen in full, so that lists
// show headlines in the reader's language: the newest visible messages in
// one request, then those still missing one by one (public ones excepted:
// a single read of a public message counts as a view).
export async function ensureCaps(list, signal) {
  let missing = list.filter((a) => a && !caps.has(a.id));
  if (!missing.length) return;
  try {
    const page = await api.get('/api/v1/alerts', { query: { full: 'true', limit: 100 }, signal });
    for (const a of page.items) rememberCap(a);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  missing = missing.filter((a) => !caps.has(a.id) && a.visibility !== 'public').slice(0, 50);
  await Promise.all(missing.map(async (a) => {
    try {
      rememberCap(await api.get(`/api/v1/alerts/${a.id}`, { signal }));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }));
}
