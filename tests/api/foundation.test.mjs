// Foundation API: sessions, organisations, users, partnerships, tokens,
// audit, limits and errors, ETags, pagination, the OpenAPI document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, loginAs, tokenClient, cli, cliFails, BIN, ROOT, PASSWORD } from './lib.mjs';

let srv, root;

before(async () => {
  srv = await startServer();
  root = await loginAs(srv.base, 'root');
});
after(async () => { await srv.stop(); });

async function newOrg(name, country = 'JP', kind = 'ministry_of_health') {
  const r = await root.post('/api/v1/orgs', { kind, name_en: name, name_zh: name + '中文', country });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('healthz answers without login and names the database', async () => {
  const r = await new Client(srv.base).get('/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.ok(['sqlite', 'postgresql'].includes(r.json.database));
});

test('login: wrong password is 401, right one sets an HttpOnly SameSite cookie and gives a CSRF token', async () => {
  const bad = await fetch(srv.base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: 'root', password: 'wrong-password' }),
  });
  assert.equal(bad.status, 401);
  const ok = await fetch(srv.base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: 'root', password: PASSWORD }),
  });
  assert.equal(ok.status, 200);
  const cookie = ok.headers.get('set-cookie');
  assert.match(cookie, /eb_session=[0-9a-f]{64}/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const body = await ok.json();
  assert.match(body.csrf_token, /^[0-9a-f]{64}$/);
  assert.equal(body.user.login, 'root');
  assert.equal(body.user.pw_hash, undefined);
});

test('a write with the cookie but without the CSRF header is refused and changes nothing', async () => {
  const c = await loginAs(srv.base, 'root');
  const r = await c.post('/api/v1/orgs', { kind: 'ngo', name_en: 'No CSRF NGO', country: 'FR' }, { 'X-CSRF-Token': '' });
  assert.equal(r.status, 403);
  assert.equal(r.json.field, 'X-CSRF-Token');
  const list = await root.get('/api/v1/orgs?limit=1000');
  assert.ok(!list.json.items.some((o) => o.name_en === 'No CSRF NGO'));
});

test('logout ends the session', async () => {
  const c = await loginAs(srv.base, 'root');
  assert.equal((await c.del('/api/v1/session')).status, 204);
  assert.equal((await c.get('/api/v1/session')).status, 401);
});

test('throttling: repeated failures lock the account with Retry-After', async () => {
  const org = await newOrg('Throttle Ministry', 'DE');
  cli(srv.db, 'user', 'add', '--org', String(org.id), '--login', 'throttled', '--name', 'T', '--role', 'viewer', '--password', PASSWORD);
  let last;
  for (let i = 0; i < 6; i++) {
    last = await fetch(srv.base + '/api/v1/session', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'throttled', password: 'nope-nope-nope' }),
    });
  }
  assert.equal(last.status, 429);
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  // Even the right password is refused while locked.
  const right = await fetch(srv.base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: 'throttled', password: PASSWORD }),
  });
  assert.equal(right.status, 429);
});

