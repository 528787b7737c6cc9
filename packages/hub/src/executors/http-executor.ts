import type { ExecutionRequest, ExecutionResult, StepError } from '@commandcenter/protocol';
import { protocolRequest } from './protocol-request.js';
import { traceHeaders } from '../telemetry/trace-headers.js';
import { abortReason } from './abort-reason.js';
import {
  EgressRefusedError,
  GuardedFetchError,
  guardedFetch,
  type GuardedResponse,
  type HostResolver,
} from '../net/guarded-fetch.js';
import { isRetryableStatus, parseRetryAfter } from '../net/retry-after.js';
import type { AgentExecutionContext, AgentOfType, Transport } from './agent-context.js';

/** An agent of type `http`. */
export type HttpAgent = AgentOfType<'http'>;

/** Options of {@link createHttpTransport}; the defaults suit production. */
export interface HttpTransportOptions {
  /**
   * Backstop over one attempt, redirects and body included. The engine aborts `ctx.signal` at the
   * step's timeout (the node's `timeout`, else `runtime.timeout`); this bounds requests of steps
   * that set none. Default 1 hour.
   */
  maxRequestMs?: number;
  /** Largest response accepted from an agent; default 10 MiB. */
  maxResponseBytes?: number;
  /** Resolves host names (tests inject a table); default the system resolver. */
  lookup?: HostResolver;
}

