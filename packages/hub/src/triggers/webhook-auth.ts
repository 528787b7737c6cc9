import { CCError, isCCError, type WebhookAuth } from '@commandcenter/protocol';
import { authorize } from '../auth/roles.js';
import type { TokenStore } from '../auth/token-store.js';
import type { TriggerRow } from './trigger-store.js';
import { WEBHOOK_HEADERS, verifyWebhookSignature } from './webhook-signature.js';
import type { WebhookSecrets } from './webhook-secrets.js';

/** A delivery as the authentication sees it. */
export interface DeliveryCredentials {
  project: string;
  /** The webhook name (`/hooks/<project>/<name>`). */
  name: string;
  /** Request headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body (empty when there is none). */
  body: Uint8Array;
}

/** Who a delivery was authenticated as, for the history and the run's trigger. */
export interface DeliveryIdentity {
  via: WebhookAuth;
  /** The API token's name (token auth). */
  by?: string;
}

/** The auth option of a webhook trigger; rows stored before `auth` existed are `hmac`. */
export function webhookAuthOf(t: Pick<TriggerRow, 'spec'>): WebhookAuth {
  return (t.spec as { auth?: WebhookAuth }).auth ?? 'hmac';
}

/** One header's value (the first, when it was sent several times). */
export function header(headers: DeliveryCredentials['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Checks a delivery in each auth mode some of the webhook's triggers use: the HMAC signature
 * against the webhook's valid secrets, or the bearer token (operator role in the project, never a
 * session cookie: a browser must not be able to fire webhooks). Returns, per mode, the identity
 * or the refusal as a catalogue error.
 */
export async function authenticateDelivery(
  deps: {
    secrets: WebhookSecrets;
    tokens: Pick<TokenStore, 'verify'>;
    now: () => number;
  },
  d: DeliveryCredentials,
  modes: ReadonlySet<WebhookAuth>,
): Promise<Map<WebhookAuth, DeliveryIdentity | CCError>> {
  const out = new Map<WebhookAuth, DeliveryIdentity | CCError>();
  for (const mode of modes) {
    try {
      out.set(mode, mode === 'hmac' ? await checkHmac(deps, d) : await checkToken(deps, d));
    } catch (err) {
      if (!isCCError(err)) throw err;
      out.set(mode, err);
    }
  }
  return out;
}

async function checkHmac(
  deps: { secrets: WebhookSecrets; now: () => number },
  d: DeliveryCredentials,
): Promise<DeliveryIdentity> {
  const secrets = await deps.secrets.valid(d.project, d.name);
  if (secrets.length === 0) {
    throw new CCError('CC_E_WEBHOOK_NO_SECRET', {
      detail: `webhook ${d.name} of project ${d.project} has no signing secret yet, so no delivery can be verified`,
    });
  }
  verifyWebhookSignature(
    {
      timestamp: header(d.headers, WEBHOOK_HEADERS.timestamp),
      signature: header(d.headers, WEBHOOK_HEADERS.signature),
      body: d.body,
    },
    secrets,
    deps.now(),
  );
  return { via: 'hmac' };
}

async function checkToken(
  deps: { tokens: Pick<TokenStore, 'verify'> },
  d: DeliveryCredentials,
): Promise<DeliveryIdentity> {
  const value = header(d.headers, 'authorization');
  if (value === undefined) {
    throw new CCError('CC_E_UNAUTHORIZED', {
      detail: `webhook ${d.name} takes an API token (auth: token): send \`Authorization: Bearer <token>\` with a token that has the operator role in project ${d.project}`,
    });
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!m) {
    throw new CCError('CC_E_UNAUTHORIZED', {
      detail: 'the Authorization header must be `Bearer <token>`',
    });
  }
  const who = await deps.tokens.verify(m[1]!);
  // Another project's token gets the same 404 as a webhook that does not exist.
  authorize(who, d.project, 'operator', `webhook ${d.name} in project ${d.project}`);
  return { via: 'token', by: who.name };
}
