/**
 * One HTTP delivery (Slack, Discord, generic webhook): a JSON POST through the SSRF guard, with
 * short rate-limit waits inside the attempt, and every failure turned into a `StepFailure` whose
 * message says what happened and how to fix it — never a silent success, never a leaked URL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BuiltinContext } from '../../executors/builtin.js';
import { StepFailure } from '../../executors/builtin.js';
import {
  EgressRefusedError,
  GuardedFetchError,
  guardedFetch,
  type GuardedResponse,
} from '../../net/guarded-fetch.js';
import { maskUrl, scrubUrl } from './mask-url.js';
import { formatWait, parseRetryAfter } from './retry-after.js';

/** Hub-level limits of HTTP deliveries (see `NotifierOptions`). */
export interface DeliverySettings {
  /** Whole-request timeout of one HTTP request. */
  requestTimeoutMs: number;
  /** Longest rate-limit wait (Retry-After) spent inside one attempt; longer waits fail the attempt. */
  maxRateLimitWaitMs: number;
  /** How many times one attempt retries after a 429 before failing it. */
  maxRateLimitRetries: number;
  /** Largest response body read. */
  maxResponseBytes: number;
}

/** What a channel reads from a failed response. */
export interface FailureReading {
  /** A few words from the service (`no_service`, `Unknown Webhook (10015)`). */
  reason?: string;
  /** How to fix it, when the channel knows better than the generic hint. */
  hint?: string;
  /** A rate-limit wait given in the body (Discord's `retry_after`), preferred to the header. */
  retryAfterMs?: number;
}

/** One delivery to make. */
export interface HttpDeliveryRequest {
  channel: 'slack' | 'discord' | 'webhook';
  url: string;
  body: string;
  /** Headers of each request (called again for each retry, so signatures stay fresh). */
  headers: () => Record<string, string>;
  /** Channel-specific reading of a non-2xx response. */
  read?: (res: GuardedResponse) => FailureReading;
}

/** A response the service accepted. */
export interface HttpDelivery {
  response: GuardedResponse;
  attempts: number;
  durationMs: number;
  target: string;
}

const excerptLength = 300;

/** Sends the request; resolves with the 2xx response or throws a `StepFailure`. */
export async function deliverHttp(
  req: HttpDeliveryRequest,
  ctx: BuiltinContext,
  settings: DeliverySettings,
): Promise<HttpDelivery> {
  const started = performance.now();
  const target = maskUrl(req.url);
  const label = `${req.channel} delivery to ${target}`;
  for (let attempts = 1; ; attempts++) {
    const res = await post(req, ctx, settings, label, attempts);
    const durationMs = Math.round(performance.now() - started);
    if (res.status >= 200 && res.status < 300) {
      ctx.log(`${req.channel}: delivered to ${target} (HTTP ${res.status}, ${requests(attempts)})`);
      return { response: res, attempts, durationMs, target };
    }
    const reading = req.read?.(res) ?? {};
    if (res.status === 429) {
      const waitMs =
        reading.retryAfterMs ?? parseRetryAfter(res.headers.get('retry-after')) ?? 1000;
      if (attempts <= settings.maxRateLimitRetries && waitMs <= settings.maxRateLimitWaitMs) {
        ctx.log(
          `${req.channel}: rate limited (HTTP 429); retrying in ${formatWait(waitMs)} ` +
            `(${attempts}/${settings.maxRateLimitRetries})`,
        );
        await wait(waitMs, ctx.signal, label);
        continue;
      }
      throw failure(req, res, reading, { label, attempts, durationMs, retryAfterMs: waitMs });
    }
    throw failure(req, res, reading, { label, attempts, durationMs });
  }
}

