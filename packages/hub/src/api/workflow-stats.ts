import type { Store } from '../store/port.js';
import { iso } from './views.js';

/** Finished runs the success rate is computed over. */
export const SUCCESS_RATE_RUNS = 50;
/** Finished runs whose durations make the sparkline. */
export const SPARKLINE_RUNS = 20;

/** What the workflows page shows of each workflow's recent runs. */
export interface WorkflowStats {
  /** The latest run (by creation), whatever its status. */
  lastRun: { id: string; status: string; createdAt: string; finishedAt: string | null } | null;
  /** Finished runs considered (at most {@link SUCCESS_RATE_RUNS}). */
  runs: number;
  /** Succeeded / finished over those runs; `null` when none has finished. */
  successRate: number | null;
  /** Durations of the latest {@link SPARKLINE_RUNS} finished runs that started, oldest first. */
  recentDurationsMs: number[];
}

interface Row {
  name: string;
  last_id: string | null;
  last_status: string | null;
  last_created_at: Date | null;
  last_finished_at: Date | null;
  runs: number;
  succeeded: number;
  durations: (number | string)[] | null;
}

// One statement for every workflow of the page: two LATERAL subqueries per name, each an index
// scan of runs_workflow_created (project, workflow, created_at DESC) that stops after its LIMIT
// (the second skips unfinished runs on the way). "Latest" is by creation, as the runs list orders
// them; `n` numbers the finished runs newest first, `timed` counts those with a duration so far.
export const WORKFLOW_STATS_SQL = `SELECT w.name, l.id AS last_id, l.status AS last_status,
       l.created_at AS last_created_at, l.finished_at AS last_finished_at,
       coalesce(f.runs, 0)::int AS runs, coalesce(f.succeeded, 0)::int AS succeeded, f.durations
  FROM unnest($2::text[]) AS w(name)
  LEFT JOIN LATERAL (
    SELECT id, status, created_at, finished_at FROM runs
     WHERE project = $1 AND workflow = w.name
     ORDER BY created_at DESC LIMIT 1) l ON true
  LEFT JOIN LATERAL (
    SELECT count(*) AS runs, count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
           array_agg(round(ms) ORDER BY n DESC) FILTER (WHERE ms IS NOT NULL AND timed <= $4)
             AS durations
      FROM (SELECT status, ms, n, count(ms) OVER (ORDER BY n) AS timed
              FROM (SELECT status, extract(epoch FROM finished_at - started_at) * 1000 AS ms,
                           row_number() OVER (ORDER BY created_at DESC) AS n
                      FROM runs
                     WHERE project = $1 AND workflow = w.name AND finished_at IS NOT NULL
                     ORDER BY created_at DESC LIMIT $3) latest) numbered) f ON true`;

/**
 * The stats of each named workflow of `project` (one query for all of them). Workflows without
 * runs get `lastRun: null`, `runs: 0`, `successRate: null`, no durations.
 */
export async function workflowStats(
  store: Store,
  project: string,
  names: string[],
): Promise<Map<string, WorkflowStats>> {
  const out = new Map<string, WorkflowStats>();
  if (names.length === 0) return out;
  const r = await store.query<Row>(WORKFLOW_STATS_SQL, [
    project,
    names,
    SUCCESS_RATE_RUNS,
    SPARKLINE_RUNS,
  ]);
  for (const row of r.rows) {
    out.set(row.name, {
      lastRun:
        row.last_id === null
          ? null
          : {
              id: row.last_id,
              status: row.last_status!,
              createdAt: iso(row.last_created_at)!,
              finishedAt: iso(row.last_finished_at),
            },
      runs: row.runs,
      successRate: row.runs === 0 ? null : round4(row.succeeded / row.runs),
      recentDurationsMs: (row.durations ?? []).map(Number),
    });
  }
  return out;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
