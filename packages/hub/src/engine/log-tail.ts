import { FINAL_RUN_STATUSES, type RunStatus } from '@commandcenter/protocol';
import type { Store } from '../store/port.js';

/**
 * Where a live log stream stands: the `(tx, id)` of the last line it handed out (see
 * 013_ui_stats.sql for why the writing transaction is part of it). Totally ordered.
 */
export interface LogCursor {
  tx: bigint;
  id: bigint;
}

/** Before the first line of any run. */
export const LOG_START: LogCursor = { tx: 0n, id: 0n };

/** The cursor's text form, `<tx>-<id>` (the SSE `id:` of a line). */
export const formatLogCursor = (c: LogCursor) => `${c.tx}-${c.id}`;

/** One stored line as the stream sends it. */
export interface TailLine {
  cursor: LogCursor;
  id: string;
  stepKey: string;
  attempt: number;
  ts: Date;
  line: string;
}

export interface TailRead {
  /** Lines after the cursor, in `(tx, id)` order, that can be handed out now. */
  lines: TailLine[];
  /** The run's status when the lines were read (same snapshot); `null`: there is no such run. */
  status: RunStatus | null;
  /** The run had ended: `lines` are all its stored lines up to `limit`, nothing is held back. */
  finished: boolean;
  /**
   * Lines exist after the last one returned, held back because a transaction older than theirs
   * is still open (it may still store a line before them): read again shortly.
   */
  held: boolean;
}

interface Row {
  status: RunStatus | null;
  settled: boolean | null;
  tx: string | null;
  id: string | null;
  step_key: string;
  attempt: number;
  ts: Date;
  line: string;
}

// One statement, so the run's status and its lines come from the same snapshot: when the run is
// final there, every line its attempts stored before completing (the worker flushes logs before
// it completes) is there too. Lines of transactions at or above the watermark are settled = false.
const TAIL_SQL = `WITH w AS (
  SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin,
         (SELECT status FROM runs WHERE id = $1) AS status)
SELECT w.status, (l.tx < w.xmin) AS settled, l.tx::text AS tx, l.id::text AS id,
       l.step_key, l.attempt, l.ts, l.line
  FROM w LEFT JOIN LATERAL (
    SELECT x.tx, x.id, x.step_key, x.attempt, x.ts, x.line FROM step_logs x
     WHERE x.run_id = $1 AND (x.tx, x.id) > ($2::xid8, $3::bigint)
       AND ($4::text IS NULL OR x.step_key = $4)
     ORDER BY x.tx, x.id
     LIMIT $5) l ON true
 ORDER BY l.tx, l.id`;

/**
 * Reads a run's log lines after `after`, exactly once each across reads: while the run is live,
 * only lines whose transactions are older than every running one (nothing can still be stored
 * before them); once it has ended, every stored line (a line an aborted attempt stores after the
 * end is in `GET /runs/{id}/logs` but not in the stream).
 */
export async function readLogTail(
  store: Store,
  runId: string,
  after: LogCursor,
  opts: { step?: string; limit: number },
): Promise<TailRead> {
  const r = await store.query<Row>(TAIL_SQL, [
    runId,
    after.tx.toString(),
    after.id.toString(),
    opts.step ?? null,
    opts.limit,
  ]);
  const status = r.rows[0]?.status ?? null;
  const finished = status !== null && FINAL_RUN_STATUSES.includes(status);
  const lines: TailLine[] = [];
  let held = false;
  for (const row of r.rows) {
    if (row.tx === null || row.id === null) continue;
    if (!finished && !row.settled) {
      held = true;
      break;
    }
    lines.push({
      cursor: { tx: BigInt(row.tx), id: BigInt(row.id) },
      id: row.id,
      stepKey: row.step_key,
      attempt: row.attempt,
      ts: row.ts,
      line: row.line,
    });
  }
  return { lines, status, finished, held };
}
