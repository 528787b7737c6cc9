/**
 * What a webhook delivery carries besides its credentials: the delivery id, the JSON body (the
 * run input) and the `event` a trigger's `when` reads.
 */
import { CCError, problem } from '@commandcenter/protocol';
import { header, type DeliveryCredentials } from './webhook-auth.js';
import { WEBHOOK_HEADERS, headerPath } from './webhook-signature.js';

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * The delivery id (`X-CC-Delivery`): required for signed deliveries, optional with token auth
 * (without one, every request starts new runs). 1-200 visible ASCII characters.
 */
export function deliveryIdOf(
  headers: DeliveryCredentials['headers'],
  required: boolean,
): string | null {
  const value = header(headers, WEBHOOK_HEADERS.delivery)?.trim();
  if (value === undefined || value === '') {
    if (!required) return null;
    throw CCError.invalid('CC_E_WEBHOOK_DELIVERY_ID', [
      problem(
        'CC_E_WEBHOOK_DELIVERY_ID',
        headerPath(WEBHOOK_HEADERS.delivery),
        'The X-CC-Delivery header is missing: signed deliveries need an id, so that a resent delivery starts no second run.',
        'Send a unique id per delivery, e.g. `X-CC-Delivery: $(uuidgen)`, and the same id when you resend it.',
      ),
    ]);
  }
  if (!DELIVERY_ID.test(value)) {
    throw CCError.invalid('CC_E_WEBHOOK_DELIVERY_ID', [
      problem(
        'CC_E_WEBHOOK_DELIVERY_ID',
        headerPath(WEBHOOK_HEADERS.delivery),
        `X-CC-Delivery ${JSON.stringify(value.slice(0, 60))} is not 1-200 visible ASCII characters.`,
        'Use an id without spaces or control characters, e.g. a UUID.',
      ),
    ]);
  }
  return value;
}

/**
 * The run input: the body parsed as JSON. No body at all (and no Content-Type) is `{}`; an empty
 * body declared as JSON, or malformed JSON, is `CC_E_PARSE` (400).
 */
export function parseDeliveryBody(body: Uint8Array, contentType: string | undefined): unknown {
  if (body.length === 0) {
    if (contentType === undefined) return {};
    throw CCError.invalid('CC_E_PARSE', [
      problem(
        'CC_E_PARSE',
        '',
        'The body is empty although Content-Type is application/json.',
        'Send the JSON document the workflow takes as its input (at least `{}`), signed as sent.',
      ),
    ]);
  }
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw CCError.invalid('CC_E_PARSE', [
      problem(
        'CC_E_PARSE',
        '',
        `The body is not valid JSON: ${(err as Error).message}.`,
        'Send a valid JSON document (check quotes, commas and brackets) and sign exactly the bytes you send.',
      ),
    ]);
  }
}

/** Headers a trigger's `when` can read: the content type, the user agent and `X-…-Event` ones. */
const EXPOSED = /^(?:content-type|user-agent|x-event-key|x-[a-z0-9-]+-event)$/;

/** A webhook's `event` (for `when` and `{{ event.… }}`). */
export interface WebhookEvent {
  webhook: string;
  delivery: string | null;
  /** Request headers that describe the delivery (never credentials), lower-case names. */
  headers: Record<string, string>;
  /** The parsed body (also the run input). */
  body: unknown;
}

/** The `event` of a delivery. */
export function webhookEvent(
  name: string,
  delivery: string | null,
  headers: DeliveryCredentials['headers'],
  body: unknown,
): WebhookEvent {
  const exposed: Record<string, string> = {};
  for (const key of Object.keys(headers).sort()) {
    const value = header(headers, key);
    if (EXPOSED.test(key) && value !== undefined) exposed[key] = value.slice(0, 200);
  }
  return { webhook: name, delivery, headers: exposed, body };
}
