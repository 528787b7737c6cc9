import { runTrace, type RunTrace } from './trace-ids.js';

/** What the spans of a run need from its trigger: its trace, and the run it re-runs. */
export interface RunTraceInfo {
  trace: RunTrace;
  rerunOf?: string;
}

/**
 * The trace of the runs whose attempts this process ran lately, from their claimed tasks. The
 * process that ends a run is nearly always the one that ran its last step (the completion ends
 * the run in the same transaction), so the run span is then recorded without reading the run
 * back; a run ended elsewhere (timeout, cancellation, rejection) is read from the store instead.
 * Bounded: the oldest entries go first.
 */
export class RunTraceCache {
  private readonly runs = new Map<string, RunTraceInfo>();

  constructor(private readonly max = 10_000) {}

  /** The run's trace from a task's trigger, remembered for when the run ends. */
  remember(runId: string, trigger: unknown): RunTraceInfo {
    const known = this.runs.get(runId);
    if (known) return known;
    const info = traceInfo(runId, trigger);
    this.runs.set(runId, info);
    if (this.runs.size > this.max) this.runs.delete(this.runs.keys().next().value!);
    return info;
  }

  /** The remembered trace of a run that ended, forgotten now. */
  take(runId: string): RunTraceInfo | undefined {
    const info = this.runs.get(runId);
    this.runs.delete(runId);
    return info;
  }
}

/** The trace of a run, and the run it re-runs, from its id and stored trigger. */
export function traceInfo(runId: string, trigger: unknown): RunTraceInfo {
  const t = (trigger ?? {}) as { type?: unknown; runId?: unknown };
  return {
    trace: runTrace(runId, trigger),
    ...(t.type === 'rerun' && typeof t.runId === 'string' ? { rerunOf: t.runId } : {}),
  };
}
