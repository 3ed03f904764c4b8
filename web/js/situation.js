// What the situation pages (the map, an area's page) share: the area
// reference, days as numbers, formatting of indicator values, the risk
// levels and transmission classes, and the names of reporting
// organisations.

import { api, ApiError } from './api.js';
import { t, lang, locale } from './i18n.js';
import * as session from './session.js';
import { h } from './dom.js';

export const RISK_LEVELS = ['low', 'moderate', 'high', 'very_high'];
export const TRANSMISSIONS = ['no_cases', 'sporadic', 'clusters', 'community'];

// ---- the area reference (GET /api/v1/areas), loaded once ----

let areasPromise = null;

// { list, byCode: Map, byNumeric: Map (countries only), children: Map parent -> [areas] }
export function areas() {
  if (!areasPromise) {
    // Not tied to one page's signal: every situation page shares it.
    areasPromise = api.get('/api/v1/areas').then(({ items }) => {
      const byCode = new Map();
      const byNumeric = new Map();
      const children = new Map();
      for (const a of items) {
        byCode.set(a.code, a);
        if (!a.subdivision && a.numeric != null) byNumeric.set(a.numeric, a);
        if (a.parent) {
          if (!children.has(a.parent)) children.set(a.parent, []);
          children.get(a.parent).push(a);
        }
      }
      return { list: items, byCode, byNumeric, children };
    });
    areasPromise.catch(() => { areasPromise = null; });
  }
  return areasPromise;
}

// The area's name in the current language, and in the other one.
export function areaName(a) {
  if (!a) return '';
  return lang() === 'zh' ? (a.name_zh || a.name_en) : (a.name_en || a.name_zh);
}
export function areaOtherName(a) {
  if (!a) return '';
  const other = lang() === 'zh' ? a.name_en : a.name_zh;
  return other && other !== areaName(a) ? other : '';
}

// ---- days ----
// A day is 'YYYY-MM-DD' (UTC); as a number, days since 1970-01-01.

export function dayNum(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86400000);
}
export function dayIso(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }
export function addDays(iso, n) { return dayIso(dayNum(iso) + n); }
export function today() { return new Date().toISOString().slice(0, 10); }
export const isDay = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && dayIso(dayNum(s)) === s;

const dayFormats = {};
// A day in the current language ("1 Mar 2020", "2020年3月1日").
export function fmtDay(iso, style = 'medium') {
  if (!iso) return '';
  const key = `${locale()}|${style}`;
  dayFormats[key] ||= new Intl.DateTimeFormat(locale(), style === 'short'
    ? { month: 'short', day: 'numeric', timeZone: 'UTC' }
    : { dateStyle: style, timeZone: 'UTC' });
  return dayFormats[key].format(new Date(`${iso}T00:00:00Z`));
}

// ---- numbers ----

const numFormats = {};
// n with `digits` decimals, grouped per language; '—' when absent.
export function fmtNum(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const key = `${locale()}|${digits}`;
  numFormats[key] ||= new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return numFormats[key].format(n);
}

// ---- vocabulary ----

export function riskBadge(level, { proposed = false } = {}) {
  if (!level) return null;
  return h('span', {
    class: ['badge', `risk-${level}`, proposed && 'risk-proposed'],
    dataset: { risk: level, proposed: proposed ? 'true' : null },
  }, proposed ? t('risk.proposedLevel', { level: t(`risk.level.${level}`) }) : t(`risk.level.${level}`));
}

export function transmissionLabel(tr) {
  return tr ? t(`transmission.${tr}`) : '';
}

// A report says "no cases" when its classification says so, or when its
// cumulative count is zero (distinct from "no report").
export function saysNoCases(r) {
  return !!r && (r.transmission === 'no_cases' || r.cum_confirmed === 0);
}

// Several organisations may report the same area and day: the map shows the
// report of the organisation with the most reports that day (the main
// source), and counts the others.  Map area -> { report, others }.
export function onePerArea(items) {
  const perOrg = new Map();
  for (const r of items) perOrg.set(r.owner_org, (perOrg.get(r.owner_org) || 0) + 1);
  const rank = (r) => perOrg.get(r.owner_org);
  const out = new Map();
  for (const r of items) {
    const cur = out.get(r.area);
    if (!cur) { out.set(r.area, { report: r, others: 0 }); continue; }
    cur.others += 1;
    if (rank(r) > rank(cur.report) || (rank(r) === rank(cur.report) && r.owner_org < cur.report.owner_org)) cur.report = r;
  }
  return out;
}

