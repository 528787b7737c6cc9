import { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.js';
import type { Queryable, QueryResult, Store, StoreSession } from './port.js';

export interface PgliteStoreOptions {
  /** Data directory; `undefined` keeps the database in memory (tests). */
  dataDir?: string;
  schema?: string;
  /** Reuse an open PGlite instance (tests share one per file); close() then leaves it open. */
  db?: PGlite;
}

/** The embedded store: PGlite (PostgreSQL compiled to WASM) in the data directory. */
export async function openPgliteStore(opts: PgliteStoreOptions = {}): Promise<Store> {
  const unlock = opts.dataDir && !opts.db ? lockDataDir(opts.dataDir) : () => {};
  let db: PGlite;
  try {
    db = opts.db ?? (opts.dataDir ? new PGlite(join(opts.dataDir, 'pgdata')) : new PGlite());
    await db.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  const schema = opts.schema ?? 'public';
  if (schema !== 'public') {
    await db.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  }
  await db.exec(`SET search_path TO "${schema}"`);
  const run = async <R>(q: Pick<PGlite, 'query' | 'exec'>, sql: string, params?: unknown[]) => {
    if (params === undefined) {
      // Without parameters use the simple protocol, which also takes several statements (migrations).
      const all = await q.exec(sql);
      const last = all[all.length - 1];
      const rows = (last?.rows ?? []) as R[];
      return { rows, rowCount: Math.max(last?.affectedRows ?? 0, rows.length) };
    }
    const res = await q.query<R>(sql, params as unknown[]);
    // PGlite counts affected rows only for writes; a SELECT reports its rows.
    return {
      rows: res.rows,
      rowCount: Math.max(res.affectedRows ?? 0, res.rows.length),
    } as QueryResult<R>;
  };
  let closed = false;
  let storeClosed!: () => void;
  const whenClosed = new Promise<void>((resolve) => (storeClosed = resolve));
  return {
    kind: 'pglite',
    schema,
    query: (sql, params) => run(db, sql, params),
    transaction: (fn) =>
      db.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) } as Queryable)),
    async listen(channel, handler) {
      const unsub = await db.listen(channel, handler);
      return async () => {
        if (!closed) await unsub();
      };
    },
    async session(): Promise<StoreSession> {
      if (closed) throw new Error('the store is closed');
      // The one connection: session state (advisory locks) persists until undone explicitly.
      let released!: () => void;
      const ended = Promise.race([
        whenClosed,
        new Promise<void>((resolve) => (released = resolve)),
      ]);
      return {
        ended,
        query: (sql, params) => run(db, sql, params),
        release: async () => released(),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      storeClosed();
      try {
        if (!opts.db) await db.close();
      } finally {
        unlock();
      }
    },
  };
}
