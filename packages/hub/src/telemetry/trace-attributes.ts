import type { Attributes, Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { StepError } from '@commandcenter/protocol';

/**
 * Span names: the subjects of the event map (protocol/src/events.ts) that each span covers —
 * `workflow.run.*` events happen within a `workflow.run` span, `workflow.step.*` within a
 * `workflow.step` span (one per attempt), `approval.*` within a `workflow.approval` span.
 */
export const SPAN_NAMES = {
  run: 'workflow.run',
  step: 'workflow.step',
  approval: 'workflow.approval',
} as const;

/** Attribute names of the engine's spans (docs/observability.md lists them). */
export const ATTR = {
  project: 'cc.project',
  workflow: 'cc.workflow',
  version: 'cc.workflow.version',
  run: 'cc.run.id',
  trigger: 'cc.trigger',
  rerunOf: 'cc.run.rerun_of',
  node: 'cc.node',
  step: 'cc.step.key',
  item: 'cc.step.item_index',
  agent: 'cc.agent',
  agentVersion: 'cc.agent.version',
  agentType: 'cc.agent.type',
  action: 'cc.action',
  attempt: 'cc.attempt',
  maxAttempts: 'cc.attempt.max',
  status: 'cc.status',
  errorMessage: 'cc.error.message',
  errorRetryable: 'cc.error.retryable',
  approval: 'cc.approval.id',
  decision: 'cc.approval.decision',
  decidedBy: 'cc.approval.decided_by',
  /** `error.type` (semantic conventions): the error's catalogue code, e.g. CC_E_AGENT_ERROR. */
  errorType: ATTR_ERROR_TYPE,
} as const;

/** The run-level attributes every span of a run carries. */
export function runAttributes(r: {
  project: string;
  workflow: string;
  version: number;
  runId: string;
}): Attributes {
  return {
    [ATTR.project]: r.project,
    [ATTR.workflow]: r.workflow,
    [ATTR.version]: r.version,
    [ATTR.run]: r.runId,
  };
}

/**
 * Marks `span` failed with a step or run error (already redacted: errors reach spans only after
 * the step runner replaced secret values).
 */
export function recordStepError(span: Span, error: unknown): void {
  const e = (error ?? {}) as Partial<StepError>;
  const message = typeof e.message === 'string' ? e.message : 'failed';
  span.setAttributes({
    [ATTR.errorType]: typeof e.code === 'string' ? e.code : 'CC_E_INTERNAL',
    [ATTR.errorMessage]: message,
    ...(typeof e.retryable === 'boolean' ? { [ATTR.errorRetryable]: e.retryable } : {}),
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
