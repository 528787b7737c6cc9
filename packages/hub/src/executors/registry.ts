import type { AgentManifest, ExecutionRequest, ExecutionResult } from '@commandcenter/protocol';
import { abortReason } from './abort-reason.js';
import type { AgentExecutionContext } from './agent-context.js';

export { abortReason } from './abort-reason.js';
import { BuiltinRegistry, StepFailure } from './builtin.js';
import { createHttpTransport } from './http-executor.js';
import { createLlmTransport } from './llm-executor.js';
import { createNatsTransport } from './nats-executor.js';
import {
  createProcessExecutor,
  type ProcessExecutorOptions,
  type ProcessRuntime,
} from './process-executor.js';

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

/** Options of {@link createExecutors}. */
export interface ExecutorsOptions {
  /** In-process actions of `builtin` agents (the shipped ones and any a host adds). */
  builtins?: BuiltinRegistry;
  /** NATS server(s) for `nats` agents (`NATS_URL`); without it their steps fail with a fix. */
  natsUrl?: string;
  /** Settings of the `process` transport (tests narrow the environment allowlist). */
  process?: ProcessExecutorOptions;
}

/**
 * Every agent transport (SPEC §4): `builtin` in-process, `process` (one-shot or persistent),
 * `http`, `nats` and `llm`. Each is created once and shared by every step of this process.
 */
export function createExecutors(opts: ExecutorsOptions = {}): Executors {
  const builtins = opts.builtins ?? new BuiltinRegistry();
  const processes = createProcessExecutor(opts.process);
  const http = createHttpTransport();
  const llm = createLlmTransport();
  const nats = opts.natsUrl ? createNatsTransport({ servers: opts.natsUrl }) : undefined;
  return {
    async execute(agent, request, ctx) {
      switch (agent.type) {
        case 'builtin':
          return runBuiltin(builtins, agent, request, ctx);
        case 'process':
          return processes.execute(
            {
              ...(agent.runtime as unknown as ProcessRuntime),
              agentId: `${agent.name}@${agent.version}`,
              ...(agent.concurrency !== undefined ? { concurrency: agent.concurrency } : {}),
            },
            request,
            ctx,
          );
        case 'http':
          return http.execute(agent, request, ctx);
        case 'llm':
          return llm.execute(agent, request, ctx);
        case 'nats':
          if (!nats) {
            return configError(
              `agent ${agent.name} is a nats agent, but this hub has no NATS connection: ` +
                'start the hub and its workers with NATS_URL=nats://host:4222',
            );
          }
          return nats.execute(agent, request, ctx);
      }
    },
    async close() {
      await Promise.all([processes.closeAll(), http.close(), llm.close(), nats?.close()]);
    },
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
