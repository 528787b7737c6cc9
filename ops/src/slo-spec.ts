/**
 * The service-level objectives of CommandCenter, defined once. `generate.ts` turns them into the
 * recording rules and burn-rate alerts of `ops/prometheus/rules/slo.yml` and the SLO dashboard,
 * so that the objective, the SLI and its alerts cannot drift apart.
 */

/**
 * A PromQL expression over one window (`5m`, `1h`, `$__range`…); `filter` adds label matchers
 * to every selector (the dashboards' `project=~"$project"`).
 */
export type WindowedExpr = (window: string, filter?: string) => string;

export interface Slo {
  /** Value of the `slo` label on every series and alert of this SLO (snake_case). */
  name: string;
  /** The part of the alert names: `CCSLO<alert>BurnFast`, `CCSLO<alert>BurnSlow`. */
  alert: string;
  title: string;
  /** Fraction of good events over 30 days, e.g. 0.99. */
  objective: number;
  /** What counts as good, for people (dashboard descriptions, runbooks). */
  description: string;
  /** Labels the SLI keeps (the alerts fire per value of them). */
  by: string[];
  /** Rate of bad events over `window`, aggregated `by`. */
  errors: WindowedExpr;
  /** Rate of all events over `window`, aggregated `by`. */
  total: WindowedExpr;
}

/** Matches the shipped scrape job (`ops/prometheus/prometheus.yml`). */
export const JOB = 'job="commandcenter"';

const sumBy = (by: string[], inner: string) =>
  by.length ? `sum by (${by.join(', ')}) (${inner})` : `sum(${inner})`;

/** `metric{job, matchers}` summed as a rate `by`; `filter` joins the matchers at call time. */
const rate =
  (by: string[], metric: string, matchers = ''): WindowedExpr =>
  (w, filter) => {
    const all = [JOB, matchers, filter].filter(Boolean).join(', ');
    return sumBy(by, `rate(${metric}{${all}}[${w}])`);
  };

/** Latency SLI from a histogram: bad = observations above the `le` bucket. */
function slowerThan(by: string[], histogram: string, matchers: string, le: string) {
  const count = rate(by, `${histogram}_count`, matchers);
  const fast = rate(by, `${histogram}_bucket`, `${matchers}, le="${le}"`);
  const errors: WindowedExpr = (w, filter) => `${count(w, filter)} - ${fast(w, filter)}`;
  return { errors, total: count };
}

const project = ['project'];

export const slos: Slo[] = [
  {
    name: 'run_success',
    alert: 'RunSuccess',
    title: 'Run success',
    objective: 0.99,
    description:
      '99% of finished runs succeed (failed and timed_out are bad; cancelled runs do not count)',
    by: project,
    errors: rate(project, 'cc_runs_finished_total', 'status=~"failed|timed_out"'),
    total: rate(project, 'cc_runs_finished_total', 'status=~"succeeded|failed|timed_out"'),
  },
  {
    name: 'api_availability',
    alert: 'ApiAvailability',
    title: 'API availability',
    objective: 0.999,
    description: '99.9% of HTTP requests to the hub are answered without a 5xx status',
    by: [],
    errors: rate([], 'cc_http_requests_total', 'status=~"5.."'),
    total: rate([], 'cc_http_requests_total'),
  },
  {
    name: 'run_latency',
    alert: 'RunLatency',
    title: 'Run latency',
    objective: 0.95,
    description:
      '95% of successful runs finish within 5 minutes of starting (approval waits included)',
    by: project,
    ...slowerThan(project, 'cc_run_duration_seconds', 'status="succeeded"', '300'),
  },
  {
    name: 'step_success',
    alert: 'StepSuccess',
    title: 'Step success',
    objective: 0.99,
    description: '99% of finished steps succeed (failed is bad; skipped steps do not count)',
    by: project,
    errors: rate(project, 'cc_steps_finished_total', 'status="failed"'),
    total: rate(project, 'cc_steps_finished_total', 'status=~"succeeded|failed"'),
  },
  {
    name: 'approval_latency',
    alert: 'ApprovalLatency',
    title: 'Approval latency',
    objective: 0.9,
    description:
      '90% of approvals are decided within 1 hour of the request (cancelled ones do not count)',
    by: project,
    ...slowerThan(project, 'cc_approval_wait_seconds', 'decision!="cancelled"', '3600'),
  },
];

/** Every window an SLI is recorded over (the burn-rate alerts' long and short windows). */
export const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export interface BurnWindow {
  long: string;
  short: string;
  /** Burn rate: how many times faster than "exactly the budget in 30 days". */
  factor: number;
}

/**
 * Multi-window, multi-burn-rate alerts (Google SRE workbook, chapter 5): a page when 2% of the
 * 30-day budget burns in an hour or 5% in 6 hours; a ticket for 10% in a day or 10% in 3 days.
 * The short window makes the alert stop soon after the burning stops.
 */
export const burnAlerts = [
  {
    suffix: 'BurnFast',
    severity: 'critical',
    for: '2m',
    windows: [
      { long: '1h', short: '5m', factor: 14.4 },
      { long: '6h', short: '30m', factor: 6 },
    ] satisfies BurnWindow[],
    pace: 'fast',
    exhaustion: 'within days',
  },
  {
    suffix: 'BurnSlow',
    severity: 'warning',
    for: '15m',
    windows: [
      { long: '1d', short: '2h', factor: 3 },
      { long: '3d', short: '6h', factor: 1 },
    ] satisfies BurnWindow[],
    pace: 'steadily',
    exhaustion: 'before the 30-day window ends',
  },
] as const;

/** Name of the recorded error ratio of every SLO over `window`. */
export const errorRatio = (window: string) => `cc:slo_errors:ratio_rate${window}`;

/** Name of the recorded objective (one series per SLO, label `slo`). */
export const OBJECTIVE = 'cc:slo:objective';
