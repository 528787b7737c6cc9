import type { ExecutionRequest, StepError } from '@commandcenter/protocol';
import type { AgentExecutionContext } from './agent-context.js';

/** What a builtin action gets: the attempt context plus the whole request. */
export interface BuiltinContext extends AgentExecutionContext {
  request: ExecutionRequest;
}

/** An in-process action: gets the resolved input, returns the output (or throws). */
export type BuiltinHandler = (input: unknown, ctx: BuiltinContext) => unknown;

/**
 * A controlled failure thrown by a builtin action. Anything else a builtin throws is reported as
 * a retryable agent error with its message.
 */
export class StepFailure extends Error {
  readonly retryable: boolean;
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(
    message: string,
    opts: { retryable?: boolean; code?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'StepFailure';
    this.retryable = opts.retryable ?? true;
    this.code = opts.code ?? 'CC_E_AGENT_ERROR';
    this.details = opts.details;
  }

  toStepError(): StepError {
    return {
      type: 'agent',
      code: this.code,
      retryable: this.retryable,
      message: this.message,
      details: this.details,
    };
  }
}

/** The builtin actions the hub offers, by agent name and action name. */
export class BuiltinRegistry {
  private readonly agents = new Map<string, Map<string, BuiltinHandler>>();

  register(agent: string, actions: Record<string, BuiltinHandler>): this {
    const map = this.agents.get(agent) ?? new Map<string, BuiltinHandler>();
    for (const [name, fn] of Object.entries(actions)) map.set(name, fn);
    this.agents.set(agent, map);
    return this;
  }

  get(agent: string, action: string): BuiltinHandler | undefined {
    return this.agents.get(agent)?.get(action);
  }
}
