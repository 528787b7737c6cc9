import { migrate } from './migrate.js';
import { openPgliteStore } from './pglite-store.js';
import { openPgStore } from './pg-store.js';
import type { Store } from './port.js';

export interface OpenStoreOptions {
  /** PostgreSQL connection string; without it the embedded PGlite store is used. */
  databaseUrl?: string;
  /** Embedded data directory (ignored with databaseUrl); undefined = in memory. */
  dataDir?: string;
  schema?: string;
  poolSize?: number;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

/** Opens the configured store and brings its schema up to date. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const store = opts.databaseUrl
    ? await openPgStore({
        connectionString: opts.databaseUrl,
        schema: opts.schema,
        max: opts.poolSize,
      })
    : await openPgliteStore({ dataDir: opts.dataDir, schema: opts.schema });
  if (opts.migrate !== false) {
    try {
      await migrate(store);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
