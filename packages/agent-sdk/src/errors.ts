import type { ErrorBody } from './types.js';

/** Options of {@link AgentError}. */
export interface AgentErrorOptions {
  /** Default true: a failure is assumed to be transient unless the agent says otherwise. */
  retryable?: boolean;
  /** A stable code of the agent's own (e.g. `REPO_NOT_FOUND`), shown with the step error. */
  code?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A controlled failure of an action: thrown from a handler, it becomes
 * `{ "error": { message, retryable, code?, details? } }` on stdout.
 */
export class AgentError extends Error {
  readonly retryable: boolean;
  readonly code: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: AgentErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'AgentError';
    this.retryable = options.retryable ?? true;
    this.code = options.code;
    this.details = options.details;
  }
}

/** A failure another attempt may fix (a flaky network, a busy service): `throw retryable(...)`. */
export function retryable(
  message: string,
  options: Omit<AgentErrorOptions, 'retryable'> = {},
): AgentError {
  return new AgentError(message, { ...options, retryable: true });
}

/** A failure no retry will fix (bad input, missing permission): `throw fatal(...)`. */
export function fatal(
  message: string,
  options: Omit<AgentErrorOptions, 'retryable'> = {},
): AgentError {
  return new AgentError(message, { ...options, retryable: false });
}

/**
 * The error body for anything a handler threw: an {@link AgentError} as it says; any other
 * exception is unexpected, hence retryable, with its message.
 */
export function errorBody(error: unknown): ErrorBody {
  if (error instanceof AgentError) {
    return {
      message: error.message,
      retryable: error.retryable,
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...(error.details !== undefined ? { details: error.details } : {}),
    };
  }
  const message =
    error instanceof Error ? error.message || error.name : String(error ?? 'unknown error');
  return { message, retryable: true };
}
