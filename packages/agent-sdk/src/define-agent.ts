import { format } from 'node:util';
import { AgentError, errorBody } from './errors.js';
import { runMain } from './main.js';
import { serve, type AgentIO } from './serve.js';
import type { ActionContext, AgentMode, AgentRequest, JsonSchema, ResultLine } from './types.js';

/** Handles one action: returns (or resolves to) the output; throws to fail. */
export type Handler<I, O> = (input: I, ctx: ActionContext) => O | Promise<O>;

/** One action of an agent. */
export interface ActionDefinition<I = unknown, O = unknown> {
  description?: string;
  /** Documentation for {@link Agent.describe}; the hub validates against the manifest's schema. */
  input?: JsonSchema;
  output?: JsonSchema;
  handler: Handler<I, O>;
}

/**
 * An action: a definition, or just its handler. Inputs arrive as JSON the hub has already
 * validated against the manifest, so an unannotated handler input is `any`; annotate it (or use
 * {@link action}) to give it a type.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: input is the user's to type
export type ActionEntry = ActionDefinition<any, unknown> | Handler<any, unknown>;

/** What {@link defineAgent} takes. */
export interface AgentDefinition<A extends Record<string, ActionEntry>> {
  actions: A;
  /**
   * Runs once per process before the first request — in persistent mode before the ready line,
   * so expensive set-up (clients, models, caches) is paid once, not per step.
   */
  setup?: () => void | Promise<void>;
}

/** Options of {@link Agent.handle}. */
export interface HandleOptions {
  signal?: AbortSignal;
  /** Receives each log line; default: dropped. */
  log?: (line: string) => void;
  mode?: AgentMode;
}

/** A defined agent. */
export interface Agent<A extends Record<string, ActionEntry>> {
  readonly actions: A;
  /** Runs one request in-process (for tests) and returns the line the agent would print. */
  handle(request: unknown, options?: HandleOptions): Promise<ResultLine>;
  /** The actions' descriptions and schemas, e.g. to write the manifest's `actions`. */
  describe(): Record<string, { description?: string; input?: JsonSchema; output?: JsonSchema }>;
  /** Speaks the protocol over the given streams (see {@link serve}). */
  serve(io: AgentIO, mode: AgentMode, signal?: AbortSignal): Promise<void>;
  /**
   * Runs the agent as the hub starts it: mode from `CC_AGENT_MODE`, requests on stdin, results
   * on stdout (anything else written to stdout, `console.log` included, goes to stderr), SIGTERM
   * aborts the handler's signal; the process exits when done. Nothing to await: it never
   * returns control in a meaningful way, and failures are reported on stdout and stderr.
   */
  main(): void;
}

/**
 * Defines an agent from its actions:
 * ```ts
 * defineAgent({
 *   actions: {
 *     greet: async (input: { name: string }, ctx) => {
 *       ctx.log('greeting', input.name);
 *       return { greeting: `hello ${input.name}` };
 *     },
 *   },
 * }).main();
 * ```
 */
export function defineAgent<const A extends Record<string, ActionEntry>>(
  definition: AgentDefinition<A>,
): Agent<A> {
  const { actions } = definition;
  const names = Object.keys(actions);

  async function handle(raw: unknown, options: HandleOptions = {}): Promise<ResultLine> {
    if (!isRecord(raw) || typeof raw.action !== 'string') {
      return failure('the request is not a JSON object with an "action"', 'BAD_REQUEST');
    }
    const { input, ...rest } = raw as unknown as AgentRequest;
    const entry = Object.hasOwn(actions, rest.action) ? actions[rest.action] : undefined;
    if (entry === undefined) {
      const known = names.length > 0 ? names.map((n) => `"${n}"`).join(', ') : 'none';
      return failure(
        `unknown action "${rest.action}": this agent has ${known}; check the workflow node's action or the agent manifest`,
        'UNKNOWN_ACTION',
      );
    }
    const handler = typeof entry === 'function' ? entry : entry.handler;
    const sink = options.log ?? (() => {});
    const ctx: ActionContext = {
      request: rest,
      signal: options.signal ?? new AbortController().signal,
      log: (...args) => {
        for (const line of format(...args).split('\n')) sink(line);
      },
      mode: options.mode ?? 'one-shot',
    };
    try {
      const output = await handler(input, ctx);
      return { output: output === undefined ? null : output };
    } catch (error) {
      // An AgentError is a controlled failure; anything else is a bug whose stack helps.
      if (error instanceof Error && !(error instanceof AgentError)) {
        ctx.log(`action "${rest.action}" failed: ${error.stack ?? error.message}`);
      }
      return { error: errorBody(error) };
    }
  }

  const agent: Agent<A> = {
    actions,
    handle,
    describe: () =>
      Object.fromEntries(
        names.map((name) => {
          const entry = actions[name];
          if (typeof entry !== 'object' || entry === null) return [name, {}];
          const { description, input, output } = entry;
          return [
            name,
            {
              ...(description !== undefined ? { description } : {}),
              ...(input !== undefined ? { input } : {}),
              ...(output !== undefined ? { output } : {}),
            },
          ];
        }),
      ),
    serve: (io, mode, signal) =>
      serve({ handle, ...(definition.setup ? { setup: definition.setup } : {}) }, io, mode, signal),
    main: () => void runMain(agent),
  };
  return agent;
}

/**
 * Types one action without repeating the types in the handler:
 * `count: action<CountInput, CountOutput>({ handler: (input) => ... })`.
 */
export function action<I, O>(definition: ActionDefinition<I, O>): ActionDefinition<I, O> {
  return definition;
}

function failure(message: string, code: string): ResultLine {
  return { error: { message, retryable: false, code } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
