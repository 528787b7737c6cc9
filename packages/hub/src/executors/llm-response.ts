import { validateAgainstSchema, type AttemptUsage, type StepError } from '@commandcenter/protocol';
import type { LlmSettings } from './llm-config.js';

/** The parts of a provider response the transport reads (a `GuardedResponse` fits). */
export interface ProviderResponse {
  status: number;
  headers: Headers;
  text(): string;
}

/** What the answer is checked against, and named in messages. */
export interface CompletionContext {
  agent: string;
  action: string;
  /** The action's output schema, if any (pre-validated for a retryable, precise error). */
  outputSchema?: unknown;
  settings: LlmSettings;
  maxTokens?: number;
}

/** The interpreted completion; `usage` is set whenever the provider reported tokens. */
export type CompletionResult = ({ ok: true; output: unknown } | { ok: false; error: StepError }) & {
  usage?: AttemptUsage;
};

const EXCERPT_CHARS = 300;

/**
 * Maps an OpenAI-compatible chat completion response to the step result: the JSON of
 * `choices[0].message.content` is the output. Rate limits (429), provider failures (5xx), a body
 * or content that is not JSON, and an answer off the output schema are retryable
 * `CC_E_LLM_ERROR`s; 400/401/403/404, a refusal and a cut-off answer are not, and say what to fix.
 */
export function interpretCompletion(res: ProviderResponse, c: CompletionContext): CompletionResult {
  const text = res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status < 200 || res.status > 299) return httpError(res, body, text, c);
  if (!isObject(body)) {
    return llmError(true, `the LLM provider’s answer is not a JSON object: ${excerpt(text)}`);
  }
  const usage = usageOf(body, c);
  const withUsage = (r: CompletionResult): CompletionResult => (usage ? { ...r, usage } : r);
  const choice = Array.isArray(body.choices) ? (body.choices[0] as unknown) : undefined;
  const message = isObject(choice) && isObject(choice.message) ? choice.message : undefined;
  const finish = isObject(choice) ? choice.finish_reason : undefined;
  if (!message)
    return withUsage(llmError(true, 'the LLM provider’s answer has no choices[0].message'));
  if (typeof message.refusal === 'string' && message.refusal !== '') {
    return withUsage(llmError(false, `the model refused to answer: ${message.refusal}`));
  }
  if (finish === 'length') {
    return withUsage(
      llmError(
        false,
        `the model’s answer was cut off at its token limit (finish_reason "length"${c.maxTokens ? `, max_tokens ${c.maxTokens}` : ''}); ` +
          'raise runtime.maxTokens or send a smaller input',
      ),
    );
  }
  if (finish === 'content_filter') {
    return withUsage(llmError(false, 'the provider’s content filter blocked the answer'));
  }
  const content = contentText(message.content);
  if (content === undefined || content.trim() === '') {
    return withUsage(llmError(true, 'the model’s answer has no content'));
  }
  let output: unknown;
  try {
    output = JSON.parse(stripFence(content));
  } catch {
    return withUsage(llmError(true, `the model’s answer is not valid JSON: ${excerpt(content)}`));
  }
  if (c.outputSchema !== undefined) {
    const problems = validateAgainstSchema(c.outputSchema, output, 'CC_E_OUTPUT_INVALID', 'output');
    if (problems.length > 0) {
      return withUsage(
        llmError(
          true,
          `the model’s answer does not match ${c.agent}.${c.action}'s output schema: ` +
            problems.map((p) => p.message).join('; '),
          { problems },
        ),
      );
    }
  }
  return withUsage({ ok: true, output });
}

function httpError(res: ProviderResponse, body: unknown, text: string, c: CompletionContext) {
  const status = res.status;
  const said = providerMessage(body) ?? (text ? excerpt(text) : '(empty body)');
  const details: Record<string, unknown> = { status, providerMessage: said };
  const retryAfter = res.headers.get('retry-after');
  if (retryAfter) details.retryAfter = retryAfter;
  const head = `the LLM provider answered ${status}: ${said}`;
  const { settings } = c;
  if (status === 429) {
    return llmError(true, `${head}; the request was rate-limited, it will be retried`, details);
  }
  if (status >= 300 && status < 400) {
    return llmError(
      false,
      `the LLM provider redirected the request (${status}) to ${res.headers.get('location') ?? '(no location)'}; ` +
        'set the base URL to the final address (redirects are not followed: they would resend the API key)',
      details,
    );
  }
  if (status >= 500 || status === 408 || status === 409) return llmError(true, head, details);
  if (status === 401 || status === 403) {
    const fix = settings.apiKey
      ? `check the API key in the project secret ${settings.apiKeySecret}`
      : `no API key was sent: set the project secret ${settings.apiKeySecret}`;
    return llmError(false, `${head}; ${fix}`, details);
  }
  if (status === 404) {
    return llmError(
      false,
      `${head}; check the base URL ${settings.baseUrl} (OpenAI-compatible APIs usually end in /v1) ` +
        `and that the model "${settings.model}" exists`,
      details,
    );
  }
  return llmError(
    false,
    `${head}; check the model name "${settings.model}", that it supports structured output ` +
      '(response_format json_schema), and that the action’s output schema is one it accepts',
    details,
  );
}

function usageOf(body: Record<string, unknown>, c: CompletionContext): AttemptUsage | undefined {
  const u = isObject(body.usage) ? body.usage : undefined;
  const model = typeof body.model === 'string' && body.model ? body.model : c.settings.model;
  if (!u) return { model };
  const tokensIn = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : undefined;
  const tokensOut = typeof u.completion_tokens === 'number' ? u.completion_tokens : undefined;
  return {
    model,
    ...(tokensIn !== undefined ? { tokensIn } : {}),
    ...(tokensOut !== undefined ? { tokensOut } : {}),
  };
}

/** The provider's own error message: OpenAI `{ error: { message } }` and common variants. */
function providerMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const e = body.error;
  if (isObject(e) && typeof e.message === 'string') return e.message;
  if (typeof e === 'string') return e;
  if (typeof body.message === 'string') return body.message;
  if (typeof body.detail === 'string') return body.detail;
  return undefined;
}

/** Message content as text: a string, or the text parts of a content array. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts = content
    .map((p: unknown) => (isObject(p) && typeof p.text === 'string' ? p.text : ''))
    .join('');
  return parts || undefined;
}

/** Some models wrap JSON in a Markdown code fence even in JSON mode. */
function stripFence(text: string): string {
  const m = /^\s*```[a-zA-Z]*\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}

function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS
    ? `${JSON.stringify(text.slice(0, EXCERPT_CHARS))}…`
    : JSON.stringify(text);
}

function llmError(
  retryable: boolean,
  message: string,
  details?: Record<string, unknown>,
): { ok: false; error: StepError } {
  return {
    ok: false,
    error: {
      type: 'agent',
      code: 'CC_E_LLM_ERROR',
      retryable,
      message,
      ...(details ? { details } : {}),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