test('organisations: create, read, update, list with cursor pagination and filters', async () => {
  const a = await newOrg('Ministry of Health of Testland', 'IT');
  assert.equal(a.kind, 'ministry_of_health');
  assert.equal(a.country, 'IT');
  const g = await root.get(`/api/v1/orgs/${a.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.name_zh, 'Ministry of Health of Testland中文');
  const u = await root.patch(`/api/v1/orgs/${a.id}`, { name_zh: '测试卫生部' });
  assert.equal(u.status, 200);
  assert.equal(u.json.name_zh, '测试卫生部');
  assert.equal(u.json.name_en, 'Ministry of Health of Testland');
  for (let i = 0; i < 5; i++) await newOrg(`Paged Org ${i}`, 'GR', 'ngo');
  const seen = new Set();
  let cursor = null, pages = 0;
  do {
    const r = await root.get(`/api/v1/orgs?limit=2&kind=ngo&country=GR${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    for (const o of r.json.items) { assert.equal(o.kind, 'ngo'); seen.add(o.id); }
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 10);
  assert.equal(seen.size, 5);
  assert.equal(pages, 3);
});

test('duplicate organisation is 409 naming name_en', async () => {
  await newOrg('Duplicate Agency', 'KR');
  const r = await root.post('/api/v1/orgs', { kind: 'ngo', name_en: 'Duplicate Agency', country: 'KR' });
  assert.equal(r.status, 409);
  assert.equal(r.json.field, '/name_en');
});

test('parent cycles are refused', async () => {
  const p = await newOrg('Parent Org', 'CN', 'government');
  const c = await root.post('/api/v1/orgs', { kind: 'embassy', name_en: 'Child Embassy', country: 'JP', parent_id: p.id });
  assert.equal(c.status, 201);
  const r = await root.patch(`/api/v1/orgs/${p.id}`, { parent_id: c.json.id });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, '/parent_id');
  const missing = await root.post('/api/v1/orgs', { kind: 'embassy', name_en: 'Orphan', country: 'JP', parent_id: 999999 });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.field, '/parent_id');
});

test('users: an org admin adds users; they log in; disabling ends access; role changes apply', async () => {
  const org = await newOrg('User Ministry', 'TZ');
  cli(srv.db, 'user', 'add', '--org', String(org.id), '--login', 'tz.admin', '--name', 'TZ Admin', '--role', 'admin', '--password', PASSWORD);
  const admin = await loginAs(srv.base, 'tz.admin');
  const r = await admin.post(`/api/v1/orgs/${org.id}/users`, { login: 'tz.viewer', name: 'TZ Viewer', role: 'viewer', password: 'viewer-password-1', lang: 'zh' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.role, 'viewer');
  assert.equal(r.json.lang, 'zh');
  const viewer = await loginAs(srv.base, 'tz.viewer', 'viewer-password-1');
  assert.equal(viewer.me.lang, 'zh');
  const members = await viewer.get(`/api/v1/orgs/${org.id}/users`);
  assert.equal(members.status, 200);
  assert.equal(members.json.items.length, 2);
  // viewer cannot add users
  assert.equal((await viewer.post(`/api/v1/orgs/${org.id}/users`, { login: 'x.y', name: 'X', role: 'admin', password: 'abcdefghijk' })).status, 403);
  // promote, then disable
  const up = await admin.patch(`/api/v1/users/${r.json.id}`, { role: 'editor' });
  assert.equal(up.json.role, 'editor');
  const dis = await admin.patch(`/api/v1/users/${r.json.id}`, { disabled: true });
  assert.equal(dis.json.disabled, true);
  assert.equal((await viewer.get('/api/v1/session')).status, 401);
  const relogin = await fetch(srv.base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: 'tz.viewer', password: 'viewer-password-1' }),
  });
  assert.equal(relogin.status, 401);
  // an admin cannot demote themself
  const self = await admin.patch(`/api/v1/users/${admin.me.id}`, { role: 'viewer' });
  assert.equal(self.status, 409);
});

test('profile: language persists, password change needs the current password', async () => {
  const org = await newOrg('Profile Ministry', 'UG');
  cli(srv.db, 'user', 'add', '--org', String(org.id), '--login', 'ug.user', '--name', 'UG', '--role', 'viewer', '--password', PASSWORD);
  const u = await loginAs(srv.base, 'ug.user');
  assert.equal((await u.patch('/api/v1/me', { lang: 'zh' })).json.lang, 'zh');
  assert.equal((await u.get('/api/v1/session')).json.user.lang, 'zh');
  const wrong = await u.patch('/api/v1/me', { password: 'new-password-22', current_password: 'not-it-at-all' });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.field, '/current_password');
  const ok = await u.patch('/api/v1/me', { password: 'new-password-22', current_password: PASSWORD });
  assert.equal(ok.status, 200);
  await loginAs(srv.base, 'ug.user', 'new-password-22');
});

