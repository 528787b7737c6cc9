/**
 * Tracing in the benchmarks, as a hub runs it: on when the standard OTEL_* variables say so
 * (e.g. `OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm run bench -- --only W2,W4`),
 * off and absent otherwise. The engine workloads (W1–W5) build their engines themselves, so they
 * attach here what `openServices` attaches; the HTTP workloads' hubs read the variables
 * themselves.
 */
import type { Engine, EngineOptions } from '../packages/hub/src/engine/engine.js';
import type { Store } from '../packages/hub/src/store/port.js';
import { Tracing } from '../packages/hub/src/telemetry/tracing.js';
import { engineTracing } from '../packages/hub/src/telemetry/tracing-engine.js';

const tracing = Tracing.fromEnv();

export const TRACING_NOTE = `tracing: ${tracing ? `on (OTEL_* variables)` : 'off (no OTEL_* exporter)'}`;

/** Engine options with tracing's store and attempt observer, and what records the run spans. */
export function tracedEngineOptions(store: Store): {
  options: Pick<EngineOptions, 'store' | 'attempts'>;
  watch(engine: Engine): void;
} {
  if (!tracing) return { options: { store }, watch: () => {} };
  const traced = engineTracing(tracing, store);
  return {
    options: { store: traced.store, attempts: traced.attempts },
    watch: (engine) => void traced.watch(engine),
  };
}

/** Exports what is left before the benchmark exits. */
export async function closeTracing(): Promise<void> {
  await tracing?.shutdown();
}
