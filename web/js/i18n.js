// Translations and locale-aware formatting.
//
// Every visible string lives in web/i18n/<lang>.json under a dotted key
// ("nav.orgs", "kind.embassy").  t(key, vars) looks the key up in the current
// language and fills {name} placeholders from vars.  A key missing from the
// current dictionary is a bug: it is reported with console.error (which the
// browser tests fail on) and the key itself is shown.
//
// The language is chosen, in order, by: the logged-in user's `lang` (applied
// by app.js at login and on page load), then localStorage (an anonymous
// visitor's choice), then the browser's language.

export const LANGS = ['en', 'zh'];
const HTML_LANG = { en: 'en', zh: 'zh-Hans' };
const LOCALE = { en: 'en-GB', zh: 'zh-CN' };
const STORE_KEY = 'eb.lang';

const dicts = {};
let current = 'en';
const listeners = new Set();

// Loads every dictionary (they are small) so that switching is instant.
export async function loadDictionaries() {
  await Promise.all(LANGS.map(async (l) => {
    const res = await fetch(`/i18n/${l}.json`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`cannot load /i18n/${l}.json: ${res.status}`);
    dicts[l] = await res.json();
  }));
}

export function lang() { return current; }

// The language to start with before any session is known.
export function initialLang() {
  let stored = null;
  try { stored = localStorage.getItem(STORE_KEY); } catch { /* storage disabled */ }
  if (LANGS.includes(stored)) return stored;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

// Switches the language, remembers it in localStorage and tells listeners
// (the shell re-renders the header and the current page).
export function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  try { localStorage.setItem(STORE_KEY, l); } catch { /* storage disabled */ }
  document.documentElement.lang = HTML_LANG[l];
  if (l === current) return;
  current = l;
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function lookup(dict, key) {
  let v = dict;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in v)) return undefined;
    v = v[part];
  }
  return typeof v === 'string' ? v : undefined;
}

export function has(key) { return lookup(dicts[current] || {}, key) !== undefined; }

export function t(key, vars) {
  let s = lookup(dicts[current] || {}, key);
  if (s === undefined) {
    console.error(`i18n: no "${key}" in ${current}.json`);
    s = key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// ---- formatting in the current language ----

export function locale() { return LOCALE[current]; }

export function fmtDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(LOCALE[current], { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function fmtDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(LOCALE[current], { dateStyle: 'medium' }).format(d);
}

export function fmtNumber(n) {
  return new Intl.NumberFormat(LOCALE[current]).format(n);
}

const regionNames = {};
// "CN" -> "China" / "中国"; unknown codes come back as they are.
export function countryName(code) {
  if (!code) return '';
  try {
    regionNames[current] ||= new Intl.DisplayNames([LOCALE[current]], { type: 'region' });
    return regionNames[current].of(code) || code;
  } catch {
    return code;
  }
}

// An organisation's name in the current language first and the other one
// second (null when there is no other, or it is the same).
export function orgNames(org) {
  const en = org?.name_en || '';
  const zh = org?.name_zh || '';
  const [first, second] = current === 'zh' ? [zh || en, zh ? en : ''] : [en || zh, en ? zh : ''];
  return { primary: first, secondary: second && second !== first ? second : null };
}
