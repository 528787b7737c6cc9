/**
 * The contract between the engine and whatever executes one step attempt (builtin functions,
 * process agents, and later http/nats/llm transports). Failures are data, not thrown strings.
 */

/** Where a step failure came from. Mapped to step statuses in one place (the engine). */
export type StepErrorType =
  | 'agent' // the agent reported an error ({ error } on stdout, a thrown error in a builtin)
  | 'crash' // the agent process died (non-zero exit, signal, invalid protocol output)
  | 'timeout' // the attempt ran past its timeout
  | 'cancelled' // the run was cancelled or failed elsewhere while this attempt ran
  | 'lost' // the worker running the attempt lost its lease (died, paused, partitioned)
  | 'template' // an input/when/forEach expression could not be evaluated
  | 'validation' // input or output did not match the action's schema
  | 'rejected' // an approver rejected the step
  | 'expired' // an approval expired before anyone decided
  | 'config'; // the agent or action is unknown or misconfigured

/** A step failure as stored on the attempt and shown to users. */
export interface StepError {
  type: StepErrorType;
  /** Stable code from the error catalogue, e.g. `CC_E_STEP_TIMEOUT`. */
  code: string;
  /** Whether another attempt may succeed (the retry policy still decides whether one happens). */
  retryable: boolean;
  message: string;
  /** Optional structured detail (exit code, signal, stderr tail, schema errors...). */
  details?: Record<string, unknown>;
}

/** The request every agent receives (SPEC §4): the same JSON for every transport. */
export interface ExecutionRequest {
  action: string;
  input: unknown;
  run: { id: string; project: string; workflow: string; version: number };
  step: { id: string; key: string; item?: unknown; index?: number };
  attempt: number;
  /** Stable across attempts of the same step: `<runId>:<stepKey>`. */
  idempotencyKey: string;
  /** W3C trace context of the step attempt, when tracing is on. */
  traceparent?: string;
}

export type ExecutionResult = { ok: true; output: unknown } | { ok: false; error: StepError };

export interface ExecutionContext {
  /** Aborted when the attempt times out, the run is cancelled, or the worker shuts down. */
  signal: AbortSignal;
  /** One log line of the step (stderr line of a process agent, log() of a builtin). */
  log(line: string): void;
  /** Secrets the agent declared, already decrypted (names → values). */
  secrets?: Record<string, string>;
}

/** Resources one attempt consumed (LLM tokens and their cost); stored on the attempt. */
export interface AttemptUsage {
  /** The model that answered (LLM agents). */
  model?: string;
  tokensIn?: number;
  tokensOut?: number;
  /** Cost in US dollars, from the configured token prices. */
  costUsd?: number;
}
