import { randomUUID } from 'node:crypto';
import { CCError, isCCError, isErrorCode, type WebhookAuth } from '@commandcenter/protocol';
import type { TokenStore } from '../auth/token-store.js';
import type { Store } from '../store/port.js';
import type { FireResult, TriggerFirer } from './trigger-firer.js';
import type { TriggerRow, TriggerStore } from './trigger-store.js';
import {
  authenticateDelivery,
  header,
  webhookAuthOf,
  type DeliveryCredentials,
  type DeliveryIdentity,
} from './webhook-auth.js';
import { deliveryIdOf, parseDeliveryBody, webhookEvent } from './webhook-request.js';
import { WEBHOOK_HEADERS } from './webhook-signature.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import { inboundTrace } from '../telemetry/trace-ids.js';

/** One delivery to `/hooks/<project>/<name>`. */
export interface WebhookDelivery extends DeliveryCredentials {
  /** The active triggers of the webhook (every workflow declaring it); never empty. */
  triggers: TriggerRow[];
  /** The Content-Type header, when one was sent. */
  contentType: string | undefined;
  /** The sender's address, kept in the trigger history. */
  ip: string;
}

/** A run the delivery started (or had started: `created` false for a resent delivery). */
export interface WebhookRunRef {
  workflow: string;
  triggerId: string;
  runId: string;
  created: boolean;
}

/** A trigger of the webhook that started no run, and why. */
export interface WebhookNotStarted {
  workflow: string;
  triggerId: string;
  outcome: 'skipped' | 'filtered' | 'rejected';
  reason: string;
  code?: string;
}

/** The answer to an accepted delivery: 202 when it started a run, else 200. */
export interface WebhookAnswer {
  status: 200 | 202;
  body: {
    webhook: string;
    delivery: string | null;
    runs: WebhookRunRef[];
    notStarted: WebhookNotStarted[];
  };
}

export interface WebhookReceiverDeps {
  store: Store;
  triggers: TriggerStore;
  firer: TriggerFirer;
  secrets: WebhookSecrets;
  tokens: Pick<TokenStore, 'verify'>;
  /** Milliseconds since the epoch (the replay window's clock). */
  now?: () => number;
}

/**
 * Handles deliveries: authenticates them per trigger, deduplicates them by delivery id (a resent
 * delivery is answered with the run it started and starts nothing), and fires every trigger of
 * the webhook through the {@link TriggerFirer}. Every refusal of a known webhook is recorded in
 * the history of its triggers.
 */
export class WebhookReceiver {
  /** Refusals already in the history (the route reports parser errors here too). */
  private readonly recorded = new WeakSet<object>();
  private readonly now: () => number;

