// Test harness for the API tests: starts the real epibridge server on a
// fresh database (SQLite by default, PostgreSQL when EB_TEST_DB=postgres),
// creates the operator organisation and its admin through the CLI, and gives
// clients that log in with a cookie (+ CSRF) or an API token.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = process.env.EB_BIN || join(ROOT, process.env.EB_BUILD || 'build', 'epibridge');
export const PASSWORD = 'test-password-1';
export const BACKEND = process.env.EB_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

let pgCounter = 0;

// A new empty database: a SQLite file, or a new PostgreSQL database on the
// server named by EB_PG_URL (default postgres://epibridge@127.0.0.1:5433).
export function freshDb() {
  if (BACKEND === 'postgres') {
    const base = process.env.EB_PG_URL || 'postgres://epibridge@127.0.0.1:5433';
    const name = `ebt_${process.pid}_${Date.now()}_${pgCounter++}`;
    execFileSync('psql', [`${base}/postgres`, '-qAt', '-c', `CREATE DATABASE ${name}`]);
    return `${base}/${name}`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ebtest-'));
  return join(dir, 'test.db');
}

export function cli(db, ...args) {
  return execFileSync(BIN, [...args, '--db', db], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function cliFails(db, ...args) {
  try {
    execFileSync(BIN, [...args, '--db', db], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    return { status: e.status, stderr: e.stderr, stdout: e.stdout };
  }
  throw new Error(`expected '${args.join(' ')}' to fail`);
}

// Starts a server.  Returns { base, db, proc, stop(), kill() }.
export async function startServer(opts = {}) {
  const db = opts.db || freshDb();
  if (!opts.db && !opts.noBootstrap) {
    cli(db, 'org', 'add', '--kind', 'international_organisation', '--name-en', 'Operator',
      '--country', 'CH', '--operator');
    cli(db, 'user', 'add', '--org', '1', '--login', 'root', '--name', 'Root', '--role', 'admin',
      '--password', PASSWORD);
  }
  const portFile = join(mkdtempSync(join(tmpdir(), 'ebport-')), 'port');
  const args = ['serve', '--db', db, '--port', '0', '--port-file', portFile,
    '--threads', String(opts.threads || 4), ...(opts.args || [])];
  if (!opts.log) args.push('--quiet');
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env || {}) } });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  for (let i = 0; i < 1200 && !existsSync(portFile); i++) {
    if (proc.exitCode !== null) break;
    await sleep(25);
  }
  if (!existsSync(portFile)) throw new Error(`server did not start:\n${out}`);
  await sleep(10);
  const port = Number(readFileSync(portFile, 'utf8').trim());
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
  return {
    base, db, proc, port, output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      return exited;
    },
  };
}

// An HTTP client bound to one identity.
export class Client {
  constructor(base) { this.base = base; this.cookie = null; this.csrf = null; this.token = null; }

  async req(method, path, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && method !== 'HEAD' && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = this.csrf;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!('Content-Type' in h)) h['Content-Type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, json };
  }

  get(p, h) { return this.req('GET', p, undefined, h); }
  post(p, b, h) { return this.req('POST', p, b, h); }
  patch(p, b, h) { return this.req('PATCH', p, b, h); }
  del(p, h) { return this.req('DELETE', p, undefined, h); }

  async login(login, password = PASSWORD) {
    const res = await fetch(this.base + '/api/v1/session', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status} ${JSON.stringify(json)}`);
    this.cookie = res.headers.get('set-cookie').split(';')[0];
    this.csrf = json.csrf_token;
    this.me = json.user;
    return this;
  }
}

export async function loginAs(base, login, password = PASSWORD) {
  return new Client(base).login(login, password);
}

export function tokenClient(base, token) {
  const c = new Client(base);
  c.token = token;
  return c;
}

export function cleanupDb(db) {
  if (BACKEND === 'sqlite' && db && existsSync(db)) rmSync(resolve(db, '..'), { recursive: true, force: true });
}
