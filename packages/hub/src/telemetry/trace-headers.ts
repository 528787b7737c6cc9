import type { ExecutionRequest } from '@commandcenter/protocol';
import type { AgentExecutionContext } from '../executors/agent-context.js';

/**
 * The W3C trace context an attempt hands its agent as headers (http, llm) or NATS headers:
 * `traceparent` (the attempt's span) and `tracestate` when the trace carries one. Empty when
 * tracing is off.
 */
export function traceHeaders(
  request: Pick<ExecutionRequest, 'traceparent'>,
  ctx: Pick<AgentExecutionContext, 'tracestate'>,
): Record<string, string> {
  if (!request.traceparent) return {};
  return ctx.tracestate
    ? { traceparent: request.traceparent, tracestate: ctx.tracestate }
    : { traceparent: request.traceparent };
}
