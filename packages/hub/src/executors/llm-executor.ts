import type {
  AttemptUsage,
  ExecutionRequest,
  ExecutionResult,
  LlmRuntime,
  StepError,
} from '@commandcenter/protocol';
import { abortReason } from './abort-reason.js';
import { EgressRefusedError, GuardedFetchError, guardedFetch } from '../net/guarded-fetch.js';
import type { AgentExecutionContext, AgentOfType, Transport } from './agent-context.js';
import { resolveLlmSettings } from './llm-config.js';
import { buildChatRequest } from './llm-request.js';
import { interpretCompletion } from './llm-response.js';
import { traceHeaders } from '../telemetry/trace-headers.js';

/** Options of {@link createLlmTransport}. */
export interface LlmTransportOptions {
  /** The HTTP client (default: the SSRF-guarded fetch). */
  fetch?: typeof guardedFetch;
  /**
   * Longest wait for one completion when the agent sets no `runtime.timeout`, in milliseconds
   * (default 10 minutes). The engine's step timeout and cancellation abort earlier.
   */
  requestTimeoutMs?: number;
}

type LlmAgent = AgentOfType<'llm'>;

/**
 * The `llm` transport (SPEC §4): renders the action's prompt template, asks an OpenAI-compatible
 * `POST {baseUrl}/chat/completions` for structured output following the action's output schema,
 * and returns the parsed JSON as the step output. The provider comes from the manifest or the
 * project secrets `LLM_BASE_URL`, `LLM_MODEL`, `LLM_API_KEY`; requests go through the SSRF guard
 * with the project's `egressAllowHosts`. Token usage and cost (from `runtime.pricing`) are
 * reported through `ctx.usage`, and one log line per request says model, status, tokens and
 * duration — never the key.
 */
export function createLlmTransport(opts: LlmTransportOptions = {}): Transport<LlmAgent> {
  const fetch = opts.fetch ?? guardedFetch;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10 * 60_000;

  async function execute(
    agent: LlmAgent,
    request: ExecutionRequest,
    ctx: AgentExecutionContext,
  ): Promise<ExecutionResult> {
    const resolved = await resolveLlmSettings(agent, ctx);
    if (!resolved.ok) return resolved;
    const { settings } = resolved;
    const built = await buildChatRequest(agent, request, settings.model);
    if (!built.ok) return built;
    const format = built.body.response_format;
    if (format.type === 'json_schema' && !format.json_schema.strict) {
      ctx.log(
        `llm: the output schema of ${agent.name}.${request.action} does not meet strict ` +
          'structured-output rules (every object needs additionalProperties: false and all ' +
          'properties required); asking for it without strict mode',
      );
    }
    const url = `${settings.baseUrl}/chat/completions`;
    const runtime: LlmRuntime = agent.runtime ?? {};
    const started = performance.now();
    let res;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
          ...traceHeaders(request, ctx),
        },
        body: JSON.stringify(built.body),
        allowHosts: ctx.allowHosts ?? [],
        signal: ctx.signal,
        timeoutMs: runtime.timeoutMs ?? requestTimeoutMs,
        // A redirect would resend the key elsewhere; providers do not redirect API calls.
        maxRedirects: 0,
      });
    } catch (err) {
      return fetchFailure(err, ctx.signal, settings.baseUrl);
    }
    const result = interpretCompletion(res, {
      agent: agent.name,
      action: request.action,
      outputSchema: agent.actions[request.action]?.output,
      settings,
      ...(runtime.maxTokens !== undefined ? { maxTokens: runtime.maxTokens } : {}),
    });
    const usage = result.usage ? withCost(result.usage, runtime.pricing) : undefined;
    if (usage) ctx.usage?.(usage);
    ctx.log(logLine(settings.model, url, res.status, performance.now() - started, usage));
    return result.ok ? { ok: true, output: result.output } : { ok: false, error: result.error };
  }

  return {
    async execute(agent, request, ctx) {
      try {
        return await execute(agent, request, ctx);
      } catch (err) {
        return fail('agent', 'CC_E_LLM_ERROR', true, `the llm transport failed: ${text(err)}`);
      }
    },
    close: () => Promise.resolve(),
  };
}

/** Usage with `costUsd` from the per-million-token prices, when the manifest gives them. */
export function withCost(usage: AttemptUsage, pricing: LlmRuntime['pricing']): AttemptUsage {
  if (!pricing || (usage.tokensIn === undefined && usage.tokensOut === undefined)) return usage;
  const cost =
    ((usage.tokensIn ?? 0) * pricing.inputPerMillion +
      (usage.tokensOut ?? 0) * pricing.outputPerMillion) /
    1_000_000;
  return { ...usage, costUsd: Math.round(cost * 1e9) / 1e9 };
}

function logLine(
  model: string,
  url: string,
  status: number,
  ms: number,
  usage: AttemptUsage | undefined,
): string {
  const tokens =
    usage?.tokensIn !== undefined || usage?.tokensOut !== undefined
      ? `, tokens in ${usage.tokensIn ?? '?'} out ${usage.tokensOut ?? '?'}`
      : '';
  const cost = usage?.costUsd !== undefined ? `, cost $${usage.costUsd.toFixed(6)}` : '';
  return `llm ${usage?.model ?? model} via ${new URL(url).host}: HTTP ${status} in ${Math.round(ms)} ms${tokens}${cost}`;
}

function fetchFailure(err: unknown, signal: AbortSignal, baseUrl: string): ExecutionResult {
  if (err instanceof EgressRefusedError) {
    return {
      ok: false,
      error: {
        type: 'config',
        code: 'CC_E_EGRESS_REFUSED',
        retryable: false,
        message: `the LLM provider cannot be called: ${err.message}`,
        details: { url: err.url, reason: err.reason },
      },
    };
  }
  if (signal.aborted) return { ok: false, error: abortReason(signal) };
  if (err instanceof GuardedFetchError) {
    switch (err.kind) {
      case 'timeout':
        return fail(
          'agent',
          'CC_E_LLM_ERROR',
          true,
          `the LLM provider did not answer in time: ${err.message}; raise the agent’s runtime.timeout or use a faster model`,
        );
      case 'network':
      case 'aborted':
        return fail(
          'agent',
          'CC_E_LLM_ERROR',
          true,
          `cannot reach the LLM provider at ${baseUrl}: ${err.message}`,
        );
      case 'too-large':
      case 'redirects':
        return fail(
          'agent',
          'CC_E_LLM_ERROR',
          false,
          `the LLM provider’s answer is unusable: ${err.message}`,
        );
    }
  }
  return fail(
    'agent',
    'CC_E_LLM_ERROR',
    true,
    `the request to the LLM provider failed: ${text(err)}`,
  );
}

function fail(
  type: StepError['type'],
  code: string,
  retryable: boolean,
  message: string,
): ExecutionResult {
  return { ok: false, error: { type, code, retryable, message } };
}

function text(err: unknown): string {
  return String((err as Error)?.message ?? err);
}
