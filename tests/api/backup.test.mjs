// Online backup while the server writes, and restore from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, loginAs, cli, cliFails, BACKEND } from './lib.mjs';

test('backup during writes is consistent and restores', { skip: BACKEND !== 'sqlite' && 'PostgreSQL is backed up with pg_dump' }, async () => {
  const srv = await startServer();
  const root = await loginAs(srv.base, 'root');
  for (let i = 0; i < 20; i++) await root.post('/api/v1/orgs', { kind: 'ngo', name_en: `Before ${i}`, country: 'FR' });
  let writing = true, written = 0;
  const writer = (async () => {
    while (writing) {
      const r = await root.post('/api/v1/orgs', { kind: 'ngo', name_en: `During ${written}`, country: 'FR' });
      if (r.status === 201) written++;
    }
  })();
  const dir = mkdtempSync(join(tmpdir(), 'ebbackup-'));
  const file = join(dir, 'backup.db');
  const out = cli(srv.db, 'backup', file);
  assert.match(out, /backup written/);
  writing = false;
  await writer;
  assert.ok(written > 0);
  assert.equal(execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
  // An existing file is not overwritten.
  const again = cliFails(srv.db, 'backup', file);
  assert.equal(again.status, 1);
  await srv.stop();
  // Restore: serve the backup as the database.
  const restored = join(dir, 'restored.db');
  copyFileSync(file, restored);
  assert.match(cli(restored, 'audit', 'verify'), /intact/);
  const s2 = await startServer({ db: restored });
  const c = await loginAs(s2.base, 'root');
  const list = await c.get('/api/v1/orgs?limit=1000');
  const names = list.json.items.map((o) => o.name_en);
  for (let i = 0; i < 20; i++) assert.ok(names.includes(`Before ${i}`));
  await s2.stop();
  assert.ok(existsSync(restored));
});
