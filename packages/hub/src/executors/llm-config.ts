import type { StepError } from '@commandcenter/protocol';
import type { AgentExecutionContext, AgentOfType } from './agent-context.js';

/** Where one attempt of an `llm` agent sends its request. */
export interface LlmSettings {
  /** The OpenAI-compatible base URL, without a trailing slash. */
  baseUrl: string;
  model: string;
  /** The API key; absent for local providers that need none. */
  apiKey?: string;
  /** Name of the secret the key came from (for error messages; never the value). */
  apiKeySecret: string;
}

/** Project secrets the llm transport falls back to. */
export const llmSecretNames = {
  baseUrl: 'LLM_BASE_URL',
  model: 'LLM_MODEL',
  apiKey: 'LLM_API_KEY',
} as const;

/**
 * Resolves the provider of an attempt: `runtime.baseUrl` else the project secret `LLM_BASE_URL`,
 * `runtime.model` else `LLM_MODEL`, and the key from the secret `runtime.apiKeySecret` (default
 * `LLM_API_KEY`; optional). A missing base URL or model is a non-retryable
 * `CC_E_LLM_NOT_CONFIGURED` naming exactly what to set.
 */
export async function resolveLlmSettings(
  agent: AgentOfType<'llm'>,
  ctx: AgentExecutionContext,
): Promise<{ ok: true; settings: LlmSettings } | { ok: false; error: StepError }> {
  const runtime = agent.runtime ?? {};
  const apiKeySecret = runtime.apiKeySecret ?? llmSecretNames.apiKey;
  const lookup = async (name: string) => (await ctx.lookupSecret?.(name)) || undefined;
  let baseUrl: string | undefined;
  let model: string | undefined;
  let apiKey: string | undefined;
  try {
    baseUrl = runtime.baseUrl ?? (await lookup(llmSecretNames.baseUrl));
    model = runtime.model ?? (await lookup(llmSecretNames.model));
    apiKey = await lookup(apiKeySecret);
  } catch (err) {
    return {
      ok: false,
      error: {
        type: 'config',
        code: 'CC_E_INTERNAL',
        retryable: true,
        message: `could not read the LLM secrets of agent ${agent.name}: ${String((err as Error)?.message ?? err)}`,
      },
    };
  }
  const missing = [
    ...(baseUrl
      ? []
      : [`the base URL (project secret ${llmSecretNames.baseUrl} or runtime.baseUrl)`]),
    ...(model ? [] : [`the model (project secret ${llmSecretNames.model} or runtime.model)`]),
  ];
  if (missing.length > 0) {
    return notConfigured(
      `llm agent ${agent.name} has no LLM provider configured: ${missing.join(' and ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} not set. Set the project secrets ` +
        `${llmSecretNames.baseUrl} (an OpenAI-compatible base URL such as https://api.openai.com/v1 ` +
        `or http://127.0.0.1:11434/v1) and ${llmSecretNames.model} (e.g. gpt-4o-mini), plus ` +
        `${apiKeySecret} when the provider needs a key — ` +
        `\`commandcenter secrets set ${llmSecretNames.baseUrl} --value <url>\` — or set ` +
        'runtime.baseUrl and runtime.model in the agent manifest',
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl!);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    const source = runtime.baseUrl
      ? 'runtime.baseUrl'
      : `the project secret ${llmSecretNames.baseUrl}`;
    return notConfigured(
      `llm agent ${agent.name}: ${source} is not an http(s) URL; set it to an OpenAI-compatible ` +
        'base URL such as https://api.openai.com/v1',
    );
  }
  return {
    ok: true,
    settings: {
      baseUrl: url.href.replace(/\/+$/, ''),
      model: model!,
      ...(apiKey ? { apiKey } : {}),
      apiKeySecret,
    },
  };
}

function notConfigured(message: string): { ok: false; error: StepError } {
  return {
    ok: false,
    error: { type: 'config', code: 'CC_E_LLM_NOT_CONFIGURED', retryable: false, message },
  };
}
