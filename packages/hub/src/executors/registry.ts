import type {
  AgentManifest,
  ExecutionRequest,
  ExecutionResult,
  StepError,
} from '@commandcenter/protocol';
import type { AgentExecutionContext } from './agent-context.js';
import { BuiltinRegistry, StepFailure } from './builtin.js';
import { createProcessExecutor, type ProcessRuntime } from './process-executor.js';

/** Runs one attempt of an action of an agent, whatever its transport. */
export interface Executors {
  execute(
    agent: AgentManifest,
    request: ExecutionRequest,
    ctx: AgentExecutionContext,
  ): Promise<ExecutionResult>;
  close(): Promise<void>;
}

const configError = (message: string): ExecutionResult => ({
  ok: false,
  error: { type: 'config', code: 'CC_E_AGENT_CONFIG', retryable: false, message },
});

/** Transports available to the engine: builtin (in-process) and process agents. */
export function createExecutors(opts: { builtins?: BuiltinRegistry } = {}): Executors {
  const builtins = opts.builtins ?? new BuiltinRegistry();
  const processes = createProcessExecutor();
  return {
    async execute(agent, request, ctx) {
      switch (agent.type) {
        case 'builtin':
          return runBuiltin(builtins, agent, request, ctx);
        case 'process':
          return processes.execute(agent.runtime as unknown as ProcessRuntime, request, ctx);
        default:
          return configError(
            `agent ${agent.name} has type ${agent.type}, which this hub cannot run yet: ` +
              'use a process or builtin agent',
          );
      }
    },
    close: () => processes.closeAll(),
  };
}

async function runBuiltin(
  builtins: BuiltinRegistry,
  agent: AgentManifest,
  request: ExecutionRequest,
  ctx: AgentExecutionContext,
): Promise<ExecutionResult> {
  const fn = builtins.get(agent.name, request.action);
  if (!fn) {
    return configError(
      `no builtin implementation for ${agent.name}.${request.action} is loaded in this hub`,
    );
  }
  // A builtin that ignores its signal must not hold the step past its timeout or cancellation.
  const aborted = new Promise<ExecutionResult>((resolve) => {
    const onAbort = () => resolve({ ok: false, error: abortReason(ctx.signal) });
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  const ran = (async (): Promise<ExecutionResult> => {
    try {
      return { ok: true, output: await fn(request.input, { ...ctx, request }) };
    } catch (err) {
      if (err instanceof StepFailure) return { ok: false, error: err.toStepError() };
      return {
        ok: false,
        error: {
          type: 'agent',
          code: 'CC_E_AGENT_ERROR',
          retryable: true,
          message: String((err as Error)?.message ?? err),
        },
      };
    }
  })();
  return Promise.race([ran, aborted]);
}

/** The StepError an abort carries (the engine aborts with one), or a generic cancellation. */
export function abortReason(signal: AbortSignal): StepError {
  const r = signal.reason as Partial<StepError> | undefined;
  if (r && typeof r === 'object' && typeof r.code === 'string' && typeof r.type === 'string')
    return r as StepError;
  return {
    type: 'cancelled',
    code: 'CC_E_STEP_CANCELLED',
    retryable: false,
    message: 'the attempt was cancelled',
  };
}
