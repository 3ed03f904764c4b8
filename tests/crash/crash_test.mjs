// Crash safety: every write the server acknowledged survives kill -9.
//
// Eight clients write concurrently with an operator admin API token:
// organisations (POST /api/v1/orgs), renames of their own organisations
// (PATCH /api/v1/orgs/{id}) and partnership proposals (POST
// /api/v1/partnerships).  Each 2xx answer is recorded with the id it
// returned.  After about 1.5 s the server is killed with SIGKILL while
// requests are in flight, restarted on the same database, and then:
//   - every acknowledged organisation and partnership is there, as written;
//   - every organisation's name_zh is the last acknowledged rename, or the
//     one in flight at the kill (it may have committed without an answer);
//   - each acknowledged write has its audit row (same transaction);
//   - `epibridge audit verify` reports an intact hash chain.
// This is done twice in a row on the same database (kill, restart, more
// writes, kill again), so recovery itself is crash-tested too.
//
// Runs on SQLite by default and on PostgreSQL with EB_TEST_DB=postgres
// (scripts/pg-test-server.sh starts a throwaway cluster):
//   node --test tests/crash/
//   EB_TEST_DB=postgres EB_PG_URL=postgres://epibridge@127.0.0.1:5433 node --test tests/crash/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, tokenClient, cli, cleanupDb, BACKEND } from '../api/lib.mjs';

const CLIENTS = 8;
const KILL_AFTER_MS = 1500;
const COUNTRIES = ['JP', 'KR', 'IT', 'IR', 'GR', 'TZ', 'BA', 'UG'];

// One writer.  Stops at the first network error (the server is gone).
async function writer(base, token, k, round, state) {
  const c = tokenClient(base, token);
  const mine = [];
  for (let i = 0; ; i++) {
    try {
      const name = `Crash ${BACKEND} r${round} c${k} n${i}`;
      const r = await c.post('/api/v1/orgs', {
        kind: 'ngo', name_en: name, name_zh: 'v0', country: COUNTRIES[k],
      });
      if (r.status !== 201) { state.refused.push(`POST orgs ${r.status} ${r.text}`); continue; }
      assert.equal(typeof r.json.id, 'number');
      state.orgs.set(r.json.id, { name_en: name, acked: 'v0', inflight: null });
      mine.push(r.json.id);

      if (i % 2 === 1) {
        const p = await c.post('/api/v1/partnerships', { partner_id: r.json.id, note: `crash ${round}/${k}/${i}` });
        if (p.status !== 201) { state.refused.push(`POST partnerships ${p.status} ${p.text}`); continue; }
        state.partnerships.set(p.json.id, { partner: r.json.id });
      }
      if (i % 3 === 2) {
        const id = mine[Math.floor(mine.length / 2)];
        const o = state.orgs.get(id);
        const v = `v${i}`;
        o.inflight = v;
        const u = await c.patch(`/api/v1/orgs/${id}`, { name_zh: v });
        if (u.status !== 200) { state.refused.push(`PATCH orgs ${u.status} ${u.text}`); continue; }
        o.acked = v;
        o.inflight = null;
        state.renames++;
      }
    } catch {
      return; // connection refused or reset: the server was killed
    }
  }
}

async function auditEntries(admin) {
  const seen = new Set();
  let cursor = null;
  for (;;) {
    const r = await admin.get(`/api/v1/audit?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    for (const e of r.json.items) seen.add(`${e.action} ${e.entity} ${e.entity_id}`);
    if (!r.json.next_cursor) return seen;
    cursor = r.json.next_cursor;
  }
}

test('acknowledged writes survive kill -9, twice, and the audit chain stays intact', { timeout: 120000 }, async (t) => {
  let srv = await startServer({ threads: 4 });
  const db = srv.db;
  const token = cli(db, 'token', 'create', '--org', '1', '--name', 'crash', '--role', 'admin').trim();
  assert.match(token, /^ebt_/);
  const state = { orgs: new Map(), partnerships: new Map(), refused: [], renames: 0 };

  try {
    for (let round = 1; round <= 2; round++) {
      const before = state.orgs.size;
      const writers = [];
      for (let k = 0; k < CLIENTS; k++) writers.push(writer(srv.base, token, k, round, state));
      await sleep(KILL_AFTER_MS);
      const gone = await srv.kill();
      assert.equal(gone.sig, 'SIGKILL', `the server exited before the kill: ${srv.output()}`);
      await Promise.all(writers);
      assert.deepEqual(state.refused, [], 'every write was refused or failed before the kill');
      assert.ok(state.orgs.size - before >= CLIENTS, `only ${state.orgs.size - before} writes acknowledged in round ${round}`);

      t.diagnostic(`round ${round}: ${state.orgs.size} organisations, ${state.partnerships.size} partnerships, ` +
        `${state.renames} renames acknowledged so far (${BACKEND})`);

      srv = await startServer({ db, threads: 4 });
      const admin = tokenClient(srv.base, token);

      for (const [id, o] of state.orgs) {
        const r = await admin.get(`/api/v1/orgs/${id}`);
        assert.equal(r.status, 200, `acknowledged organisation ${id} (${o.name_en}) lost after kill -9: ${r.text}`);
        assert.equal(r.json.name_en, o.name_en);
        const ok = [o.acked, o.inflight].filter(Boolean);
        assert.ok(ok.includes(r.json.name_zh), `organisation ${id}: name_zh ${r.json.name_zh}, expected one of ${ok}`);
        // the durable state is now the truth for the next round
        o.acked = r.json.name_zh;
        o.inflight = null;
      }
      const list = await admin.get('/api/v1/partnerships');
      assert.equal(list.status, 200, list.text);
      const have = new Set(list.json.items.map((p) => p.id));
      for (const [id] of state.partnerships) {
        assert.ok(have.has(id), `acknowledged partnership ${id} lost after kill -9`);
      }
      const audit = await auditEntries(admin);
      for (const [id] of state.orgs) assert.ok(audit.has(`create org ${id}`), `no audit row for organisation ${id}`);
      for (const [id] of state.partnerships) assert.ok(audit.has(`create partnership ${id}`), `no audit row for partnership ${id}`);

      const verify = cli(db, 'audit', 'verify');
      assert.match(verify, /audit log intact: \d+ rows verified/);
    }
    assert.ok(state.partnerships.size > 0 && state.renames > 0, 'the workload wrote partnerships and renames');
  } finally {
    await srv.stop();
    cleanupDb(db);
  }
});
