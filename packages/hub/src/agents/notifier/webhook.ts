/**
 * The generic webhook: the notification as JSON, signed like CommandCenter's inbound webhooks
 * (SPEC §6): `X-CC-Timestamp: <unix seconds>` and
 * `X-CC-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
 */
import { webhookSignature } from '../../triggers/webhook-signature.js';
import { StepFailure } from '../../executors/builtin.js';
import type { GuardedResponse } from '../../net/guarded-fetch.js';
import type { FailureReading } from './http-delivery.js';
import type { WebhookInput } from './manifest.js';
import type { Notification, RunInfo } from './notification.js';

/** Headers the notifier sets itself; a node may not override them. */
const reservedHeaders = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'x-cc-timestamp',
  'x-cc-signature',
  'x-cc-event',
  'x-cc-delivery',
]);

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The JSON body receivers get. */
export interface WebhookPayload {
  event: string;
  title?: string;
  text?: string;
  severity: Notification['severity'];
  fields: Notification['fields'];
  links: Notification['links'];
  run: RunInfo;
  /** ISO 8601 time of sending. */
  timestamp: string;
  data?: unknown;
}

/** The body of a webhook notification. */
export function webhookPayload(
  input: WebhookInput,
  n: Notification,
  run: RunInfo,
  now: Date = new Date(),
): WebhookPayload {
  return {
    event: input.event ?? 'notification',
    ...(n.title !== undefined ? { title: n.title } : {}),
    ...(n.text !== undefined ? { text: n.text } : {}),
    severity: n.severity,
    fields: n.fields,
    links: n.links,
    run,
    timestamp: now.toISOString(),
    ...(input.data !== undefined ? { data: input.data } : {}),
  };
}

/** `sha256=<hex>`: the signature of `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return webhookSignature(secret, timestamp, Buffer.from(body, 'utf8'));
}

/**
 * The headers of one request: the node's extra headers, then ours (fresh timestamp and
 * signature each call). Throws a non-retryable `StepFailure` when the node tries to set one of
 * ours.
 */
export function webhookHeaders(
  input: WebhookInput,
  body: string,
  deliveryId: string,
  now: () => number = Date.now,
): Record<string, string> {
  const extra = input.headers ?? {};
  const clash = Object.keys(extra).filter((h) => reservedHeaders.has(h.toLowerCase()));
  if (clash.length > 0) {
    throw new StepFailure(
      `webhook headers ${clash.join(', ')} are set by the notifier and cannot be overridden: ` +
        'remove them from the node’s `headers`.',
      { code: 'CC_E_STEP_INPUT_INVALID', retryable: false },
    );
  }
  const invalid = Object.entries(extra)
    .filter(([name, value]) => !headerName.test(name) || /[\r\n\0]/.test(value))
    .map(([name]) => JSON.stringify(name));
  if (invalid.length > 0) {
    throw new StepFailure(
      `webhook headers ${invalid.join(', ')} are not valid HTTP headers: names are tokens ` +
        '(letters, digits, -), values have no line breaks.',
      { code: 'CC_E_STEP_INPUT_INVALID', retryable: false },
    );
  }
  const timestamp = String(Math.floor(now() / 1000));
  return {
    'user-agent': 'CommandCenter-Notifier/1.0',
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'x-cc-event': input.event ?? 'notification',
    'x-cc-delivery': deliveryId,
    'x-cc-timestamp': timestamp,
    ...(input.secret !== undefined
      ? { 'x-cc-signature': signWebhook(input.secret, timestamp, body) }
      : {}),
  };
}

/** Hints for the answers a generic receiver gives most often. */
export function readWebhookFailure(res: GuardedResponse): FailureReading {
  if (res.status === 401 || res.status === 403) {
    return {
      hint:
        'The receiver refused the request: check that `secret` is the receiver’s signing secret ' +
        'and that any authorization header is right.',
    };
  }
  if (res.status === 404 || res.status === 410) {
    return { hint: 'The receiver has no webhook at this URL: check `url`.' };
  }
  return {};
}
