/**
 * The signature of inbound webhook deliveries (SPEC §6), the same scheme the notifier's `webhook`
 * action sends: `X-CC-Timestamp: <unix seconds>` and
 * `X-CC-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CCError, problem, type Problem } from '@commandcenter/protocol';

/** How far the timestamp may be from the hub's clock, in either direction (5 minutes). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The request headers of the scheme (lower case, as Node gives them). */
export const WEBHOOK_HEADERS = {
  timestamp: 'x-cc-timestamp',
  signature: 'x-cc-signature',
  delivery: 'x-cc-delivery',
} as const;

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** A problem path of a request header, e.g. `headers["x-cc-timestamp"]`. */
export const headerPath = (name: string) => `headers["${name}"]`;

/** `sha256=<hex>`: the signature of the raw `body` sent at `timestamp` (unix seconds, as text). */
export function webhookSignature(secret: string, timestamp: string, body: Uint8Array): string {
  return `sha256=${digest(secret, timestamp, body).toString('hex')}`;
}

/**
 * The headers a sender sets on a delivery of `body` (what the notifier's `webhook` action sends,
 * and what the tests and scripts use): content type, delivery id, timestamp and signature.
 */
export function signedWebhookHeaders(
  secret: string,
  body: Uint8Array | string,
  delivery: string,
  nowMs: number = Date.now(),
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    'content-type': 'application/json',
    [WEBHOOK_HEADERS.delivery]: delivery,
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, bytes),
  };
}

function digest(secret: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** What a signed delivery carries. */
export interface SignedDelivery {
  /** The X-CC-Timestamp header, as received. */
  timestamp: string | undefined;
  /** The X-CC-Signature header, as received. */
  signature: string | undefined;
  /** The raw body, byte for byte as received (empty when there is none). */
  body: Uint8Array;
}

/**
 * Checks a delivery against the secrets valid now (the current one, and the previous one during
 * a rotation). Throws `CC_E_WEBHOOK_SIGNATURE` when a header is missing or malformed or no secret
 * produces the signature, and `CC_E_WEBHOOK_STALE` when a correctly signed timestamp is more than
 * {@link WEBHOOK_TOLERANCE_SECONDS} away from `nowMs` (either way). Comparisons take constant
 * time.
 */
export function verifyWebhookSignature(
  d: SignedDelivery,
  secrets: readonly string[],
  nowMs: number,
): void {
  const problems: Problem[] = [];
  const ts = d.timestamp?.trim();
  const sig = d.signature?.trim();
  if (ts === undefined || ts === '') {
    problems.push(
      problem(
        'CC_E_WEBHOOK_SIGNATURE',
        headerPath(WEBHOOK_HEADERS.timestamp),
        'The X-CC-Timestamp header is missing.',
        'Send the time of signing in unix seconds, e.g. `X-CC-Timestamp: $(date +%s)`, and sign `<timestamp>.<body>`.',
      ),
    );
  } else if (!TIMESTAMP.test(ts)) {
    problems.push(
      problem(
        'CC_E_WEBHOOK_SIGNATURE',
        headerPath(WEBHOOK_HEADERS.timestamp),
        `X-CC-Timestamp ${JSON.stringify(ts.slice(0, 40))} is not a unix time in whole seconds.`,
        'Send the time of signing in whole unix seconds (digits only, e.g. 1718000000), not milliseconds or an ISO date.',
      ),
    );
  }
  const m = sig === undefined ? null : SIGNATURE.exec(sig);
  if (sig === undefined || sig === '') {
    problems.push(
      problem(
        'CC_E_WEBHOOK_SIGNATURE',
        headerPath(WEBHOOK_HEADERS.signature),
        'The X-CC-Signature header is missing.',
        'Send `X-CC-Signature: sha256=<hex HMAC-SHA256 of "<X-CC-Timestamp>.<raw body>" with the webhook’s secret>`.',
      ),
    );
  } else if (!m) {
    problems.push(
      problem(
        'CC_E_WEBHOOK_SIGNATURE',
        headerPath(WEBHOOK_HEADERS.signature),
        'X-CC-Signature is not `sha256=` followed by 64 hexadecimal digits.',
        'Send the lower-case hex digest with the `sha256=` prefix, e.g. from `openssl dgst -sha256 -hmac "$SECRET"`.',
      ),
    );
  }
  if (problems.length > 0 || !m || ts === undefined) {
    throw CCError.invalid('CC_E_WEBHOOK_SIGNATURE', problems);
  }
  const given = Buffer.from(m[1]!, 'hex');
  // Every secret is tried (no early exit), so the time taken does not tell which one matched.
  let matched = false;
  for (const secret of secrets) {
    if (timingSafeEqual(given, digest(secret, ts, d.body))) matched = true;
  }
  if (!matched) {
    throw new CCError('CC_E_WEBHOOK_SIGNATURE', {
      detail:
        'X-CC-Signature does not match: the body and timestamp were not signed with this webhook’s current (or, during a rotation, previous) secret',
      problems: [
        problem(
          'CC_E_WEBHOOK_SIGNATURE',
          headerPath(WEBHOOK_HEADERS.signature),
          'X-CC-Signature is not the HMAC-SHA256 of `<X-CC-Timestamp>.<raw body>` with the webhook’s secret.',
          'Sign the exact bytes you send (no re-serialised JSON) prefixed by the timestamp and a dot, with the secret shown by `POST /api/v1/triggers/{id}/webhook-secret` (the newest one after a rotation).',
        ),
      ],
    });
  }
  const skew = Math.floor(nowMs / 1000) - Number(ts);
  if (Math.abs(skew) > WEBHOOK_TOLERANCE_SECONDS) {
    const when = skew > 0 ? `${skew} s in the past` : `${-skew} s in the future`;
    throw new CCError('CC_E_WEBHOOK_STALE', {
      detail: `X-CC-Timestamp ${ts} is ${when}; deliveries are accepted within ${WEBHOOK_TOLERANCE_SECONDS} s of the hub’s clock (now ${Math.floor(nowMs / 1000)})`,
      problems: [
        problem(
          'CC_E_WEBHOOK_STALE',
          headerPath(WEBHOOK_HEADERS.timestamp),
          `X-CC-Timestamp ${ts} is ${when}.`,
          'Sign each delivery with the current time when sending it; check the sender’s clock (NTP).',
        ),
      ],
    });
  }
}
