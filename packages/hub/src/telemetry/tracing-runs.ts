import { SpanKind } from '@opentelemetry/api';
import {
  FINAL_RUN_STATUSES,
  type CCEvent,
  type EventMap,
  type RunStatus,
} from '@commandcenter/protocol';
import type { EventListener } from '../engine/event-hub.js';
import type { Queryable } from '../store/port.js';
import { ATTR, SPAN_NAMES, recordStepError, runAttributes } from './trace-attributes.js';
import { traceInfo, type RunTraceCache, type RunTraceInfo } from './trace-run-cache.js';
import { runTrace } from './trace-ids.js';
import type { Tracing } from './tracing.js';

interface ApprovalRow {
  status: string;
  decided_by: string | null;
  requested_at: Date | string;
  decided_at: Date | string | null;
  project: string;
  workflow: string;
  version: number;
  trigger: unknown;
}

/** Errors of the approval decisions that fail their step. */
const DECISION_ERRORS: Record<string, { code: string; message: string }> = {
  rejected: { code: 'CC_E_APPROVAL_REJECTED', message: 'the approval was rejected' },
  expired: { code: 'CC_E_APPROVAL_EXPIRED', message: 'nobody decided before the approval expired' },
};

/**
 * Records the spans that end with a transition rather than with an attempt: a run's
 * `workflow.run` span when the run ends, and a `workflow.approval` span (request to decision)
 * when an approval is decided, expires or is cancelled with its run. Each such transition's
 * event is published by exactly one process, the one that committed it, so exactly one process
 * records each span. A run span takes its times and attributes from the final event (`time` is
 * the end, `durationMs` back from it the creation) and its ids from the run's trigger —
 * remembered from its attempts (`runs`) or, for a run this process ran no step of, read by
 * primary key; an approval span reads its approval. `Tracing.forceFlush` waits for them. `store`
 * should be the undecorated store: this bookkeeping is not part of any trace.
 */
export function traceRuns(
  tracing: Tracing,
  engine: { subscribe(listener: EventListener): () => void },
  store: Queryable,
  runs: RunTraceCache,
  onError: (err: unknown) => void = (err) => console.error('tracing: recording a span failed', err),
): () => void {
  return engine.subscribe((e: CCEvent) => {
    if (!e.runId) return;
    if (e.type.startsWith('workflow.run.')) {
      const status = (e.data as { status?: RunStatus }).status;
      if (status && FINAL_RUN_STATUSES.includes(status)) {
        const known = runs.take(e.runId);
        tracing.track(endRun(tracing, store, e, known).catch(onError));
      }
    } else if (e.type === 'approval.decided') {
      tracing.track(endApproval(tracing, store, e.runId, e.data).catch(onError));
    }
  });
}

async function endRun(
  tracing: Tracing,
  store: Queryable,
  e: CCEvent,
  known: RunTraceInfo | undefined,
): Promise<void> {
  const runId = e.runId!;
  const info = known ?? (await readTrace(store, runId));
  if (!info) return; // deleted by retention in the meantime
  const data = e.data as EventMap['workflow.run.succeeded'];
  const end = new Date(e.time);
  const span = tracing.startRunSpan(info.trace, {
    kind: SpanKind.INTERNAL,
    startTime: new Date(end.getTime() - (data.durationMs ?? 0)),
    attributes: {
      ...runAttributes({
        project: e.project,
        workflow: data.workflow,
        version: data.version,
        runId,
      }),
      [ATTR.status]: data.status,
      [ATTR.trigger]: data.trigger ?? 'manual',
      ...(info.rerunOf ? { [ATTR.rerunOf]: info.rerunOf } : {}),
    },
  });
  if (data.status !== 'succeeded') recordStepError(span, data.error);
  span.end(end);
}

async function readTrace(store: Queryable, runId: string): Promise<RunTraceInfo | undefined> {
  const r = await store.query<{ trigger: unknown }>('SELECT trigger FROM runs WHERE id = $1', [
    runId,
  ]);
  return r.rows[0] ? traceInfo(runId, r.rows[0].trigger) : undefined;
}

async function endApproval(
  tracing: Tracing,
  store: Queryable,
  runId: string,
  data: EventMap['approval.decided'],
): Promise<void> {
  const r = await store.query<ApprovalRow>(
    `SELECT a.status, a.decided_by, a.requested_at, a.decided_at, r.project, r.workflow, r.version, r.trigger
       FROM approvals a JOIN runs r ON r.id = a.run_id WHERE a.id = $1`,
    [data.approvalId],
  );
  const row = r.rows[0];
  if (!row) return;
  const span = tracing.tracer.startSpan(
    SPAN_NAMES.approval,
    {
      kind: SpanKind.INTERNAL,
      startTime: new Date(row.requested_at),
      attributes: {
        ...runAttributes({ ...row, runId }),
        [ATTR.node]: data.nodeId,
        [ATTR.step]: data.stepKey,
        ...(data.agent ? { [ATTR.agent]: data.agent } : {}),
        ...(data.action ? { [ATTR.action]: data.action } : {}),
        [ATTR.approval]: data.approvalId,
        [ATTR.decision]: row.status,
        [ATTR.status]: row.status,
        ...(row.decided_by ? { [ATTR.decidedBy]: row.decided_by } : {}),
      },
    },
    tracing.runContext(runTrace(runId, row.trigger)),
  );
  const failure = DECISION_ERRORS[row.status];
  if (failure) recordStepError(span, failure);
  span.end(new Date(row.decided_at ?? Date.now()));
}
