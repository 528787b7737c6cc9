import type { Store } from '../store/port.js';
import { isoTime } from './views.js';

/** The windows of the overview and their bucket sizes (seconds). */
export const OVERVIEW_WINDOWS = {
  '1h': { seconds: 3600, bucketSeconds: 60 },
  '6h': { seconds: 6 * 3600, bucketSeconds: 300 },
  '24h': { seconds: 24 * 3600, bucketSeconds: 900 },
  '7d': { seconds: 7 * 24 * 3600, bucketSeconds: 3600 },
} as const;

export type OverviewWindow = keyof typeof OVERVIEW_WINDOWS;

/** How many entries the "top failing" lists keep. */
const TOP = 5;

/** Runs whose status counts as a failure in the "top failing" lists. */
const FAILED_RUN = `status IN ('failed', 'timed_out')`;
/** Attempt statuses that count as errors (as in agent health). */
const FAILED_ATTEMPT = `a.status IN ('failed', 'timed_out', 'lost')`;

interface BucketRow {
  t: Date;
  from_t: Date;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  timed_out: number;
  p50: number | string | null;
  p95: number | string | null;
  p99: number | string | null;
}

// Every bucket of the window (generate_series), aligned on multiples of the bucket size so that
// refreshes keep their boundaries; the last one holds now. Runs are counted in the bucket they
// were created in, by their current status (waiting_approval counts as running); percentiles are
// over the durations (started → finished) of the bucket's finished runs. The runs of the window
// come from runs_project_created (project, created_at DESC).
export const BUCKETS_SQL = `WITH bounds AS (
  SELECT date_bin($2::interval, now(), timestamptz '2000-01-01 00:00:00+00')
           - $2::interval * ($3::int - 1) AS from_t),
series AS (
  SELECT generate_series(b.from_t, b.from_t + $2::interval * ($3::int - 1), $2::interval) AS t
    FROM bounds b),
r AS (
  SELECT date_bin($2::interval, x.created_at, timestamptz '2000-01-01 00:00:00+00') AS t, x.status,
         extract(epoch FROM x.finished_at - x.started_at) * 1000 AS ms
    FROM runs x, bounds b
   WHERE x.project = $1 AND x.created_at >= b.from_t)
SELECT s.t, (SELECT from_t FROM bounds) AS from_t,
       count(r.status) FILTER (WHERE r.status = 'queued')::int AS queued,
       count(r.status) FILTER (WHERE r.status IN ('running', 'waiting_approval'))::int AS running,
       count(r.status) FILTER (WHERE r.status = 'succeeded')::int AS succeeded,
       count(r.status) FILTER (WHERE r.status = 'failed')::int AS failed,
       count(r.status) FILTER (WHERE r.status = 'cancelled')::int AS cancelled,
       count(r.status) FILTER (WHERE r.status = 'timed_out')::int AS timed_out,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms)) AS p50,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY r.ms)) AS p95,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY r.ms)) AS p99
  FROM series s LEFT JOIN r ON r.t = s.t
 GROUP BY s.t ORDER BY s.t`;

export const WORKFLOWS_SQL = `SELECT workflow, count(*)::int AS runs,
       count(*) FILTER (WHERE ${FAILED_RUN})::int AS failed,
       count(*) FILTER (WHERE finished_at IS NOT NULL)::int AS finished
  FROM runs
 WHERE project = $1 AND created_at >= $2
 GROUP BY workflow
HAVING count(*) FILTER (WHERE ${FAILED_RUN}) > 0
 ORDER BY failed DESC, count(*) FILTER (WHERE ${FAILED_RUN})::float
          / count(*) FILTER (WHERE finished_at IS NOT NULL) DESC, workflow
 LIMIT ${TOP}`;

// Attempts of the window's runs (primary keys of attempts and steps from each run).
export const AGENTS_SQL = `SELECT s.agent, s.action, count(*)::int AS attempts,
       count(*) FILTER (WHERE ${FAILED_ATTEMPT})::int AS failed
  FROM runs r
  JOIN attempts a ON a.run_id = r.id
  JOIN steps s ON s.run_id = a.run_id AND s.key = a.step_key
 WHERE r.project = $1 AND r.created_at >= $2 AND a.status <> 'skipped' AND s.agent IS NOT NULL
 GROUP BY s.agent, s.action
HAVING count(*) FILTER (WHERE ${FAILED_ATTEMPT}) > 0
 ORDER BY failed DESC, count(*) FILTER (WHERE ${FAILED_ATTEMPT})::float / count(*) DESC,
          s.agent, s.action
 LIMIT ${TOP}`;

const rate = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
const ms = (v: number | string | null) => (v === null ? null : Number(v));

/** The overview of a project's runs over a recent window (the UI's charts, no Prometheus). */
export async function overviewStats(store: Store, project: string, window: OverviewWindow) {
  const w = OVERVIEW_WINDOWS[window];
  const count = w.seconds / w.bucketSeconds;
  const rows = (
    await store.query<BucketRow>(BUCKETS_SQL, [project, `${w.bucketSeconds} seconds`, count])
  ).rows;
  const from = rows[0]!.from_t;
  const [workflows, agents, approvals] = await Promise.all([
    store.query<{ workflow: string; runs: number; failed: number; finished: number }>(
      WORKFLOWS_SQL,
      [project, from],
    ),
    store.query<{ agent: string; action: string; attempts: number; failed: number }>(AGENTS_SQL, [
      project,
      from,
    ]),
    store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM approvals WHERE project = $1 AND status = 'pending'`,
      [project],
    ),
  ]);

  const buckets = rows.map((b) => ({
    t: isoTime(b.t),
    queued: b.queued,
    running: b.running,
    succeeded: b.succeeded,
    failed: b.failed,
    cancelled: b.cancelled,
    timedOut: b.timed_out,
    p50Ms: ms(b.p50),
    p95Ms: ms(b.p95),
    p99Ms: ms(b.p99),
  }));
  const sum = (f: (b: (typeof buckets)[number]) => number) => buckets.reduce((n, b) => n + f(b), 0);
  const totals = {
    runs: sum((b) => b.queued + b.running + b.succeeded + b.failed + b.cancelled + b.timedOut),
    queued: sum((b) => b.queued),
    running: sum((b) => b.running),
    succeeded: sum((b) => b.succeeded),
    failed: sum((b) => b.failed),
    cancelled: sum((b) => b.cancelled),
    timedOut: sum((b) => b.timedOut),
    successRate: null as number | null,
  };
  totals.successRate = rate(
    totals.succeeded,
    totals.succeeded + totals.failed + totals.cancelled + totals.timedOut,
  );
  return {
    window,
    bucketSeconds: w.bucketSeconds,
    from: isoTime(from),
    to: isoTime(new Date(new Date(rows.at(-1)!.t).getTime() + w.bucketSeconds * 1000)),
    buckets,
    totals,
    topFailingWorkflows: workflows.rows.map((x) => ({
      workflow: x.workflow,
      runs: x.runs,
      failed: x.failed,
      failureRate: rate(x.failed, x.finished)!,
    })),
    topFailingAgents: agents.rows.map((x) => ({
      agent: x.agent,
      action: x.action,
      attempts: x.attempts,
      failed: x.failed,
      errorRate: rate(x.failed, x.attempts)!,
    })),
    pendingApprovals: approvals.rows[0]?.n ?? 0,
  };
}

/** `GET /api/v1/stats/overview`'s answer. */
export type OverviewStats = Awaited<ReturnType<typeof overviewStats>>;
