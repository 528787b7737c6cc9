import type { Config } from '../config.js';
import { migrate } from '../store/migrate.js';
import { openStore } from '../store/open-store.js';

export { startHub, type HubOptions, type RunningHub } from './hub.js';
export { startWorker, type RunningWorker } from './worker.js';
export { openServices, type Services } from './services.js';

/** `commandcenter migrate`: applies pending migrations and exits. */
export async function runMigrations(config: Readonly<Config>): Promise<{ applied: string[] }> {
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: config.dbSchema,
    migrate: false,
  });
  try {
    return await migrate(store);
  } finally {
    await store.close();
  }
}
