import type { ExecutionRequest } from '@commandcenter/protocol';

/**
 * Names passed from the hub's environment to every process agent. Deliberately tiny: anything
 * else (DATABASE_URL, CC_SECRET_KEY, tokens, NODE_OPTIONS...) must be declared by the agent
 * (`runtime.envAllowlist`, `runtime.env`, secrets) to reach it.
 */
export const BASE_ENV_ALLOWLIST: readonly string[] = Object.freeze([
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
]);

/** Everything {@link buildChildEnv} needs; it reads nothing else. */
export interface ChildEnvInput {
  /** The hub's environment (normally `process.env`); only allowlisted names are read. */
  hubEnv: Readonly<Record<string, string | undefined>>;
  /** Replaces {@link BASE_ENV_ALLOWLIST} when given. */
  baseAllowlist?: readonly string[];
  /** The agent's `runtime.envAllowlist`: more names passed through from `hubEnv`. */
  allowlist?: readonly string[];
  /** The agent's `runtime.env`: fixed values. */
  fixed?: Readonly<Record<string, string>>;
  /** Declared secrets as environment variables (name → decrypted value). */
  secrets?: Readonly<Record<string, string>>;
  request: Pick<ExecutionRequest, 'run' | 'step' | 'attempt' | 'idempotencyKey' | 'traceparent'>;
  /** W3C `tracestate` going with `request.traceparent` (as `TRACESTATE`). */
  tracestate?: string;
}

/**
 * The complete environment of a process agent. Later sources win: base allowlist, agent
 * allowlist, `runtime.env`, secrets, then the `CC_*` / `TRACEPARENT` / `TRACESTATE` variables,
 * which an agent cannot override.
 */
export function buildChildEnv(input: ChildEnvInput): Record<string, string> {
  const env = new Map<string, string>();
  for (const name of [...(input.baseAllowlist ?? BASE_ENV_ALLOWLIST), ...(input.allowlist ?? [])]) {
    const value = input.hubEnv[name];
    if (value !== undefined) env.set(name, value);
  }
  for (const source of [input.fixed, input.secrets]) {
    for (const [name, value] of Object.entries(source ?? {})) env.set(name, value);
  }
  const { request } = input;
  env.set('CC_RUN_ID', request.run.id);
  env.set('CC_STEP_ID', request.step.id);
  env.set('CC_ATTEMPT', String(request.attempt));
  env.set('CC_IDEMPOTENCY_KEY', request.idempotencyKey);
  if (request.traceparent !== undefined) {
    env.set('TRACEPARENT', request.traceparent);
    if (input.tracestate) env.set('TRACESTATE', input.tracestate);
  }
  // fromEntries defines own properties, so a name like `__proto__` cannot touch the prototype.
  return Object.fromEntries(env);
}
