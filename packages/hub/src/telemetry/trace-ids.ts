import { createHash } from 'node:crypto';
import { parseTraceParent, TraceState } from '@opentelemetry/core';

/**
 * The W3C trace context a request carried, validated and normalised (`traceparent` in the
 * version-00 form, `tracestate` re-serialised), as runs keep it in `trigger.traceparent` /
 * `trigger.tracestate` to continue the caller's trace.
 */
export interface InboundTrace {
  traceparent: string;
  tracestate?: string;
}

/** The parent a run's root span continues (the inbound request's span). */
export interface TraceParentContext {
  spanId: string;
  traceFlags: number;
  traceState?: string;
}

/**
 * The trace identity of a run, fixed when the run is created and the same in every process:
 * migration 012_tracing.sql stores the same derivation as `runs.trace_id` / `runs.root_span_id`.
 */
export interface RunTrace {
  runId: string;
  traceId: string;
  /** Span id of the run's `workflow.run` span, the parent of its step and approval spans. */
  rootSpanId: string;
  /** The span of the request that started the run, when it carried a `traceparent`. */
  parent?: TraceParentContext;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The trace context of an inbound request (API call, webhook delivery), or undefined when it
 * carries none or a malformed one (which is ignored, as W3C Trace Context asks, never refused).
 */
export function inboundTrace(headers: Headers): InboundTrace | undefined {
  const raw = first(headers.traceparent);
  const parsed = typeof raw === 'string' ? parseTraceParent(raw.trim()) : null;
  if (!parsed) return undefined;
  const traceparent = formatTraceparent(parsed.traceId, parsed.spanId, parsed.traceFlags);
  const rawState = headers.tracestate;
  const state = rawState === undefined ? '' : [rawState].flat().join(',');
  const tracestate = state ? new TraceState(state).serialize() : '';
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/** A `traceparent` header value (version 00). */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A stored (normalised) traceparent; 012_tracing.sql matches the same pattern. */
const STORED_TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The trace of a run from its id and trigger: the trigger's stored `traceparent` gives the trace
 * id and the root span's parent; otherwise the run id (a uuidv7, without dashes) is the trace id.
 * The root span id is the first 16 hex digits of md5(run id).
 */
export function runTrace(runId: string, trigger: unknown): RunTrace {
  const rootSpanId = createHash('md5').update(runId).digest('hex').slice(0, 16);
  const t = (trigger ?? {}) as { traceparent?: unknown; tracestate?: unknown };
  const m = typeof t.traceparent === 'string' ? STORED_TRACEPARENT.exec(t.traceparent) : null;
  if (!m) return { runId, traceId: runId.replaceAll('-', ''), rootSpanId };
  return {
    runId,
    traceId: m[1]!,
    rootSpanId,
    parent: {
      spanId: m[2]!,
      traceFlags: parseInt(m[3]!, 16),
      ...(typeof t.tracestate === 'string' && t.tracestate ? { traceState: t.tracestate } : {}),
    },
  };
}
