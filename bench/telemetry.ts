/**
 * Telemetry in the benchmarks, as a hub runs it: metrics are on unless `CC_TELEMETRY=off`
 * (`CC_TELEMETRY=off npm run bench -- --only W2,W4` measures the same workloads without them).
 * The engine workloads (W1–W5) build their engines themselves, so they attach here what
 * `openServices` attaches: the timed store and the engine's event-derived metrics. The HTTP
 * workloads pass the variable on to their hub's config.
 */
import type { Engine } from '../packages/hub/src/engine/engine.js';
import type { Store } from '../packages/hub/src/store/port.js';
import { observeEngine } from '../packages/hub/src/telemetry/engine-metrics.js';
import { instrumentStore } from '../packages/hub/src/telemetry/instrumented-store.js';
import { createMetrics, type Metrics } from '../packages/hub/src/telemetry/metrics.js';
import { registerStoreGauges } from '../packages/hub/src/telemetry/store-gauges.js';

export const telemetry = process.env.CC_TELEMETRY === 'off' ? 'off' : 'on';

export const TELEMETRY_NOTE = `telemetry: metrics ${telemetry} (CC_TELEMETRY=${telemetry})`;

/** The hub config's CC_TELEMETRY for the HTTP workloads. */
export const telemetryEnv = { CC_TELEMETRY: telemetry };

let metrics: Metrics | undefined;

/** The store as a hub would use it: timed when metrics are on. */
export function meteredStore(store: Store): Store {
  if (telemetry === 'off') return store;
  metrics = createMetrics({ store: store.kind, bus: 'local' });
  const timed = instrumentStore(store, metrics.registry);
  registerStoreGauges(metrics.registry, timed);
  return timed;
}

/** Counts the engine's events into the store's registry when metrics are on. */
export function meteredEngine(engine: Engine): Engine {
  if (metrics) observeEngine(metrics.registry, engine, { computeCostPerSecond: 0 });
  return engine;
}
