export {
  Engine,
  compileEngineOptions,
  type EngineOptions,
  type TriggerOptions,
  type CreatedRun,
} from './engine/engine.js';
export { RunQueries } from './engine/queries.js';
export { BuiltinRegistry, StepFailure, type BuiltinHandler } from './executors/builtin.js';
export { createExecutors, type Executors } from './executors/registry.js';
export { openStore, type OpenStoreOptions } from './store/open-store.js';
export { migrate } from './store/migrate.js';
export type { Store, Queryable } from './store/port.js';
export { buildApp, type ApiDeps } from './api/app.js';
export {
  startHub,
  startWorker,
  runMigrations,
  openServices,
  type HubOptions,
  type RunningHub,
  type RunningWorker,
  type Services,
} from './server/index.js';
export { loadConfig, type Config } from './config.js';
export { SecretStore } from './secrets/secret-store.js';
export { loadSecretKey } from './secrets/secret-key.js';
export { EventFeed, type FeedEvent, type FeedFilter } from './events/event-feed.js';
export { LeaderLock } from './cluster/leader.js';
