import type { ExecutionRequest } from '@commandcenter/protocol';

/**
 * The request every transport sends an agent (SPEC §4): the protocol fields only, in the order
 * SPEC §4 lists them, so nothing else on the request object reaches the agent.
 */
export function protocolRequest(r: ExecutionRequest): ExecutionRequest {
  return {
    action: r.action,
    input: r.input,
    run: r.run,
    step: r.step,
    attempt: r.attempt,
    idempotencyKey: r.idempotencyKey,
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
  };
}
