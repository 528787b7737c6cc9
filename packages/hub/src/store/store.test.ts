import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CCError } from '@commandcenter/protocol';
import { loadMigrations, migrate, migrationsCurrent } from './migrate.js';
import { openStore } from './open-store.js';
import { storeKinds, openTestStore } from '../testing/stores.js';

describe('embedded data directory', () => {
  test('a second process on the same directory stops with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-lock-'));
    const store = await openStore({ dataDir: dir });
    try {
      const script = `
        import { openStore } from ${JSON.stringify(new URL('./open-store.ts', import.meta.url).pathname)};
        try { await openStore({ dataDir: ${JSON.stringify(dir)} }); console.log('OPENED'); }
        catch (e) { console.log(e.code + ' ' + e.message); }`;
      const out = await new Promise<string>((resolve) => {
        const p = spawn(process.execPath, [
          '--conditions=source',
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          script,
        ]);
        let s = '';
        p.stdout.on('data', (d: Buffer) => (s += d.toString()));
        p.on('exit', () => resolve(s));
      });
      assert.match(out, /^CC_E_STORE_LOCKED /);
      assert.match(out, new RegExp(`in use by process ${process.pid}`));
      assert.match(out, /DATABASE_URL/);
    } finally {
      await store.close();
    }
    // Closed cleanly: the directory opens again, with its data.
    const again = await openStore({ dataDir: dir });
    const r = await again.query<{ id: string }>('SELECT id FROM projects');
    assert.deepEqual(r.rows, [{ id: 'default' }]);
    await again.close();
  });

  test('the same process cannot open one directory twice either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-lock-'));
    const store = await openStore({ dataDir: dir });
    // Our own pid in the lock is not "stale": a second open in-process is refused as well.
    await assert.rejects(
      openStore({ dataDir: dir }),
      (e: CCError) => e.code === 'CC_E_STORE_LOCKED',
    );
    await store.close();
  });
});

for (const kind of storeKinds()) {
  describe(`migrations on ${kind}`, () => {
    test('apply once, then nothing; the store reports itself current', async () => {
      const store = await openTestStore(kind);
      try {
        assert.equal(await migrationsCurrent(store), true);
        assert.deepEqual((await migrate(store)).applied, []);
        const r = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM cc_migrations');
        assert.equal(r.rows[0]!.n, loadMigrations().length);
      } finally {
        await store.drop();
      }
    });

    test('a failed transaction changes nothing', async () => {
      const store = await openTestStore(kind);
      try {
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.query(`INSERT INTO projects (id) VALUES ('ghost')`);
            await tx.query('SELECT 1/0');
          }),
        );
        const r = await store.query(`SELECT id FROM projects WHERE id = 'ghost'`);
        assert.equal(r.rowCount, 0);
      } finally {
        await store.drop();
      }
    });
  });
}
