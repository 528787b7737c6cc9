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
