/**
 * The `http` agent's action: one HTTP request through the SSRF guard, its answer returned as
 * data. A status outside `expectStatus` fails the step with `CC_E_DELIVERY_FAILED`.
 */
import { validateAgainstSchema } from '@commandcenter/protocol';
import type { BuiltinContext, BuiltinHandler } from '../../executors/builtin.js';
import { StepFailure } from '../../executors/builtin.js';
import {
  EgressRefusedError,
  GuardedFetchError,
  guardedFetch,
  type GuardedResponse,
  type HostResolver,
} from '../../net/guarded-fetch.js';
import { isRetryableStatus, parseRetryAfter } from '../../net/retry-after.js';
import {
  defaultResponseHeaders,
  manifest,
  type HttpRequestInput,
  type HttpRequestOutput,
  type QueryValue,
} from './manifest.js';

/** Hub-level settings of the http agent; every field has a production default. */
export interface HttpAgentOptions {
  /** Timeout of a request whose input sets none. Default 30 000 ms. */
  defaultTimeoutMs?: number;
  /** Largest `timeoutMs` an input may ask for. Default 300 000 ms. */
  maxTimeoutMs?: number;
  /** Largest response body read (it becomes the step output). Default 5 MiB. */
  maxResponseBytes?: number;
  /** Resolves host names (tests inject a table); default the system resolver. */
  lookup?: HostResolver;
}

const EXCERPT_CHARS = 500;

/** The http agent's actions by name, for `BuiltinRegistry.register('http', …)`. */
export function createHttpActions(opts: HttpAgentOptions = {}): Record<'request', BuiltinHandler> {
  const settings = {
    defaultTimeoutMs: opts.defaultTimeoutMs ?? 30_000,
    maxTimeoutMs: opts.maxTimeoutMs ?? 300_000,
    maxResponseBytes: opts.maxResponseBytes ?? 5 * 1024 * 1024,
    lookup: opts.lookup,
  };
  return {
    request: (raw, ctx) => request(parseInput(raw), ctx, settings),
  };
}

type Settings = Required<Omit<HttpAgentOptions, 'lookup'>> & { lookup?: HostResolver };

async function request(
  input: HttpRequestInput,
  ctx: BuiltinContext,
  settings: Settings,
): Promise<HttpRequestOutput> {
  const method = input.method ?? 'GET';
  const url = withQuery(input.url, input.query);
  const timeoutMs = Math.min(input.timeoutMs ?? settings.defaultTimeoutMs, settings.maxTimeoutMs);
  const { body, contentType } = encodeBody(input.body, method);
  const headers: Record<string, string> = { ...input.headers };
  const hasHeader = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
  if (contentType && !hasHeader('content-type')) headers['content-type'] = contentType;
  const started = Date.now();
  let res: GuardedResponse;
  try {
    res = await guardedFetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      allowHosts: ctx.allowHosts ?? [],
      signal: ctx.signal,
      timeoutMs,
      maxRedirects: input.followRedirects === false ? 0 : 5,
      maxResponseBytes: settings.maxResponseBytes,
      ...(settings.lookup ? { lookup: settings.lookup } : {}),
    });
  } catch (err) {
    throw requestFailure(err, method, url);
  }
  const durationMs = Date.now() - started;
  ctx.log(`${method} ${res.url} → ${res.status} in ${durationMs} ms (${res.body.length} bytes)`);
  if (!expected(res.status, input.expectStatus)) throw statusFailure(res, method, input);
  return {
    status: res.status,
    headers: selectHeaders(res.headers, input.responseHeaders),
    body: decodeBody(res, input.responseType ?? 'auto', method),
    url: res.url,
    durationMs,
  };
}

function parseInput(raw: unknown): HttpRequestInput {
  const problems = validateAgainstSchema(
    manifest.actions.request.input,
    raw,
    'CC_E_STEP_INPUT_INVALID',
    'input',
  );
  if (problems.length > 0) {
    throw new StepFailure(`http.request: ${problems.map((p) => p.message).join('; ')}`, {
      code: 'CC_E_STEP_INPUT_INVALID',
      retryable: false,
      details: { problems: problems.map((p) => ({ path: p.path, message: p.message })) },
    });
  }
  return raw as HttpRequestInput;
}

