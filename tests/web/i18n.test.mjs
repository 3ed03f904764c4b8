// The dictionaries (no browser): English and Chinese have the same keys and
// placeholders, every key the code asks for exists, the API's enumerations
// and the server's audit actions have labels, and nothing in zh.json is
// left in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../api/lib.mjs';

const WEB = join(ROOT, 'web');
const load = (l) => JSON.parse(readFileSync(join(WEB, 'i18n', `${l}.json`), 'utf8'));
const en = load('en');
const zh = load('zh');

function flatten(o, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object') flatten(v, `${prefix}${k}.`, out);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}
const EN = flatten(en);
const ZH = flatten(zh);

function files(dir, ext) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'vendor' ? [] : files(p, ext);
    return p.endsWith(ext) ? [p] : [];
  });
}

test('en.json and zh.json have the same keys, all strings, none empty, same placeholders', () => {
  assert.deepEqual([...ZH.keys()].filter((k) => !EN.has(k)), [], 'keys only in zh.json');
  assert.deepEqual([...EN.keys()].filter((k) => !ZH.has(k)), [], 'keys only in en.json');
  for (const [k, v] of EN) {
    assert.equal(typeof v, 'string', k);
    assert.ok(v.trim(), `en ${k} is empty`);
    assert.ok(ZH.get(k).trim(), `zh ${k} is empty`);
    const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(ph(ZH.get(k)), ph(v), `placeholders of ${k}`);
  }
});

test('every key the code uses exists', () => {
  const missing = [];
  for (const f of files(join(WEB, 'js'), '.js')) {
    const src = readFileSync(f, 'utf8');
    // t('a.b'), title: 'a.b', label: 'a.b' (page registration)
    for (const m of src.matchAll(/\bt\('([\w.-]+)'|\b(?:title|label): '([a-zA-Z]+\.[\w.]+)'/g)) {
      const key = m[1] || m[2];
      if (!EN.has(key)) missing.push(`${f.slice(ROOT.length + 1)}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the API\'s enumerations have labels, and the interface offers all of them', async () => {
  const api = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
  const s = api.components.schemas;
  const { ORG_KINDS, ROLES, USER_LANGS } = await import(join(WEB, 'js', 'constants.js'));
  assert.deepEqual(ORG_KINDS, s.Org.properties.kind.enum);
  assert.deepEqual(ROLES, s.UserInput.properties.role.enum);
  assert.deepEqual(USER_LANGS, s.UserInput.properties.lang.enum);
  for (const k of ORG_KINDS) assert.ok(EN.has(`kind.${k}`), `kind.${k}`);
  for (const r of ROLES) assert.ok(EN.has(`role.${r}`), `role.${r}`);
  for (const l of USER_LANGS) assert.ok(EN.has(`lang.${l}`) && EN.has(`lang.short.${l}`), `lang.${l}`);
  // Every error status the API documents has a title.
  const statuses = new Set();
  for (const ops of Object.values(api.paths)) {
    for (const op of Object.values(ops)) {
      for (const code of Object.keys(op.responses || {})) if (Number(code) >= 400) statuses.add(code);
    }
  }
  for (const code of statuses) assert.ok(EN.has(`status.${code}`), `status.${code}`);
});

test('every action and record kind the server writes to the audit log has a label', () => {
  // audit_append(c, who, "<action>", "<entity>", ...) in the C sources.  A new
  // capability adds audit.actions.<action> and audit.entities.<entity> to
  // web/i18n/en.json and zh.json.
  const missing = [];
  for (const f of files(join(ROOT, 'src'), '.c')) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/audit_append\([^,]+,\s*[^,]+,\s*"(\w+)",\s*"(\w+)"/g)) {
      if (!EN.has(`audit.actions.${m[1]}`)) missing.push(`audit.actions.${m[1]} (${f.slice(ROOT.length + 1)})`);
      if (!EN.has(`audit.entities.${m[2]}`)) missing.push(`audit.entities.${m[2]} (${f.slice(ROOT.length + 1)})`);
    }
  }
  assert.deepEqual([...new Set(missing)], [], 'add these keys to web/i18n/en.json and zh.json');
});

test('zh.json is translated: Chinese text, not English copied over', () => {
  // Language names are shown in their own language in both dictionaries.
  const same = new Set(['lang.en', 'lang.zh', 'lang.short.en', 'lang.short.zh']);
  const untranslated = [];
  for (const [k, v] of ZH) {
    if (same.has(k)) continue;
    if (v === EN.get(k) || !/[\u4e00-\u9fff]/.test(v)) untranslated.push(`${k}: ${v}`);
  }
  assert.deepEqual(untranslated, []);
});

test('index.html loads no script from elsewhere and no inline script (the CSP forbids both)', () => {
  const html = readFileSync(join(WEB, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, /src="\/[^/]/, 'a same-origin src');
    assert.equal(body.trim(), '', 'no inline code');
  }
  assert.doesNotMatch(html, /\son\w+=/i, 'no inline event handlers');
  for (const f of files(join(WEB, 'js'), '.js')) {
    const src = readFileSync(f, 'utf8');
    const name = f.slice(ROOT.length + 1);
    assert.ok(!/innerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(src), `${name} builds markup or code from strings`);
    // (XML namespace names such as the SVG one are not addresses.)
    assert.ok(!/['"`]https?:\/\/(?!www\.w3\.org\/)/.test(src), `${name} names another origin`);
  }
});