const defaults = { maxRequestMs: 60 * 60 * 1000, maxResponseBytes: 10 * 1024 * 1024 };
const EXCERPT_CHARS = 200;
const secretTemplate = /\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * The `http` transport (SPEC §4): POSTs the protocol request `{ action, input, run, step, attempt,
 * idempotencyKey, traceparent }` as JSON to `runtime.url`, behind the SSRF guard (the project's
 * `egressAllowHosts` exempt hosts). Headers: `runtime.headers` (values may use
 * `{{ secrets.NAME }}` for secrets declared in `runtime.secrets`), then `content-type`,
 * `idempotency-key` and `traceparent`, which the protocol owns.
 *
 * Answers: a 2xx JSON `{ output }` succeeds; `{ error: { message, retryable?, code?, details? } }`
 * (with any status) is the agent's error, retryable unless it says otherwise. Other statuses:
 * 502/503/504 are `CC_E_AGENT_UNAVAILABLE` (retryable; a proxy could not reach the agent), other
 * 5xx, 429 and 408 are retryable `CC_E_AGENT_ERROR`, other 4xx non-retryable `CC_E_AGENT_ERROR`;
 * `details.retryAfterMs` carries a `Retry-After` (the node's retry policy still picks the delay).
 * A 2xx that is not such JSON is `CC_E_AGENT_PROTOCOL`. A refused URL or redirect is
 * `CC_E_EGRESS_REFUSED` (not retryable); an unreachable agent `CC_E_AGENT_UNAVAILABLE`
 * (retryable); an abort returns the engine's reason (step timeout, cancellation).
 */
export function createHttpTransport(opts: HttpTransportOptions = {}): Transport<HttpAgent> {
  const running = new Set<Promise<ExecutionResult>>();
  let closed = false;
  return {
    execute(agent, request, ctx) {
      if (closed) return Promise.resolve(shuttingDown());
      const attempt = runAttempt(agent, request, ctx, opts).catch((err: unknown): ExecutionResult =>
        fail('agent', 'CC_E_AGENT_ERROR', true, `http transport failed: ${String(err)}`),
      );
      running.add(attempt);
      void attempt.finally(() => running.delete(attempt));
      return attempt;
    },
    async close() {
      closed = true;
      // Attempts end on their own signal (the engine aborts them on shutdown); wait for them.
      await Promise.allSettled([...running]);
    },
  };
}

async function runAttempt(
  agent: HttpAgent,
  request: ExecutionRequest,
  ctx: AgentExecutionContext,
  opts: HttpTransportOptions,
): Promise<ExecutionResult> {
  if (ctx.signal.aborted) return { ok: false, error: abortReason(ctx.signal) };
  const headers = resolveHeaders(agent, ctx.secrets ?? {});
  if ('error' in headers) return { ok: false, error: headers.error };
  const url = agent.runtime.url;
  const started = Date.now();
  let res: GuardedResponse;
  try {
    res = await guardedFetch(url, {
      method: 'POST',
      headers: {
        ...headers.values,
        accept: 'application/json',
        'content-type': 'application/json',
        'idempotency-key': request.idempotencyKey,
        ...traceHeaders(request, ctx),
      },
      body: JSON.stringify(protocolRequest(request)),
      allowHosts: ctx.allowHosts ?? [],
      signal: ctx.signal,
      timeoutMs: opts.maxRequestMs ?? defaults.maxRequestMs,
      maxResponseBytes: opts.maxResponseBytes ?? defaults.maxResponseBytes,
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    });
  } catch (err) {
    return requestFailure(err, agent, ctx, opts);
  }
  ctx.log(`POST ${res.url} → ${res.status} in ${Date.now() - started} ms`);
  return interpretResponse(res, agent.name);
}

/**
 * `runtime.headers` with `{{ secrets.NAME }}` replaced. Only that exact form is a template; a
 * secret the manifest does not declare, a declared one without a value, any other `{{ … }}` and a
 * value with a line break are configuration errors (never retried).
 */
export function resolveHeaders(
  agent: HttpAgent,
  secrets: Readonly<Record<string, string>>,
): { values: Record<string, string> } | { error: StepError } {
  const declared = new Set(agent.runtime.secrets ?? []);
  const values: Record<string, string> = {};
  for (const [name, template] of Object.entries(agent.runtime.headers ?? {})) {
    let problem: StepError | undefined;
    const value = template.replace(secretTemplate, (_m, secret: string) => {
      if (!declared.has(secret)) {
        problem ??= configError(
          `runtime.headers.${name} of agent ${agent.name} uses secret ${secret}, which the ` +
            `manifest does not declare: add "${secret}" to runtime.secrets`,
        );
        return '';
      }
      const v = secrets[secret];
      if (v === undefined) {
        problem ??= {
          type: 'config',
          code: 'CC_E_SECRET_MISSING',
          retryable: false,
          message:
            `secret ${secret} (runtime.headers.${name} of agent ${agent.name}) is not set for ` +
            `this project: commandcenter secrets set ${secret}`,
        };
        return '';
      }
      return v;
    });
    if (problem) return { error: problem };
    if (/\{\{[\s\S]*?\}\}/.test(template.replace(secretTemplate, ''))) {
      return {
        error: configError(
          `runtime.headers.${name} of agent ${agent.name} contains a template other than ` +
            '{{ secrets.NAME }}; header values support only secret references',
        ),
      };
    }
    if (/[\r\n\0]/.test(value)) {
      return {
        error: configError(
          `runtime.headers.${name} of agent ${agent.name} contains a line break (check the ` +
            'secrets it references); header values must be one line',
        ),
      };
    }
    values[name.toLowerCase()] = value;
  }
  return { values };
}

function requestFailure(
  err: unknown,
  agent: HttpAgent,
  ctx: AgentExecutionContext,
  opts: HttpTransportOptions,
): ExecutionResult {
  const url = agent.runtime.url;
  if (ctx.signal.aborted) return { ok: false, error: abortReason(ctx.signal) };
  if (err instanceof EgressRefusedError) {
    return fail('config', 'CC_E_EGRESS_REFUSED', false, err.message, {
      url: err.url,
      ...(err.address ? { address: err.address } : {}),
    });
  }
  if (!(err instanceof GuardedFetchError)) {
    return fail('agent', 'CC_E_AGENT_ERROR', true, `request to ${url} failed: ${String(err)}`);
  }
  switch (err.kind) {
    case 'aborted':
      return { ok: false, error: abortReason(ctx.signal) };
    case 'timeout':
      return fail(
        'timeout',
        'CC_E_STEP_TIMEOUT',
        true,
        `agent ${agent.name} did not answer within ${opts.maxRequestMs ?? defaults.maxRequestMs} ms ` +
          '(the http transport’s limit for steps without a timeout); set a timeout on the node',
        { url },
      );
    case 'too-large':
      return fail('crash', 'CC_E_AGENT_OUTPUT_TOO_LARGE', false, err.message, { url });
    case 'redirects':
      return fail('config', 'CC_E_AGENT_CONFIG', false, `${err.message}; fix runtime.url`, { url });
    case 'network':
      return fail(
        'agent',
        'CC_E_AGENT_UNAVAILABLE',
        true,
        `agent ${agent.name} is not reachable at ${url}: ${err.message}; check that it is up ` +
          'and that runtime.url is right',
        { url },
      );
  }
}

/** Maps an agent's HTTP answer to the attempt result (see {@link createHttpTransport}). */
export function interpretResponse(res: GuardedResponse, agentName: string): ExecutionResult {
  const text = res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const ok = res.status >= 200 && res.status < 300;
  const base = { url: res.url, status: res.status };
  if (isObject(parsed) && parsed.error !== undefined && parsed.error !== null) {
    return agentError(parsed.error, ok ? undefined : res.status, base, res);
  }
  if (ok) {
    if (isObject(parsed) && 'output' in parsed) return { ok: true, output: parsed.output ?? null };
    const reason =
      parsed === undefined
        ? 'the response is not valid JSON'
        : isObject(parsed)
          ? 'the response has neither "output" nor "error"'
          : 'the response is not a JSON object';
    return fail(
      'crash',
      'CC_E_AGENT_PROTOCOL',
      true,
      `agent ${agentName} at ${res.url} broke the protocol: ${reason}` +
        `${text ? `: ${JSON.stringify(text.slice(0, EXCERPT_CHARS))}` : ''}; it must answer 2xx ` +
        'with one JSON object { "output": ... } or { "error": { "message", "retryable" } }',
      { ...base, responseBytes: res.body.length },
    );
  }
  return statusFailure(res, agentName, text, base);
}

function agentError(
  error: unknown,
  status: number | undefined,
  base: Record<string, unknown>,
  res: GuardedResponse,
): ExecutionResult {
  const fields = isObject(error) ? error : { message: error };
  const message =
    typeof fields.message === 'string' && fields.message !== ''
      ? fields.message
      : 'the agent reported an error without a message';
  const retryable =
    typeof fields.retryable === 'boolean'
      ? fields.retryable
      : status === undefined || isRetryableStatus(status);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  return fail('agent', 'CC_E_AGENT_ERROR', retryable, message, {
    ...base,
    ...(typeof fields.code === 'string' ? { agentCode: fields.code } : {}),
    ...(isObject(fields.details) ? { agentDetails: fields.details } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

function statusFailure(
  res: GuardedResponse,
  agentName: string,
  text: string,
  base: Record<string, unknown>,
): ExecutionResult {
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const details = {
    ...base,
    ...(text ? { responseExcerpt: text.slice(0, EXCERPT_CHARS) } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  const s = res.status;
  if (s === 502 || s === 503 || s === 504) {
    return fail(
      'agent',
      'CC_E_AGENT_UNAVAILABLE',
      true,
      `agent ${agentName} at ${res.url} is unavailable (HTTP ${s}); check that it is up`,
      details,
    );
  }
  const hint =
    s === 401 || s === 403
      ? '; check runtime.headers and the secrets they use'
      : s === 404 || s === 405
        ? '; check runtime.url'
        : s >= 300 && s < 400
          ? '; set runtime.url to the final URL'
          : '';
  return fail(
    'agent',
    'CC_E_AGENT_ERROR',
    isRetryableStatus(s),
    `agent ${agentName} at ${res.url} answered HTTP ${s}${hint}`,
    details,
  );
}

function shuttingDown(): ExecutionResult {
  return fail('cancelled', 'CC_E_STEP_CANCELLED', true, 'the http transport is shutting down');
}

function configError(message: string): StepError {
  return { type: 'config', code: 'CC_E_AGENT_CONFIG', retryable: false, message };
}

function fail(
  type: StepError['type'],
  code: string,
  retryable: boolean,
  message: string,
  details?: Record<string, unknown>,
): ExecutionResult {
  return { ok: false, error: { type, code, retryable, message, ...(details ? { details } : {}) } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