test('partnerships: propose, accept, end; only the invited side accepts', async () => {
  const a = await newOrg('Partner A', 'IR');
  const b = await newOrg('Partner B', 'IR', 'embassy');
  cli(srv.db, 'user', 'add', '--org', String(a.id), '--login', 'pa.admin', '--name', 'PA', '--role', 'admin', '--password', PASSWORD);
  cli(srv.db, 'user', 'add', '--org', String(b.id), '--login', 'pb.admin', '--name', 'PB', '--role', 'admin', '--password', PASSWORD);
  const pa = await loginAs(srv.base, 'pa.admin');
  const pb = await loginAs(srv.base, 'pb.admin');
  const p = await pa.post('/api/v1/partnerships', { partner_id: b.id, note: 'information exchange' });
  assert.equal(p.status, 201, p.text);
  assert.equal(p.json.status, 'proposed');
  assert.equal((await pa.post(`/api/v1/partnerships/${p.json.id}/accept`)).status, 403);
  const dup = await pb.post('/api/v1/partnerships', { partner_id: a.id });
  assert.equal(dup.status, 409);
  const acc = await pb.post(`/api/v1/partnerships/${p.json.id}/accept`);
  assert.equal(acc.status, 200);
  assert.equal(acc.json.status, 'active');
  const list = await pa.get('/api/v1/partnerships');
  assert.ok(list.json.items.some((x) => x.id === p.json.id && x.status === 'active'));
  assert.equal((await pb.del(`/api/v1/partnerships/${p.json.id}`)).status, 204);
  assert.equal((await pa.get('/api/v1/partnerships')).json.items.length, 0);
  const self = await pa.post('/api/v1/partnerships', { partner_id: a.id });
  assert.equal(self.status, 400);
});

test('API tokens: shown once, stored hashed, scoped to org and role, revocable', async () => {
  const org = await newOrg('Token Agency', 'BA', 'public_health_agency');
  cli(srv.db, 'user', 'add', '--org', String(org.id), '--login', 'ba.admin', '--name', 'BA', '--role', 'admin', '--password', PASSWORD);
  const admin = await loginAs(srv.base, 'ba.admin');
  const t = await admin.post('/api/v1/tokens', { name: 'sync job', role: 'viewer' });
  assert.equal(t.status, 201);
  assert.match(t.json.token, /^ebt_[0-9a-f]{48}$/);
  const list = await admin.get('/api/v1/tokens');
  assert.equal(list.json.items.length, 1);
  assert.equal(list.json.items[0].token, undefined);
  const tc = tokenClient(srv.base, t.json.token);
  assert.equal((await tc.get('/api/v1/orgs')).status, 200);
  // viewer token cannot write; a token cannot mint tokens
  assert.equal((await tc.patch(`/api/v1/orgs/${org.id}`, { name_zh: 'x' })).status, 403);
  assert.equal((await tc.post('/api/v1/tokens', { name: 'x', role: 'viewer' })).status, 403);
  // the secret is not in the database
  if (!srv.db.startsWith('postgres')) {
    const dump = execFileSync('sqlite3', [srv.db, 'SELECT token_hash FROM api_tokens'], { encoding: 'utf8' });
    assert.ok(!dump.includes(t.json.token.slice(4)));
  }
  assert.equal((await admin.del(`/api/v1/tokens/${t.json.id}`)).status, 204);
  assert.equal((await tc.get('/api/v1/orgs')).status, 401);
  const bogus = tokenClient(srv.base, 'ebt_' + '0'.repeat(48));
  assert.equal((await bogus.get('/api/v1/orgs')).status, 401);
  // a token may not exceed its creator's role
  const editorOrg = await newOrg('Editor Org', 'BA', 'ngo');
  cli(srv.db, 'user', 'add', '--org', String(editorOrg.id), '--login', 'ba.ed', '--name', 'E', '--role', 'editor', '--password', PASSWORD);
  const ed = await loginAs(srv.base, 'ba.ed');
  assert.equal((await ed.post('/api/v1/tokens', { name: 'x', role: 'admin' })).status, 403);
});