async function post(
  req: HttpDeliveryRequest,
  ctx: BuiltinContext,
  settings: DeliverySettings,
  label: string,
  attempts: number,
): Promise<GuardedResponse> {
  try {
    return await guardedFetch(req.url, {
      method: 'POST',
      headers: req.headers(),
      body: req.body,
      allowHosts: ctx.allowHosts ?? [],
      signal: ctx.signal,
      timeoutMs: settings.requestTimeoutMs,
      // Webhooks do not redirect; following one would turn the POST into a GET elsewhere.
      maxRedirects: 0,
      maxResponseBytes: settings.maxResponseBytes,
    });
  } catch (err) {
    throw fetchFailure(err, req.url, label, attempts);
  }
}

function fetchFailure(err: unknown, url: string, label: string, attempts: number): StepFailure {
  const details = { target: maskUrl(url), attempts };
  if (err instanceof EgressRefusedError) {
    return new StepFailure(
      `${label} refused by the SSRF guard: ${scrubUrl(err.reason, url)}. Use a public URL, or ` +
        'have a project admin add the host to the project’s egressAllowHosts.',
      { code: 'CC_E_EGRESS_REFUSED', retryable: false, details },
    );
  }
  const message = scrubUrl(err instanceof Error ? err.message : String(err), url);
  if (err instanceof GuardedFetchError) {
    const retryable = err.kind === 'timeout' || err.kind === 'network';
    const why: Record<typeof err.kind, string> = {
      timeout: 'timed out',
      aborted: 'was cancelled',
      network: 'could not reach the service',
      'too-large': 'got a response larger than the notifier reads',
      redirects: 'was redirected too often',
    };
    return new StepFailure(`${label} ${why[err.kind]}: ${message}`, {
      code: 'CC_E_DELIVERY_FAILED',
      retryable,
      details: { ...details, reason: err.kind },
    });
  }
  return new StepFailure(`${label} failed: ${message}`, {
    code: 'CC_E_DELIVERY_FAILED',
    retryable: true,
    details,
  });
}

function failure(
  req: HttpDeliveryRequest,
  res: GuardedResponse,
  reading: FailureReading,
  at: { label: string; attempts: number; durationMs: number; retryAfterMs?: number },
): StepFailure {
  const status = res.status;
  const retryable = status === 429 || status === 408 || status >= 500;
  const excerpt = scrubUrl(res.text().replace(/\s+/g, ' ').trim(), req.url).slice(0, excerptLength);
  const reason = reading.reason ?? (excerpt.length > 0 && excerpt.length <= 80 ? excerpt : '');
  const hint = reading.hint ?? defaultHint(res, req.url);
  return new StepFailure(
    `${at.label} failed: HTTP ${status}${reason ? ` ${reason}` : ''}. ${hint}`,
    {
      code: 'CC_E_DELIVERY_FAILED',
      retryable,
      details: {
        status,
        response: excerpt,
        target: maskUrl(req.url),
        attempts: at.attempts,
        ...(at.retryAfterMs !== undefined ? { retryAfterMs: at.retryAfterMs } : {}),
      },
    },
  );
}

function defaultHint(res: GuardedResponse, url: string): string {
  const s = res.status;
  if (s === 429) return 'The service is rate limiting; the node’s retry policy retries later.';
  if (s === 408 || s >= 500) return 'The service failed; the node’s retry policy retries it.';
  if (s >= 300 && s < 400) {
    const location = res.headers.get('location');
    const to = location ? ` to ${maskUrl(resolveUrl(location, url))}` : '';
    return `The URL redirects${to}; use the final webhook URL.`;
  }
  if (s === 401 || s === 403 || s === 404 || s === 410) {
    return 'The webhook URL is wrong or was revoked: check the secret that holds it.';
  }
  return 'The service rejected the request: check the node’s inputs.';
}

async function wait(ms: number, signal: AbortSignal, label: string): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new StepFailure(`${label} was cancelled while waiting out a rate limit`, {
      code: 'CC_E_STEP_CANCELLED',
      retryable: false,
    });
  }
}

function resolveUrl(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

function requests(n: number): string {
  return n === 1 ? '1 request' : `${n} requests`;
}
