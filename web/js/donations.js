// What the donation pages share (C4): the catalogue, names of items and
// organisations in the current language, quantities with their units,
// places, status and gap badges, progress bars, the sub-navigation of the
// donation pages, and what the user may do with a pledge.
//
// Data: GET /api/v1/donations/items (the catalogue, public, cached for the
// session of the page).  Pledges, shipments and reconciliation rows carry
// item_name {en, zh}, donor_org_name / recipient_org_name {en, zh}.

import { t, lang, countryName } from './i18n.js';
import { api } from './api.js';
import { h, badge } from './dom.js';
import * as session from './session.js';
import { fmtNum, fmtDay } from './situation.js';

// The enumerations of the donation API (docs/openapi.json).
export const SHIP_STATUSES = ['planned', 'dispatched', 'in_transit', 'arrived', 'received', 'lost', 'cancelled'];
// The path of a batch that goes well, in order; lost and cancelled end it.
export const SHIP_PATH = ['planned', 'dispatched', 'in_transit', 'arrived', 'received'];
export const PLEDGE_STATUSES = ['pledged', 'committed', 'cancelled'];
export const PRIORITIES = ['critical', 'high', 'medium', 'low'];
export const DISCREPANCIES = ['none', 'short', 'over', 'damaged', 'wrong_item', 'expired', 'other'];
export const FLAGS = ['short_received', 'over_received', 'discrepancy', 'lost', 'overdue'];
export const DONOR_TYPES = ['government', 'local_government', 'company', 'red_cross_society', 'ngo', 'individual'];
export const NEED_STATUSES = ['open', 'closed'];
// Visibilities the donation forms offer ('listed' needs a list of
// organisations, which these forms do not ask for).
export const VISIBILITIES = ['private', 'partners', 'public'];

// Moves the recipient may make itself (shipment.c: by_recipient); the
// donor makes every other move, and only the recipient records the receipt.
const RECIPIENT_MOVES = new Set(['arrived']);

// ---- catalogue ----

let catalogue = null;
export function items(signal) {
  if (!catalogue) {
    catalogue = api.get('/api/v1/donations/items', { signal }).then((r) => r.items, (err) => {
      catalogue = null;
      throw err;
    });
  }
  return catalogue;
}

// ---- names ----

// {en, zh} -> the current language's text first, the other second.
export function pair(names) {
  const en = names?.en || '';
  const zh = names?.zh || '';
  const [first, second] = lang() === 'zh' ? [zh || en, zh ? en : ''] : [en || zh, en ? zh : ''];
  return { primary: first, secondary: second && second !== first ? second : null };
}

export const itemName = (names) => pair(names).primary;
// A catalogue item {name_en, name_zh}.
export const catalogueName = (it) => pair({ en: it.name_en, zh: it.name_zh }).primary;

// An item's name with the other language beneath.
export function itemCell(names, code) {
  const p = pair(names);
  return h('div', { class: 'name-pair', dataset: { item: code || '' } },
    h('span', { class: 'primary item-name' }, p.primary),
    p.secondary ? h('span', { class: 'secondary', lang: lang() === 'zh' ? 'en' : 'zh-Hans' }, p.secondary) : null);
}

// An organisation's name (with a link to it) and the other language beneath.
export function orgCell(names, id) {
  const p = pair(names);
  return h('div', { class: 'name-pair' },
    id ? h('a', { href: `#/orgs/${id}` }, p.primary) : h('span', { class: 'primary' }, p.primary),
    p.secondary ? h('span', { class: 'secondary' }, p.secondary) : null);
}

export const unitLabel = (unit) => t(`unit.${unit}`);
export const qty = (n, unit) => `${fmtNum(n)} ${unitLabel(unit)}`;

// Daegu, KR-27, Republic of Korea (the parts that are known).
export function placeLabel(p) {
  return [p.city, p.subdivision && !p.city ? p.subdivision : '', countryName(p.country)].filter(Boolean).join(', ');
}

export function pledgeTitle(p) {
  return p.title || t('pledge.numbered', { id: p.id });
}

export const day = (iso) => (iso ? fmtDay(iso) : '—');

// ---- badges ----

const SHIP_KIND = { planned: '', dispatched: 'info', in_transit: 'info', arrived: 'info', received: 'ok', lost: 'danger', cancelled: 'muted' };
const PLEDGE_KIND = { pledged: 'info', committed: 'ok', cancelled: 'muted' };
const PRIORITY_KIND = { critical: 'danger', high: 'warn', medium: 'info', low: 'muted' };

