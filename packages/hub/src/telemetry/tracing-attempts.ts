import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import type { AttemptObserver } from '../engine/step-runner.js';
import type { Completion } from '../engine/task.js';
import { ATTR, SPAN_NAMES, recordStepError, runAttributes } from './trace-attributes.js';
import { runTrace } from './trace-ids.js';
import type { RunTraceCache } from './trace-run-cache.js';
import type { Tracing } from './tracing.js';

/** The step status an attempt's outcome leads to, as the `cc.status` attribute says it. */
const STATUS: Record<Completion['outcome'], string> = {
  succeeded: 'succeeded',
  skipped: 'skipped',
  failed: 'failed',
  timed_out: 'timed_out',
  expand: 'expanded',
  approval: 'waiting_approval',
  release: 'released',
};

/**
 * One `workflow.step` span per step attempt, child of the run's root span (whichever process
 * runs the attempt), active while the attempt runs so that its store queries nest under it; its
 * W3C context goes to the agent (`traceparent` in the request, and the transports' header or
 * variable). The span ends with the attempt's completion, whose error is already redacted. The
 * run's trace is remembered in `runs` for the run span (tracing-runs.ts).
 */
export function attemptTracer(tracing: Tracing, runs: RunTraceCache): AttemptObserver {
  return {
    traceId: (task) => runTrace(task.runId, task.trigger).traceId,
    begin(task) {
      const run = runs.remember(task.runId, task.trigger).trace;
      const span = tracing.tracer.startSpan(
        SPAN_NAMES.step,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            ...runAttributes({ ...task, runId: task.runId }),
            [ATTR.node]: task.nodeId,
            [ATTR.step]: task.key,
            [ATTR.attempt]: task.attempt,
            [ATTR.maxAttempts]: task.maxAttempts,
            ...(task.itemIndex !== null ? { [ATTR.item]: task.itemIndex } : {}),
          },
        },
        tracing.runContext(run),
      );
      const active = trace.setSpan(ROOT_CONTEXT, span);
      const headers = tracing.headersOf(span);
      return {
        traceparent: headers.traceparent,
        tracestate: headers.tracestate,
        resolved(agent, action) {
          span.setAttributes({
            [ATTR.agent]: agent.name,
            [ATTR.agentVersion]: agent.version,
            [ATTR.agentType]: agent.type,
            [ATTR.action]: action,
          });
        },
        run: (fn) => context.with(active, fn),
        end(completion, thrown) {
          if (completion) {
            span.setAttribute(ATTR.status, STATUS[completion.outcome]);
            if (completion.error) recordStepError(span, completion.error);
          } else {
            // What the runner threw is not redacted: the hub's log has it (with this trace id).
            span.setAttribute(ATTR.status, 'failed');
            recordStepError(span, {
              code: 'CC_E_INTERNAL',
              message: `the step runner failed (${(thrown as Error)?.name ?? 'error'}); see the hub's log`,
            });
          }
          span.end();
        },
      };
    },
  };
}
