/**
 * The stdio protocol between the hub and a process agent (SPEC §4), as the agent sees it. These
 * types mirror `@commandcenter/protocol` so that the SDK has no dependencies.
 */

/** A JSON Schema document. The hub validates inputs and outputs against the manifest's. */
export type JsonSchema = boolean | { [keyword: string]: unknown };

/** One request, as the hub writes it to the agent's stdin (one JSON line). */
export interface AgentRequest {
  action: string;
  input: unknown;
  run: { id: string; project: string; workflow: string; version: number };
  step: { id: string; key: string; item?: unknown; index?: number };
  /** 1 for the first attempt of a step, 2 for its first retry, ... */
  attempt: number;
  /** Stable across attempts of the same step (`<runId>:<stepKey>`): use it to deduplicate. */
  idempotencyKey: string;
  /** W3C trace context of the step attempt, when the hub traces. */
  traceparent?: string;
}

/** How the agent was started: one request per process, or many (`runtime.persistent`). */
export type AgentMode = 'one-shot' | 'persistent';

/** What a handler gets besides its input. */
export interface ActionContext {
  /** The request without its input: action, run, step, attempt, idempotencyKey, traceparent. */
  request: Omit<AgentRequest, 'input'>;
  /** Aborted when the hub stops the attempt (SIGTERM: timeout, cancellation, shutdown). */
  signal: AbortSignal;
  /** Writes a step log line (to stderr); arguments are formatted like `console.log`. */
  log(...args: unknown[]): void;
  mode: AgentMode;
}

/** An error as the agent reports it. */
export interface ErrorBody {
  message: string;
  /** Whether another attempt may succeed (the workflow's retry policy still decides). */
  retryable: boolean;
  /** The agent's own error code (kept by the hub in `details.agentCode`). */
  code?: string;
  details?: Record<string, unknown>;
}

/** The one stdout line an agent answers a request with. */
export type ResultLine = { output: unknown } | { error: ErrorBody };