  constructor(private readonly deps: WebhookReceiverDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Accepts the delivery, or throws the catalogue error that refuses it (and records it). */
  async receive(d: WebhookDelivery): Promise<WebhookAnswer> {
    try {
      return await this.process(d);
    } catch (err) {
      await this.refused(d, err);
      throw err;
    }
  }

  /** Records a refusal in the history of each of the webhook's triggers, once per error. */
  async refused(
    d: Pick<WebhookDelivery, 'triggers' | 'name' | 'headers' | 'ip'>,
    err: unknown,
  ): Promise<void> {
    if (!isCCError(err) || this.recorded.has(err)) return;
    this.recorded.add(err);
    const source = this.source(d, null);
    for (const t of d.triggers) {
      await this.deps.triggers.record(t, {
        outcome: 'rejected',
        reason: reasonOf(err),
        source,
      });
    }
  }

  private async process(d: WebhookDelivery): Promise<WebhookAnswer> {
    const modes = new Set(d.triggers.map(webhookAuthOf));
    const auth = await authenticateDelivery(
      { secrets: this.deps.secrets, tokens: this.deps.tokens, now: this.now },
      d,
      modes,
    );
    const accepted: [TriggerRow, DeliveryIdentity][] = [];
    const refused: [TriggerRow, CCError][] = [];
    for (const t of d.triggers) {
      const r = auth.get(webhookAuthOf(t))!;
      if (isCCError(r)) refused.push([t, r]);
      else accepted.push([t, r]);
    }
    if (accepted.length === 0) throw pickRefusal(d, auth);
    const delivery = deliveryIdOf(
      d.headers,
      accepted.some(([, who]) => who.via === 'hmac'),
    );
    const input = parseDeliveryBody(d.body, d.contentType);
    const answer: WebhookAnswer['body'] = { webhook: d.name, delivery, runs: [], notStarted: [] };
    // A webhook shared by workflows that disagree on `auth`: the others refuse this delivery.
    for (const [t, err] of refused) {
      const reason = reasonOf(err);
      await this.deps.triggers.record(t, {
        outcome: 'rejected',
        reason,
        source: this.source(d, delivery),
      });
      answer.notStarted.push({
        workflow: t.workflow,
        triggerId: t.id,
        outcome: 'rejected',
        reason,
        code: err.code,
      });
    }
    const seen = await this.seen(accepted, delivery);
    const event = webhookEvent(d.name, delivery, d.headers, input);
    let rejection: [TriggerRow, NotFired] | undefined;
    for (const [t, who] of accepted) {
      const source = {
        ...this.source(d, delivery),
        auth: who.via,
        ...(who.by ? { by: who.by } : {}),
      };
      const earlier = seen.get(t.id);
      if (earlier) {
        await this.deps.triggers.record(t, { outcome: 'duplicate', runId: earlier, source });
        answer.runs.push({ workflow: t.workflow, triggerId: t.id, runId: earlier, created: false });
        continue;
      }
      const r = await this.deps.firer.fire(t, {
        input,
        event,
        idempotencyKey: `webhook:${t.id}:${delivery ?? randomUUID()}`,
        source,
      });
      if ('runId' in r) {
        if (delivery) await this.remember(t.id, delivery, r.runId);
        answer.runs.push({
          workflow: t.workflow,
          triggerId: t.id,
          runId: r.runId,
          created: r.outcome === 'fired',
        });
      } else {
        answer.notStarted.push({
          workflow: t.workflow,
          triggerId: t.id,
          outcome: r.outcome,
          reason: r.reason,
          ...(r.code ? { code: r.code } : {}),
        });
        if (r.outcome === 'rejected') rejection ??= [t, r];
      }
    }
    if (answer.runs.length === 0 && rejection) {
      const err = this.rejectionError(rejection[0], rejection[1]);
      this.recorded.add(err); // the firer has recorded it
      throw err;
    }
    return { status: answer.runs.some((r) => r.created) ? 202 : 200, body: answer };
  }

  private source(
    d: Pick<WebhookDelivery, 'name' | 'headers' | 'ip'>,
    delivery: string | null,
  ): Record<string, unknown> {
    const id = delivery ?? header(d.headers, WEBHOOK_HEADERS.delivery)?.slice(0, 200) ?? null;
    // A sender's W3C trace context: the run continues its trace (kept in the run's trigger).
    return { webhook: d.name, delivery: id, ip: d.ip, ...inboundTrace(d.headers) };
  }

  /** The runs earlier deliveries with this id started, by trigger. */
  private async seen(
    accepted: [TriggerRow, DeliveryIdentity][],
    delivery: string | null,
  ): Promise<Map<string, string>> {
    if (delivery === null) return new Map();
    const r = await this.deps.store.query<{ trigger_id: string; run_id: string }>(
      `SELECT trigger_id, run_id FROM webhook_deliveries
        WHERE delivery_id = $1 AND trigger_id = ANY($2::uuid[]) AND run_id IS NOT NULL`,
      [delivery, accepted.map(([t]) => t.id)],
    );
    return new Map(r.rows.map((row) => [row.trigger_id, row.run_id]));
  }

  private async remember(triggerId: string, delivery: string, runId: string): Promise<void> {
    await this.deps.store.query(
      `INSERT INTO webhook_deliveries (trigger_id, delivery_id, run_id) VALUES ($1, $2, $3)
       ON CONFLICT (trigger_id, delivery_id) DO NOTHING`,
      [triggerId, delivery, runId],
    );
  }

  /** The answer to a delivery no workflow accepted: the input's problems, with their paths. */
  private rejectionError(t: TriggerRow, r: NotFired): CCError {
    const problems = r.code === 'CC_E_INPUT_INVALID' && 'problems' in r ? (r.problems ?? []) : [];
    if (problems.length > 0) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
      return new CCError('CC_E_INPUT_INVALID', {
        detail: `the body (the run input) does not match the inputs of workflow ${t.workflow}: ${problems[0]!.message}${more}`,
        problems,
      });
    }
    const code = r.code && isErrorCode(r.code) ? r.code : 'CC_E_CONFLICT';
    return new CCError(code, { detail: `workflow ${t.workflow} started no run: ${r.reason}` });
  }
}

/** A firing that started no run. */
type NotFired = Exclude<FireResult, { runId: string }>;

/** The refusal to answer when no trigger accepted the delivery: the one of the mode it tried. */
function pickRefusal(
  d: WebhookDelivery,
  auth: Map<WebhookAuth, DeliveryIdentity | CCError>,
): CCError {
  const tried: WebhookAuth = header(d.headers, 'authorization') !== undefined ? 'token' : 'hmac';
  const err = auth.get(tried) ?? auth.get(tried === 'token' ? 'hmac' : 'token');
  return err as CCError;
}

function reasonOf(err: CCError): string {
  const paths = err.problems.map((p) => p.path).filter(Boolean);
  return `${err.code}: ${err.detail}${paths.length ? ` (${paths.join(', ')})` : ''}`;
}