function withQuery(url: string, query: Record<string, QueryValue> | undefined): string {
  if (!query || Object.keys(query).length === 0) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StepFailure(`http.request: input.url ${JSON.stringify(url)} is not a valid URL`, {
      code: 'CC_E_STEP_INPUT_INVALID',
      retryable: false,
    });
  }
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value])
      parsed.searchParams.append(name, String(v));
  }
  return parsed.href;
}

function encodeBody(body: unknown, method: string): { body?: string; contentType?: string } {
  if (body === undefined) return {};
  if (method === 'GET' || method === 'HEAD') {
    throw new StepFailure(
      `http.request: a ${method} request cannot have a body; use POST, PUT or PATCH, or move ` +
        'the data to input.query',
      { code: 'CC_E_STEP_INPUT_INVALID', retryable: false },
    );
  }
  if (typeof body === 'string') return { body, contentType: 'text/plain; charset=utf-8' };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function expected(status: number, expect: number | number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return (Array.isArray(expect) ? expect : [expect]).includes(status);
}

function selectHeaders(headers: Headers, extra: string[] = []): Record<string, string> {
  const wanted = new Set([...defaultResponseHeaders, ...extra.map((h) => h.toLowerCase())]);
  const out: Record<string, string> = {};
  for (const name of [...wanted].sort()) {
    const value =
      name === 'set-cookie' ? headers.getSetCookie().join(', ') || null : headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

function decodeBody(res: GuardedResponse, type: 'json' | 'text' | 'auto', method: string): unknown {
  const text = res.text();
  if (type === 'text' || method === 'HEAD') return text;
  const contentType = res.headers.get('content-type') ?? '';
  const looksJson = /^application\/(.+\+)?json\b/i.test(contentType.trim());
  if (type === 'auto' && (!looksJson || text.trim() === '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    if (type === 'auto') return text;
    throw new StepFailure(
      `http.request: the response from ${res.url} is not JSON (${(err as Error).message}): ` +
        `${JSON.stringify(text.slice(0, 200))}; use responseType "text" or "auto" to accept it`,
      {
        code: 'CC_E_DELIVERY_FAILED',
        retryable: false,
        details: { status: res.status, url: res.url, contentType },
      },
    );
  }
}

function statusFailure(res: GuardedResponse, method: string, input: HttpRequestInput): StepFailure {
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const text = res.text();
  const expectedText =
    input.expectStatus === undefined
      ? 'a 2xx status'
      : `status ${[input.expectStatus].flat().join(' or ')}`;
  return new StepFailure(
    `http.request: ${method} ${res.url} answered HTTP ${res.status}, expected ${expectedText}` +
      (text ? `: ${JSON.stringify(text.slice(0, 200))}` : ''),
    {
      code: 'CC_E_DELIVERY_FAILED',
      retryable: isRetryableStatus(res.status),
      details: {
        status: res.status,
        url: res.url,
        ...(text ? { responseExcerpt: text.slice(0, EXCERPT_CHARS) } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    },
  );
}

function requestFailure(err: unknown, method: string, url: string): StepFailure {
  if (err instanceof EgressRefusedError) {
    return new StepFailure(err.message, {
      code: 'CC_E_EGRESS_REFUSED',
      retryable: false,
      details: { url: err.url, ...(err.address ? { address: err.address } : {}) },
    });
  }
  if (err instanceof GuardedFetchError) {
    // Network failures and timeouts may pass; a too-large answer or a redirect loop will not.
    const retryable = err.kind === 'network' || err.kind === 'timeout' || err.kind === 'aborted';
    return new StepFailure(`http.request: ${method} ${err.message}`, {
      code: 'CC_E_DELIVERY_FAILED',
      retryable,
      details: { url: err.url, reason: err.kind },
    });
  }
  return new StepFailure(`http.request: ${method} ${url} failed: ${String(err)}`, {
    code: 'CC_E_DELIVERY_FAILED',
  });
}
