import { CCError } from '@commandcenter/protocol';
import type { Store } from '../store/port.js';

/** A row as the SQL shapes it (typed views come with the API). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

/** Read side of runs, steps, attempts, approvals and logs (the API and CLI build on it). */
export class RunQueries {
  constructor(private readonly store: Store) {}
  async run(project: string, runId: string): Promise<Row & { steps: Row[]; attempts: Row[] }> {
    if (!/^[0-9a-f-]{36}$/i.test(runId)) throw CCError.notFound(`run ${runId}`);
    const r = await this.store.query<Row>('SELECT * FROM runs WHERE id = $1 AND project = $2', [
      runId,
      project,
    ]);
    const run = r.rows[0];
    if (!run) throw CCError.notFound(`run ${runId}`);
    const steps = await this.store.query<Row>(
      `SELECT key, node_id, parent_key, item_index, item, status, agent, action, attempt, max_attempts,
              approval, input, output, error, started_at, finished_at, available_at, lease_owner
         FROM steps WHERE run_id = $1 ORDER BY parent_key NULLS FIRST, item_index NULLS FIRST, key`,
      [runId],
    );
    const attempts = await this.store.query<Row>(
      `SELECT step_key, attempt, worker, status, input, output, error, usage, started_at, finished_at
         FROM attempts WHERE run_id = $1 ORDER BY step_key, attempt`,
      [runId],
    );
    return { ...run, steps: steps.rows, attempts: attempts.rows };
  }

  async steps(runId: string) {
    const r = await this.store.query<{
      key: string;
      status: string;
      attempt: number;
      output: unknown;
      error: unknown;
    }>('SELECT key, status, attempt, output, error FROM steps WHERE run_id = $1 ORDER BY key', [
      runId,
    ]);
    return r.rows;
  }

  /** Log lines after `afterId`, oldest first, optionally of one step. */
  async logs(runId: string, afterId = 0, limit = 1000, step?: string) {
    const r = await this.store.query<{
      id: string;
      step_key: string;
      attempt: number;
      ts: Date;
      line: string;
    }>(
      `SELECT id, step_key, attempt, ts, line FROM step_logs
        WHERE run_id = $1 AND id > $2 AND ($4::text IS NULL OR step_key = $4)
        ORDER BY id LIMIT $3`,
      [runId, afterId, limit, step ?? null],
    );
    return r.rows;
  }

  async pendingApprovals(project: string) {
    const r = await this.store.query<{
      id: string;
      run_id: string;
      step_key: string;
      snapshot: unknown;
      requested_at: Date;
      expires_at: Date | null;
    }>(
      `SELECT id, run_id, step_key, snapshot, requested_at, expires_at FROM approvals
        WHERE project = $1 AND status = 'pending' ORDER BY requested_at`,
      [project],
    );
    return r.rows;
  }
}