test('bad input: malformed JSON, wrong types, unknown fields, deep nesting, oversized bodies, bad codes and dates are 4xx naming the field; nothing is written', async () => {
  const before = (await root.get('/api/v1/orgs?limit=1000')).json.items.length;
  const cases = [
    ['{"kind": "ngo", "name_en": ', 400, ''],
    ['[1,2,3]', 400, ''],
    [{ kind: 'ngo', name_en: 5, country: 'FR' }, 400, '/name_en'],
    [{ kind: 'ngo', name_en: 'X', country: 'FR', extra: 1 }, 400, '/extra'],
    [{ kind: 'spaceship', name_en: 'X', country: 'FR' }, 400, '/kind'],
    [{ kind: 'ngo', name_en: 'X', country: 'France' }, 400, '/country'],
    [{ kind: 'ngo', name_en: 'X', country: 'fr' }, 400, '/country'],
    [{ kind: 'ngo', name_en: 'X' }, 400, '/country'],
    [{ kind: 'ngo', name_en: 'X'.repeat(201), country: 'FR' }, 400, '/name_en'],
    [{ kind: 'ngo', name_en: '', country: 'FR' }, 400, '/name_en'],
    [{ kind: 'ngo', name_en: 'X', country: 'FR', parent_id: -3 }, 400, '/parent_id'],
    [{ kind: 'ngo', name_en: 'X', country: 'FR', parent_id: 'one' }, 400, '/parent_id'],
    ['{"kind":"ngo","kind":"ngo","name_en":"X","country":"FR"}', 400, ''],
    ['{"a":' + '['.repeat(100) + ']'.repeat(100) + '}', 400, ''],
  ];
  for (const [body, status, field] of cases) {
    const r = await root.post('/api/v1/orgs', body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)} -> ${r.text}`);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.ok(r.json.detail && r.json.detail.length > 5);
    if (field) assert.equal(r.json.field, field, r.text);
  }
  const big = await root.post('/api/v1/orgs', JSON.stringify({ kind: 'ngo', name_en: 'x'.repeat(2 << 20), country: 'FR' }));
  assert.equal(big.status, 413);
  const wrongType = await root.post('/api/v1/orgs', 'kind=ngo', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(wrongType.status, 415);
  const bad = await root.post('/api/v1/users/1', {});
  assert.equal(bad.status, 405);
  assert.match(bad.headers.get('allow'), /GET/);
  assert.equal((await root.get('/api/v1/nothing-here')).status, 404);
  assert.equal((await root.get('/api/v1/orgs/abc')).status, 404);
  assert.equal((await root.get('/api/v1/orgs?limit=0')).json.field, 'limit');
  assert.equal((await root.get('/api/v1/orgs?limit=5000')).status, 400);
  assert.equal((await root.get('/api/v1/orgs?cursor=zz')).json.field, 'cursor');
  const after = (await root.get('/api/v1/orgs?limit=1000')).json.items.length;
  assert.equal(after, before);
});

test('ETag and If-None-Match answer 304 on unchanged reads and 200 after a change', async () => {
  const o = await newOrg('ETag Ministry', 'GR');
  const r1 = await root.get(`/api/v1/orgs/${o.id}`);
  const etag = r1.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const r2 = await root.get(`/api/v1/orgs/${o.id}`, { 'If-None-Match': etag });
  assert.equal(r2.status, 304);
  await root.patch(`/api/v1/orgs/${o.id}`, { name_zh: '改了' });
  const r3 = await root.get(`/api/v1/orgs/${o.id}`, { 'If-None-Match': etag });
  assert.equal(r3.status, 200);
});

test('audit: every write is logged with before and after; verify detects tampering (SQLite)', async () => {
  const o = await newOrg('Audited Ministry', 'KR');
  await root.patch(`/api/v1/orgs/${o.id}`, { name_zh: '审计' });
  const a = await root.get('/api/v1/audit?limit=5');
  assert.equal(a.status, 200);
  const upd = a.json.items.find((e) => e.entity === 'org' && e.entity_id === String(o.id) && e.action === 'update');
  assert.ok(upd, 'update audited');
  assert.equal(upd.before.name_zh, 'Audited Ministry中文');
  assert.equal(upd.after.name_zh, '审计');
  assert.equal(upd.actor, 'root');
  assert.match(cli(srv.db, 'audit', 'verify'), /intact/);
  // No password hash ever reaches the audit log.
  const all = await root.get('/api/v1/audit?limit=1000');
  assert.ok(!all.text.includes('$argon2id$'));
});

test('OpenAPI document lists exactly the routes of the router, with their least role', async () => {
  const doc = (await new Client(srv.base).get('/api/v1/openapi.json')).json;
  const fromDoc = new Set();
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      fromDoc.add(`${m.toUpperCase()} ${p}`);
      assert.ok(op.summary, `${m} ${p} has a summary`);
    }
  }
  const routes = execFileSync(BIN, ['routes'], { encoding: 'utf8' }).trim().split('\n');
  const fromRouter = new Set();
  for (const line of routes) {
    const [method, path, who] = line.split(' ');
    fromRouter.add(`${method} ${path}`);
    const op = doc.paths[path]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${path} is documented`);
    if (who === 'public') assert.deepEqual(op.security, [], `${method} ${path} is public in the document`);
    else assert.equal(op['x-min-role'], who, `${method} ${path} least role`);
  }
  assert.deepEqual([...fromDoc].sort(), [...fromRouter].sort());
});

