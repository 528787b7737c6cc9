import type { EventListener } from '../engine/event-hub.js';
import type { AttemptObserver } from '../engine/step-runner.js';
import type { Store } from '../store/port.js';
import { RunTraceCache } from './trace-run-cache.js';
import { attemptTracer } from './tracing-attempts.js';
import { traceRuns } from './tracing-runs.js';
import { traceStore } from './tracing-store.js';
import type { Tracing } from './tracing.js';

/** What tracing adds to an engine (server/services.ts and the benchmarks wire it the same way). */
export interface EngineTracing {
  /** The store with a span per query made within a traced attempt or request. */
  store: Store;
  /** A `workflow.step` span per attempt (`EngineOptions.attempts`). */
  attempts: AttemptObserver;
  /** Records the run and approval spans of the engine's transitions; returns the unsubscribe. */
  watch(engine: { subscribe(listener: EventListener): () => void }): () => void;
}

export function engineTracing(tracing: Tracing, store: Store): EngineTracing {
  const runs = new RunTraceCache();
  return {
    store: traceStore(store, tracing),
    attempts: attemptTracer(tracing, runs),
    watch: (engine) => traceRuns(tracing, engine, store, runs),
  };
}
