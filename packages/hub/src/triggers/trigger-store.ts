import { randomUUID } from 'node:crypto';
import { CCError, type WorkflowDefinition, type WorkflowTrigger } from '@commandcenter/protocol';
import type { Queryable, Store } from '../store/port.js';
import { triggerKey, type StatefulTrigger } from './trigger-key.js';

/** A trigger as stored: what the latest workflow version declares, and its state. */
export interface TriggerRow {
  id: string;
  project: string;
  workflow: string;
  key: string;
  kind: StatefulTrigger['kind'];
  spec: StatefulTrigger;
  version: number;
  active: boolean;
  paused: boolean;
  nextFireAt: Date | null;
  lastFireAt: Date | null;
  lastRunId: string | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a trigger did once. */
export type TriggerOutcome = 'fired' | 'duplicate' | 'rejected' | 'skipped' | 'filtered';

export interface TriggerHistoryEntry {
  id: string;
  at: Date;
  outcome: TriggerOutcome;
  runId: string | null;
  reason: string | null;
  source: Record<string, unknown>;
}

const COLUMNS = `id, project, workflow, key, kind, spec, version, active, paused, next_fire_at,
  last_fire_at, last_run_id, last_error, last_error_at, created_at, updated_at`;

interface Row {
  id: string;
  project: string;
  workflow: string;
  key: string;
  kind: StatefulTrigger['kind'];
  spec: StatefulTrigger;
  version: number;
  active: boolean;
  paused: boolean;
  next_fire_at: Date | null;
  last_fire_at: Date | null;
  last_run_id: string | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toTrigger = (r: Row): TriggerRow => ({
  id: r.id,
  project: r.project,
  workflow: r.workflow,
  key: r.key,
  kind: r.kind,
  spec: r.spec,
  version: r.version,
  active: r.active,
  paused: r.paused,
  nextFireAt: r.next_fire_at,
  lastFireAt: r.last_fire_at,
  lastRunId: r.last_run_id,
  lastError: r.last_error,
  lastErrorAt: r.last_error_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * The `triggers` table: kept in step with the latest version of every workflow (the catalog
 * calls {@link syncTriggers} in the transaction that stores a version), read by the schedulers
 * and the API, and written with each trigger's state and history.
 */
export class TriggerStore {
  constructor(private readonly store: Store) {}

  /** Active triggers of one kind (of every project, or one), paused ones included. */
  async active(kind: StatefulTrigger['kind'], project?: string): Promise<TriggerRow[]> {
    const r = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM triggers WHERE active AND kind = $1 AND ($2::text IS NULL OR project = $2)
        ORDER BY project, workflow, key`,
      [kind, project ?? null],
    );
    return r.rows.map(toTrigger);
  }

  /** The triggers of a project (of one workflow), active ones first. */
  async list(project: string, workflow?: string, includeInactive = false): Promise<TriggerRow[]> {
    const r = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM triggers
        WHERE project = $1 AND ($2::text IS NULL OR workflow = $2) AND (active OR $3)
        ORDER BY workflow, active DESC, kind, key`,
      [project, workflow ?? null, includeInactive],
    );
    return r.rows.map(toTrigger);
  }

  /** One trigger of a project; 404 when it does not exist there. */
  async get(project: string, id: string): Promise<TriggerRow> {
    const r = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM triggers WHERE project = $1 AND id = $2`,
      [project, id],
    );
    if (!r.rows[0]) throw CCError.notFound(`trigger ${id}`);
    return toTrigger(r.rows[0]);
  }

  /** The active trigger of a kind with this identity (`webhook:<name>`, `action:<name>`). */
  async byKey(project: string, key: string): Promise<TriggerRow[]> {
    const r = await this.store.query<Row>(
      `SELECT ${COLUMNS} FROM triggers WHERE project = $1 AND key = $2 AND active ORDER BY workflow`,
      [project, key],
    );
    return r.rows.map(toTrigger);
  }

  async setPaused(project: string, id: string, paused: boolean): Promise<TriggerRow> {
    const r = await this.store.query<Row>(
      `UPDATE triggers SET paused = $3, updated_at = now() WHERE project = $1 AND id = $2
        RETURNING ${COLUMNS}`,
      [project, id, paused],
    );
    if (!r.rows[0]) throw CCError.notFound(`trigger ${id}`);
    return toTrigger(r.rows[0]);
  }

  /** Records what a trigger did, and its state (last fire, last run, last error). */
  async record(
    t: Pick<TriggerRow, 'id' | 'project' | 'workflow'>,
    entry: {
      outcome: TriggerOutcome;
      runId?: string | null;
      reason?: string | null;
      source?: Record<string, unknown>;
    },
    db: Queryable = this.store,
  ): Promise<void> {
    await db.query(
      `INSERT INTO trigger_history (trigger_id, project, workflow, outcome, run_id, reason, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [
        t.id,
        t.project,
        t.workflow,
        entry.outcome,
        entry.runId ?? null,
        entry.reason ?? null,
        JSON.stringify(entry.source ?? {}),
      ],
    );
    if (entry.outcome === 'fired') {
      await db.query(
        `UPDATE triggers SET last_run_id = $2, last_fire_at = CASE WHEN kind = 'cron' THEN last_fire_at ELSE now() END,
                updated_at = now() WHERE id = $1`,
        [t.id, entry.runId ?? null],
      );
    } else if (entry.outcome === 'rejected') {
      await db.query(
        `UPDATE triggers SET last_error = $2, last_error_at = now(), updated_at = now() WHERE id = $1`,
        [t.id, entry.reason ?? 'rejected'],
      );
    }
  }

  /**
   * Deletes trigger history, webhook deliveries and Alertmanager notifications older than
   * `maxAgeMs` (the retention job); returns how many rows went. A webhook delivery's signature
   * is valid for 5 minutes only, so forgetting old delivery ids cannot let a replay through.
   */
  async prune(maxAgeMs: number): Promise<number> {
    const cutoff = new Date(Date.now() - maxAgeMs);
    let n = 0;
    for (const sql of [
      'DELETE FROM trigger_history WHERE at < $1',
      'DELETE FROM webhook_deliveries WHERE received_at < $1',
      'DELETE FROM alert_notifications WHERE received_at < $1',
    ]) {
      n += (await this.store.query(sql, [cutoff])).rowCount ?? 0;
    }
    return n;
  }

  /** The history of a trigger, newest first, after `before` (an entry id) when paging. */
  async history(
    project: string,
    id: string,
    opts: { limit?: number; before?: string } = {},
  ): Promise<TriggerHistoryEntry[]> {
    const r = await this.store.query<{
      id: string;
      at: Date;
      outcome: TriggerOutcome;
      run_id: string | null;
      reason: string | null;
      source: Record<string, unknown>;
    }>(
      `SELECT id::text, at, outcome, run_id, reason, source FROM trigger_history
        WHERE trigger_id = $2 AND project = $1 AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [project, id, opts.before ?? null, opts.limit ?? 50],
    );
    return r.rows.map((h) => ({
      id: h.id,
      at: h.at,
      outcome: h.outcome,
      runId: h.run_id,
      reason: h.reason,
      source: h.source,
    }));
  }
}

/**
 * Makes the `triggers` rows of a workflow match the version just stored (inside its
 * transaction): its triggers become active (new ones are created, kept ones updated), the others
 * inactive. Manual triggers have no row.
 */
export async function syncTriggers(
  tx: Queryable,
  project: string,
  wf: Pick<WorkflowDefinition, 'name' | 'triggers'>,
  version: number,
): Promise<void> {
  const declared = wf.triggers.filter(
    (t): t is StatefulTrigger => (t as WorkflowTrigger).kind !== 'manual',
  );
  const keys = declared.map(triggerKey);
  await tx.query(
    `UPDATE triggers SET active = false, updated_at = now()
      WHERE project = $1 AND workflow = $2 AND active AND NOT (key = ANY ($3::text[]))`,
    [project, wf.name, keys],
  );
  for (const [i, t] of declared.entries()) {
    await tx.query(
      `INSERT INTO triggers (id, project, workflow, key, kind, spec, version)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
       ON CONFLICT (project, workflow, key) DO UPDATE
         SET spec = excluded.spec, version = excluded.version, active = true, updated_at = now()`,
      [randomUUID(), project, wf.name, keys[i], t.kind, JSON.stringify(t), version],
    );
  }
}

/** Deactivates every trigger of an archived workflow (inside its transaction or not). */
export async function deactivateTriggers(
  db: Queryable,
  project: string,
  workflow: string,
): Promise<void> {
  await db.query(
    `UPDATE triggers SET active = false, updated_at = now() WHERE project = $1 AND workflow = $2 AND active`,
    [project, workflow],
  );
}
