/**
 * Outbound HTTP from the hub behind the SSRF guard. Every URL — the first and every redirect
 * target — is checked (scheme, credentials, host name, every resolved address) before a socket
 * opens, and the socket connects only to the addresses that were checked.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { compileAllowHosts } from './allow-hosts.js';
import { EgressRefusedError, GuardedFetchError } from './egress-errors.js';
import {
  checkEgressUrl,
  pinnedLookup,
  systemResolver,
  type HostResolver,
  type LookupAddress,
} from './egress-guard.js';
import { readCappedBody } from './read-body.js';
import {
  lowercaseHeaders,
  nextRedirectRequest,
  redirectStatuses,
  type RedirectRequest,
} from './redirects.js';

export { EgressRefusedError, GuardedFetchError } from './egress-errors.js';
export type { GuardedFetchErrorKind } from './egress-errors.js';
export type { HostResolver, LookupAddress } from './egress-guard.js';

/** Options of {@link guardedFetch}. */
export interface GuardedFetchOptions {
  /** Default GET (POST when a body is given). */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Exemptions from the guard: host names, IPs or CIDRs (from `ctx.allowHosts`). */
  allowHosts?: readonly string[];
  signal?: AbortSignal;
  /** The whole request including redirects and reading the body; default 30 000. */
  timeoutMs?: number;
  /** Default 5; 0 returns a 3xx response as it is. */
  maxRedirects?: number;
  /** Default 10 MiB; a larger response is a `too-large` error. */
  maxResponseBytes?: number;
  /**
   * Resolves host names to all their addresses. Default: the system resolver (`dns.lookup` with
   * `all: true`). Tests inject a fixed table for deterministic DNS.
   */
  lookup?: HostResolver;
}

/** A response read in full. */
export interface GuardedResponse {
  status: number;
  headers: Headers;
  /** The final URL, after redirects. */
  url: string;
  body: Buffer;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON; throws SyntaxError when it is not JSON. */
  json(): unknown;
}

const defaultTimeoutMs = 30_000;
const defaultMaxRedirects = 5;
const defaultMaxResponseBytes = 10 * 1024 * 1024;
const timeoutMarker = Symbol('guarded-fetch-timeout');

/**
 * Requests a URL behind the SSRF guard. Throws {@link EgressRefusedError} (code
 * `CC_E_EGRESS_REFUSED`, with `.url` and `.reason`) when the URL, any address its host resolves
 * to, or a redirect target is loopback/private/link-local/metadata/etc. and not allowlisted;
 * throws {@link GuardedFetchError} (`.kind`: timeout, aborted, network, too-large, redirects)
 * for every other failure. Any HTTP status is a response, not an error.
 */
export async function guardedFetch(
  url: string,
  opts: GuardedFetchOptions = {},
): Promise<GuardedResponse> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutMarker), timeoutMs);
  const onAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const targets = new Map<string, readonly LookupAddress[]>();
  const agent = new Agent({ connect: { lookup: pinnedLookup(targets) } });
  const state = { url };
  try {
    return await follow(url, opts, controller.signal, agent, targets, state);
  } catch (err) {
    throw toGuardedError(err, controller.signal, state.url, timeoutMs);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await agent.destroy().catch(() => undefined);
  }
}

async function follow(
  url: string,
  opts: GuardedFetchOptions,
  signal: AbortSignal,
  agent: Agent,
  targets: Map<string, readonly LookupAddress[]>,
  state: { url: string },
): Promise<GuardedResponse> {
  const allowHosts = compileAllowHosts(opts.allowHosts);
  const resolve = opts.lookup ?? systemResolver;
  const maxRedirects = opts.maxRedirects ?? defaultMaxRedirects;
  const maxBytes = opts.maxResponseBytes ?? defaultMaxResponseBytes;
  let req: RedirectRequest = {
    method: (opts.method ?? (opts.body === undefined ? 'GET' : 'POST')).toUpperCase(),
    headers: { 'user-agent': 'CommandCenter-Hub', ...lowercaseHeaders(opts.headers) },
    body: opts.body,
  };
  let previous: URL | undefined;
  for (let hop = 0; ; hop++) {
    const target = await checkTarget(state.url, previous, { allowHosts, resolve, signal });
    targets.set(target.host, target.addresses);
    const res = await request(target.url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      dispatcher: agent,
      signal,
    });
    const location = headerValue(res.headers.location);
    if (maxRedirects > 0 && redirectStatuses.has(res.statusCode) && location !== undefined) {
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new GuardedFetchError(
          'redirects',
          state.url,
          `request to ${url} followed more than ${maxRedirects} redirects (last: ${state.url}); ` +
            'request the final URL directly or raise maxRedirects',
        );
      }
      let next: URL;
      try {
        next = new URL(location, target.url);
      } catch {
        throw new EgressRefusedError(
          location,
          `the redirect from ${state.url} has an invalid Location`,
        );
      }
      req = nextRedirectRequest(res.statusCode, target.url, next, req);
      previous = target.url;
      state.url = next.href;
      continue;
    }
    const body = await readCappedBody(res.body, res.headers, maxBytes, state.url);
    return makeResponse(res.statusCode, res.headers, state.url, body);
  }
}

/** Checks one hop; a refused redirect target says which URL redirected to it. */
async function checkTarget(
  url: string,
  previous: URL | undefined,
  opts: Parameters<typeof checkEgressUrl>[1],
) {
  try {
    return await checkEgressUrl(url, opts);
  } catch (err) {
    if (!(err instanceof EgressRefusedError) || !previous) throw err;
    throw new EgressRefusedError(
      err.url,
      `${err.reason} (redirect from ${previous.href})`,
      err.address,
    );
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function makeResponse(
  status: number,
  raw: Record<string, string | string[] | undefined>,
  url: string,
  body: Buffer,
): GuardedResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return {
    status,
    headers,
    url,
    body,
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')) as unknown,
  };
}

function toGuardedError(err: unknown, signal: AbortSignal, url: string, timeoutMs: number): Error {
  if (err instanceof EgressRefusedError || err instanceof GuardedFetchError) return err;
  if (signal.aborted && signal.reason === timeoutMarker) {
    return new GuardedFetchError(
      'timeout',
      url,
      `request to ${url} timed out after ${timeoutMs} ms`,
      err,
    );
  }
  if (signal.aborted) {
    return new GuardedFetchError('aborted', url, `request to ${url} was aborted`, signal.reason);
  }
  const e = err as NodeJS.ErrnoException | undefined;
  const detail = [e?.code, e?.message].filter(Boolean).join(' ') || String(err);
  return new GuardedFetchError('network', url, `request to ${url} failed: ${detail}`, err);
}