test('CLI: org/user/token commands work and reject bad input with a message', async () => {
  const out = cli(srv.db, 'org', 'add', '--kind', 'consulate', '--name-en', 'Consulate-General in Busan', '--name-zh', '驻釜山总领馆', '--country', 'KR');
  const org = JSON.parse(out);
  assert.equal(org.kind, 'consulate');
  const f = cliFails(srv.db, 'org', 'add', '--kind', 'consulate', '--name-en', 'Bad', '--country', 'Korea');
  assert.equal(f.status, 1);
  assert.match(f.stderr, /country/);
  const weak = cliFails(srv.db, 'user', 'add', '--org', String(org.id), '--login', 'busan', '--name', 'B', '--role', 'viewer', '--password', 'short');
  assert.match(weak.stderr, /10 characters/);
  const tok = cli(srv.db, 'token', 'create', '--org', String(org.id), '--name', 'feed', '--role', 'viewer').trim();
  assert.match(tok, /^ebt_/);
  assert.equal((await tokenClient(srv.base, tok).get('/api/v1/orgs')).status, 200);
  const help = execFileSync(BIN, ['--help'], { encoding: 'utf8' });
  assert.match(help, /serve/);
  assert.match(help, /backup/);
});

test('graceful shutdown: SIGTERM lets in-flight requests finish', async () => {
  const s2 = await startServer();
  const c = await loginAs(s2.base, 'root');
  // User creations each wait for an Argon2id hash on the one hashing
  // thread: sent together, they are still in flight when SIGTERM lands.
  const logins = Array.from({ length: 6 }, (_, i) => `late.user${i}`);
  const pending = logins.map((login) => c.post('/api/v1/orgs/1/users', { login, name: 'Late', role: 'viewer', password: 'late-password-1' }));
  await new Promise((r) => setTimeout(r, 150));
  const exit = s2.stop();
  const answers = await Promise.all(pending);
  for (const r of answers) assert.equal(r.status, 201, r.text);
  const { code } = await exit;
  assert.equal(code, 0);
  const users = cli(s2.db, 'user', 'list', '--org', '1');
  for (const login of logins) assert.match(users, new RegExp(login.replace('.', '\\.')));
});