// ---- the days with reports ----

// The first and last day with a report visible to the caller.  The API has
// no call for this yet.  The series of the first report's area from its
// organisation gives the likely range (imports cover their areas over the
// same days); two questions confirm it: "a report before the first day?"
// and "after the last?" (GET /api/v1/sitreps?to=|from=&limit=1, each a
// scan of the reports on the server).  When one is answered yes, that edge
// is searched by galloping and bisection with the same question.
//
// Resolves to null when there is no report, else to
//   { range: { first, last }, confirm: () => Promise<{ first, last }> }
// so that the map draws the likely range at once, asks for the confirmation
// once its day is drawn (the server answers one request at a time), and
// adjusts in the rare case it differs.  Confirmed ranges are kept a few
// minutes.
let rangeCache = null;
const RANGE_TTL_MS = 5 * 60 * 1000;

export async function reportedRange(signal) {
  const who = session.user()?.id ?? 0;
  if (rangeCache && rangeCache.who === who && Date.now() - rangeCache.at < RANGE_TTL_MS) {
    const { range } = rangeCache;
    return range && { range, confirm: () => Promise.resolve(range) };
  }
  const one = await api.get('/api/v1/sitreps', { query: { limit: 1 }, signal });
  const r0 = one.items?.[0];
  if (!r0) {
    rangeCache = { who, at: Date.now(), range: null };
    return null;
  }
  const s = await api.get(`/api/v1/areas/${encodeURIComponent(r0.area)}/series`, { query: { org: r0.owner_org }, signal });
  const f = dayNum(s.dates?.[0] || r0.date);
  const l = dayNum(s.dates?.[s.dates.length - 1] || r0.date);
  const any = async (q) => ((await api.get('/api/v1/sitreps', { query: { ...q, limit: 1 }, signal })).items || []).length > 0;
  const before = (d) => any({ to: dayIso(d) });
  const after = (d) => any({ from: dayIso(d) });
  let confirmed = null;
  const confirm = () => {
    confirmed ||= (async () => {
      // One after the other: the server answers them with full scans.
      const first = await before(f - 1) ? await edge(f - 1, -1, dayNum('1900-01-01'), before) : f;
      const last = await after(l + 1) ? await edge(l + 1, 1, dayNum(today()) + 1, after) : l;
      const range = { first: dayIso(first), last: dayIso(last) };
      rangeCache = { who, at: Date.now(), range };
      return range;
    })();
    return confirmed;
  };
  return { range: { first: dayIso(f), last: dayIso(l) }, confirm };
}

// The farthest day from `known` (where probe is true) in direction dir
// (+1 or -1), not beyond `limit`, for a probe that is true up to an edge
// and false past it.
async function edge(known, dir, limit, probe) {
  let good = known;
  let bad = null;
  for (let step = 1; bad === null; step *= 2) {
    const d = dir > 0 ? Math.min(good + step, limit) : Math.max(good - step, limit);
    if (d === good) return good;
    if (await probe(d)) good = d; else bad = d;
  }
  while (Math.abs(bad - good) > 1) {
    const mid = Math.trunc((good + bad) / 2);
    if (await probe(mid)) good = mid; else bad = mid;
  }
  return good;
}

// ---- organisations that report ----

const orgCache = new Map();

// Names of organisations by id (the directory is public): Map id -> org,
// or null for one that cannot be read.
export async function orgsById(ids, signal) {
  const want = [...new Set(ids.filter((id) => id != null))];
  await Promise.all(want.filter((id) => !orgCache.has(id)).map(async (id) => {
    try {
      orgCache.set(id, await api.get(`/api/v1/orgs/${id}`, { signal }));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      orgCache.set(id, null);
    }
  }));
  return new Map(want.map((id) => [id, orgCache.get(id) || null]));
}

// An organisation's name in the current language, or "organisation 3".
export function orgLabel(orgs, id) {
  const o = orgs?.get(id);
  if (!o) return t('situation.orgId', { id });
  return lang() === 'zh' ? (o.name_zh || o.name_en) : (o.name_en || o.name_zh);
}
