/**
 * HMAC authentication of Alertmanager notifications, for senders that sign instead of sending an
 * API token (a relay or proxy in front of Alertmanager: Alertmanager itself cannot sign). The
 * scheme is CommandCenter's webhook scheme (SPEC §6), keyed with a project secret.
 */
import { timingSafeEqual } from 'node:crypto';
import { CCError } from '@commandcenter/protocol';
import {
  WEBHOOK_HEADERS,
  WEBHOOK_TOLERANCE_SECONDS,
  webhookSignature,
} from './webhook-signature.js';

/** The project secret that keys the signatures of a project's alert notifications. */
export const ALERT_HMAC_SECRET = 'ALERTMANAGER_WEBHOOK_SECRET';

/** Header with the unix time (seconds) the sender signed at. */
export const TIMESTAMP_HEADER = WEBHOOK_HEADERS.timestamp;

/** Header with `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export const SIGNATURE_HEADER = WEBHOOK_HEADERS.signature;

/** How far a signed timestamp may be from the hub's clock (either way), in seconds. */
export const REPLAY_WINDOW_SECONDS = WEBHOOK_TOLERANCE_SECONDS;

/** `sha256=<hex>` for a body signed at `timestamp` (what a sender computes). */
export function signAlertBody(secret: string, timestamp: string, body: string | Buffer): string {
  return webhookSignature(secret, timestamp, typeof body === 'string' ? Buffer.from(body) : body);
}

const unauthorized = (detail: string) => new CCError('CC_E_UNAUTHORIZED', { detail });

/**
 * Checks the signature headers of a raw body against `secret`; throws `CC_E_UNAUTHORIZED` saying
 * what is wrong (missing header, stale timestamp, bad signature). The comparison takes constant
 * time.
 */
export function verifyAlertSignature(opts: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowMs?: number;
}): void {
  const { timestamp, signature } = opts;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    throw unauthorized(
      `the ${TIMESTAMP_HEADER} header must be the unix time in seconds at which the body was signed`,
    );
  }
  const skew = Math.abs((opts.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (skew > REPLAY_WINDOW_SECONDS) {
    throw unauthorized(
      `${TIMESTAMP_HEADER} ${timestamp} is ${Math.round(skew)} s away from the hub's clock (at most ${REPLAY_WINDOW_SECONDS} s): sign each request when it is sent, and keep clocks in sync`,
    );
  }
  const m = /^sha256=([0-9a-f]{64})$/i.exec(signature ?? '');
  if (!m) {
    throw unauthorized(`the ${SIGNATURE_HEADER} header must be sha256=<64 hex digits>`);
  }
  const expected = Buffer.from(
    signAlertBody(opts.secret, timestamp, opts.body).slice('sha256='.length),
    'hex',
  );
  if (!timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'))) {
    throw unauthorized(
      `the ${SIGNATURE_HEADER} does not match the body: sign "<${TIMESTAMP_HEADER}>.<raw body>" with HMAC-SHA256 keyed with the project secret ${ALERT_HMAC_SECRET}`,
    );
  }
}
