import { CCError } from '@commandcenter/protocol';
import type { Store } from '../store/port.js';
import {
  alertIdempotencyKey,
  alertLabelsMatch,
  alertRunInput,
  type AlertmanagerNotification,
} from './alert-payload.js';
import type { TriggerFirer } from './trigger-firer.js';
import type { TriggerOutcome, TriggerStore } from './trigger-store.js';

/** What one `alert:` trigger whose labels matched did with a notification. */
export interface AlertTriggerOutcome {
  workflow: string;
  triggerId: string;
  outcome: TriggerOutcome;
  /** The run it created (`fired`) or that an identical notification created (`duplicate`). */
  runId: string | null;
  /** Why no run started: paused (`skipped`), `when` false (`filtered`), refused input. */
  reason: string | null;
}

/** The answer to a notification. */
export interface AlertReceipt {
  /** Id of the recorded notification. */
  id: string;
  /** Whether a run exists for it (created now, or by an identical earlier notification). */
  matched: boolean;
  runs: AlertTriggerOutcome[];
}

/** A recorded notification as listed. */
export interface AlertNotificationRecord {
  id: string;
  receivedAt: Date;
  receiver: string | null;
  status: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  /** Number of alerts in the notification. */
  alerts: number;
  matched: boolean;
  runIds: string[];
  outcomes: AlertTriggerOutcome[];
  /** Token name, or `hmac` for a signed notification. */
  sender: string | null;
}

interface Row {
  id: string;
  received_at: Date;
  receiver: string | null;
  status: string;
  group_key: string;
  group_labels: Record<string, string>;
  common_labels: Record<string, string> | null;
  alerts: number;
  matched: boolean;
  run_ids: string[];
  outcomes: AlertTriggerOutcome[];
  sender: string | null;
  payload?: AlertmanagerNotification;
}

const COLUMNS = `id::text, received_at, receiver, status, group_key, group_labels,
  payload->'commonLabels' AS common_labels, alerts, matched, run_ids::text[] AS run_ids, outcomes, sender`;

const toRecord = (r: Row): AlertNotificationRecord => ({
  id: r.id,
  receivedAt: r.received_at,
  receiver: r.receiver,
  status: r.status,
  groupKey: r.group_key,
  groupLabels: r.group_labels,
  commonLabels: r.common_labels ?? {},
  alerts: r.alerts,
  matched: r.matched,
  runIds: r.run_ids,
  outcomes: r.outcomes,
  sender: r.sender,
});

/**
 * Alertmanager notifications: each one starts a run of every workflow whose `alert:` trigger
 * selects it (one run per workflow per notification, exactly once however often Alertmanager
 * repeats it), and is recorded with what happened — matched or not, so none is dropped unseen.
 */
export class AlertReceiver {
  constructor(
    private readonly store: Store,
    private readonly triggers: TriggerStore,
    private readonly firer: TriggerFirer,
  ) {}

  /**
   * Fires the matching triggers, then records the notification (a failure before that answers an
   * error, so Alertmanager retries and the retry is de-duplicated by the runs' idempotency keys).
   */
  async receive(
    project: string,
    n: AlertmanagerNotification,
    sender: string,
  ): Promise<AlertReceipt> {
    const input = alertRunInput(n);
    const selected = (await this.triggers.active('alert', project)).filter(
      (t) => t.spec.kind === 'alert' && alertLabelsMatch(t.spec.alert, n),
    );
    const runs: AlertTriggerOutcome[] = [];
    for (const t of selected) {
      const r = await this.firer.fire(t, {
        input,
        idempotencyKey: alertIdempotencyKey(t.workflow, n),
        event: n,
        source: {
          receiver: n.receiver,
          groupKey: n.groupKey,
          status: n.status,
          alerts: n.alerts.length,
          by: sender,
        },
      });
      runs.push({
        workflow: t.workflow,
        triggerId: t.id,
        outcome: r.outcome,
        runId: 'runId' in r ? r.runId : null,
        reason: 'reason' in r ? r.reason : null,
      });
    }
    const runIds = [...new Set(runs.flatMap((r) => (r.runId ? [r.runId] : [])))];
    const inserted = await this.store.query<{ id: string }>(
      `INSERT INTO alert_notifications
         (project, receiver, status, group_key, group_labels, alerts, payload, run_ids, matched, outcomes, sender)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8::uuid[], $9, $10::jsonb, $11)
       RETURNING id::text`,
      [
        project,
        n.receiver,
        n.status,
        n.groupKey,
        JSON.stringify(n.groupLabels),
        n.alerts.length,
        JSON.stringify(n),
        runIds,
        runIds.length > 0,
        JSON.stringify(runs),
        sender,
      ],
    );
    return { id: inserted.rows[0]!.id, matched: runIds.length > 0, runs };
  }

  /** Notifications of a project, newest first, before `before` (an id) when paging. */
  async list(
    project: string,
    opts: { matched?: boolean; before?: string; limit: number },
  ): Promise<AlertNotificationRecord[]> {
    const r = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM alert_notifications
        WHERE project = $1 AND ($2::boolean IS NULL OR matched = $2)
          AND ($3::bigint IS NULL OR id < $3::bigint)
        ORDER BY id DESC LIMIT $4`,
      [project, opts.matched ?? null, opts.before ?? null, opts.limit],
    );
    return r.rows.map(toRecord);
  }

  /** One notification with the body Alertmanager sent; 404 when the project has no such id. */
  async get(
    project: string,
    id: string,
  ): Promise<AlertNotificationRecord & { payload: AlertmanagerNotification }> {
    const r = await this.store.query<Row>(
      `SELECT ${COLUMNS}, payload FROM alert_notifications WHERE project = $1 AND id = $2::bigint`,
      [project, id],
    );
    const row = r.rows[0];
    if (!row) throw CCError.notFound(`alert notification ${id}`);
    return { ...toRecord(row), payload: row.payload! };
  }
}