export const shipBadge = (s) => h('span', { class: `badge badge-${SHIP_KIND[s] || 'plain'} ship-${s}`, dataset: { status: s } }, t(`shipStatus.${s}`));
export const pledgeBadge = (s) => h('span', { class: `badge badge-${PLEDGE_KIND[s] || 'plain'}`, dataset: { status: s } }, t(`pledgeStatus.${s}`));
export const priorityBadge = (p) => h('span', { class: `badge badge-${PRIORITY_KIND[p] || 'plain'}`, dataset: { priority: p } }, t(`priority.${p}`));
export const visibilityBadge = (v) => badge(t(`visibility.${v}`), v === 'public' ? 'ok' : 'muted');

// Gaps of a reconciliation row: a warning sign and the words, never the
// colour alone.
export function flagBadges(flags = []) {
  if (!flags.length) return h('span', { class: 'gap-none' }, t('gap.none'));
  return h('span', { class: 'gap-list' }, flags.map((f) => h('span', { class: `badge badge-gap gap-${f}`, dataset: { flag: f } },
    h('span', { 'aria-hidden': 'true' }, '⚠ '), t(`gap.${f}`))));
}

// ---- progress ----

// Bars of pledged, shipped and received against the largest of them,
// numbers beside (the bars are decoration: the numbers say it all).
export function progress({ pledged = 0, shipped = 0, received = 0, unit, needed = null }) {
  const top = Math.max(needed ?? 0, pledged, shipped, received, 1);
  const rows = [];
  if (needed !== null) rows.push(['needed', needed]);
  rows.push(['pledged', pledged], ['shipped', shipped], ['received', received]);
  return h('div', { class: 'progress' }, rows.map(([k, v]) => h('div', { class: `progress-row progress-${k}`, dataset: { measure: k, value: String(v) } },
    h('span', { class: 'progress-label' }, t(`progress.${k}`)),
    h('span', { class: 'progress-track', 'aria-hidden': 'true' },
      h('span', { class: 'progress-fill', style: `width:${Math.min(100, (100 * v) / top).toFixed(1)}%` })),
    h('span', { class: 'progress-value' }, unit ? qty(v, unit) : fmtNum(v)))));
}

// The delivery stage of a pledge from its reconciliation rows (one per
// item): nothing shipped yet, on its way, partly received, received in full.
export function deliveryStage(rows = []) {
  const live = rows.filter((r) => r.pledged > 0);
  if (!live.length) return 'none';
  if (live.every((r) => r.received >= r.pledged)) return 'received';
  if (live.some((r) => r.received > 0)) return 'partial';
  if (live.some((r) => r.shipped > 0)) return 'shipping';
  return 'none';
}
export const DELIVERY_STAGES = ['none', 'shipping', 'partial', 'received'];

// ---- who may do what (a courtesy: the server decides) ----

const myOrg = () => session.org()?.id ?? null;
export const isEditor = () => session.can('editor');
export const isDonorEditor = (p) => isEditor() && myOrg() === p.donor_org;
export const isRecipientEditor = (p) => isEditor() && myOrg() === p.recipient_org;

// The moves of a batch this user may offer: the server's legal next
// statuses (`next`), less those that belong to the other party; the
// receipt has its own form.
export function movesFor(ship, p) {
  const next = (ship.next || []).filter((s) => s !== 'received');
  if (isDonorEditor(p)) return next;
  if (isRecipientEditor(p)) return next.filter((s) => RECIPIENT_MOVES.has(s));
  return [];
}

// ---- the donation pages' tabs ----

const TABS = [
  ['donations', '/donations', 'donations.tabs.board'],
  ['needs', '/needs', 'donations.tabs.needs'],
  ['reconciliation', '/reconciliation', 'donations.tabs.reconciliation'],
];

export function tabs(current) {
  return h('nav', { class: 'subnav', 'aria-label': t('donations.tabs.label') },
    h('ul', {}, TABS.map(([id, path, key]) => h('li', {},
      h('a', { href: `#${path}`, dataset: { tab: id }, 'aria-current': id === current ? 'page' : null }, t(key))))));
}

// A select of a filter: [['', all], ...options].
export function filterSelect({ name, label, value, options, allLabel }) {
  const id = `flt-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name },
      allLabel !== null ? h('option', { value: '' }, allLabel || t('donations.filter.all')) : null,
      options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, l))));
}

// Sums of reconciliation rows per item and unit.
export function sumByItem(rows) {
  const m = new Map();
  for (const r of rows) {
    const k = `${r.item}|${r.unit}`;
    const s = m.get(k) || { item: r.item, unit: r.unit, item_name: r.item_name, pledged: 0, shipped: 0, received: 0, outstanding: 0, planned: 0, lost: 0 };
    for (const f of ['pledged', 'shipped', 'received', 'outstanding', 'planned', 'lost']) s[f] += r[f] || 0;
    m.set(k, s);
  }
  return [...m.values()];
}
