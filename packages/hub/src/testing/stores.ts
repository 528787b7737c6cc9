import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';

export type StoreKind = 'pglite' | 'postgres';

/**
 * The stores the integration suites run on: PGlite always, PostgreSQL when the test runner found
 * one (it sets CC_TEST_DATABASE_URL; scripts/test.mjs decides and reports skips).
 */
export function storeKinds(): StoreKind[] {
  return process.env.CC_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export const testDatabaseUrl = () => process.env.CC_TEST_DATABASE_URL;

let sharedLite: Promise<PGlite> | undefined;

/**
 * A fresh, migrated store in its own schema (as graphile-worker's tests do). PGlite instances are
 * shared per test file because starting one costs seconds; tests in a file run one at a time.
 */
export async function openTestStore(kind: StoreKind): Promise<Store & { drop(): Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  if (kind === 'postgres') {
    const url = testDatabaseUrl();
    if (!url) throw new Error('CC_TEST_DATABASE_URL is not set');
    const store = await openStore({ databaseUrl: url, schema, poolSize: 30 });
    return Object.assign(store, {
      async drop() {
        await store.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      },
    });
  }
  sharedLite ??= PGlite.create();
  const db = await sharedLite;
  const { openPgliteStore } = await import('../store/pglite-store.js');
  const { migrate } = await import('../store/migrate.js');
  const store = await openPgliteStore({ db, schema });
  await migrate(store);
  return Object.assign(store, {
    async drop() {
      await store.close();
      await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  });
}