test('audit verify names the first changed or deleted row (SQLite file edited behind the server)', { skip: srv?.db?.startsWith?.('postgres') }, async (t) => {
  if (srv.db.startsWith('postgres')) return t.skip('SQLite file edit');
  const s2 = await startServer();
  const c = await loginAs(s2.base, 'root');
  for (let i = 0; i < 3; i++) await c.post('/api/v1/orgs', { kind: 'ngo', name_en: `Chain ${i}`, country: 'FR' });
  await s2.stop();
  assert.match(cli(s2.db, 'audit', 'verify'), /intact: \d+ rows/);
  const seq = Number(execFileSync('sqlite3', [s2.db, "SELECT seq FROM audit_log WHERE after_json LIKE '%Chain 1%' AND entity = 'org'"], { encoding: 'utf8' }).trim());
  assert.ok(seq > 1);
  execFileSync('sqlite3', [s2.db, `UPDATE audit_log SET after_json = replace(after_json, 'Chain 1', 'Chain X') WHERE seq = ${seq}`]);
  const f = cliFails(s2.db, 'audit', 'verify');
  assert.equal(f.status, 1);
  assert.match(f.stdout, new RegExp(`BROKEN at row ${seq}:`));
  execFileSync('sqlite3', [s2.db, `UPDATE audit_log SET after_json = replace(after_json, 'Chain X', 'Chain 1') WHERE seq = ${seq}; DELETE FROM audit_log WHERE seq = ${seq - 1}`]);
  const g = cliFails(s2.db, 'audit', 'verify');
  assert.match(g.stdout, new RegExp(`row ${seq - 1} is missing`));
});

test('users created disabled stay disabled; admins cannot disable themselves; list filters are checked', async () => {
  const org = await newOrg('Flags Ministry', 'TZ');
  const r = await root.post(`/api/v1/orgs/${org.id}/users`, { login: 'born.disabled', name: 'D', role: 'viewer', password: 'disabled-pass-1', disabled: true });
  assert.equal(r.status, 201);
  assert.equal(r.json.disabled, true);
  const login = await fetch(srv.base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: 'born.disabled', password: 'disabled-pass-1' }),
  });
  assert.equal(login.status, 401);
  assert.equal((await login.json()).field, '/password');
  const self = await root.patch(`/api/v1/users/${root.me.id}`, { disabled: true });
  assert.equal(self.status, 409);
  assert.equal(self.json.field, '/disabled');
  assert.equal((await root.get('/api/v1/orgs?kind=spaceship')).json.field, 'kind');
  assert.equal((await root.get('/api/v1/orgs?country=it')).json.field, 'country');
});

test('behind a trusted proxy, throttling counts the forwarded client, not the proxy', async () => {
  const s2 = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  cli(s2.db, 'user', 'add', '--org', '1', '--login', 'honest', '--name', 'H', '--role', 'viewer', '--password', PASSWORD);
  const attempt = (login, password, ip) => fetch(s2.base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `203.0.113.9, ${ip}` },
    body: JSON.stringify({ login, password }),
  });
  let last;
  for (let i = 0; i < 31; i++) last = await attempt(`sprayed${i}`, 'wrong-password', '198.51.100.7');
  assert.equal(last.status, 429, 'the spraying client is locked');
  const ok = await attempt('honest', PASSWORD, '198.51.100.8');
  assert.equal(ok.status, 200, 'another client behind the same proxy is not');
  await s2.stop();
});

test('CLI: the operator flag is set and audited; audit and backup refuse a database that does not exist', async () => {
  const out = JSON.parse(cli(srv.db, 'org', 'add', '--kind', 'government', '--name-en', 'Second operator', '--country', 'CH', '--operator'));
  assert.equal(out.operator, true);
  const a = await root.get('/api/v1/audit?limit=1');
  assert.equal(a.json.items[0].after.operator, true);
  assert.match(cli(srv.db, 'org', 'operator', String(out.id), 'off'), /no longer/);
  const f = cliFails(`/tmp/ebt-missing-${process.pid}-${Date.now()}.db`, 'audit', 'verify');
  assert.equal(f.status, 1);
  assert.match(f.stderr, /no database at/);
});
