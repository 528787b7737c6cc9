/**
 * The template variables and label filters the shipped dashboards share. Store-derived gauges
 * (queue, active runs, pending approvals) are the same on every hub of a database, so panels take
 * `max by (project)` of them; counters are summed over instances (metric catalogue).
 */
import { JOB } from '../slo-spec.js';
import { labelVariable } from './panels.js';

export { JOB };

export const projectVariable = labelVariable(
  'project',
  'Project',
  // A store-derived gauge: every project has a series, even with nothing in flight.
  `label_values(cc_runs_active{${JOB}}, project)`,
);
export const workflowVariable = labelVariable(
  'workflow',
  'Workflow',
  `label_values(cc_runs_started_total{${JOB}, project=~"$project"}, workflow)`,
);
export const agentVariable = labelVariable(
  'agent',
  'Agent',
  `label_values(cc_steps_finished_total{${JOB}, project=~"$project"}, agent)`,
);
export const instanceVariable = labelVariable(
  'instance',
  'Hub instance',
  `label_values(up{${JOB}}, instance)`,
);

/** Label matchers for the chosen project (and workflow, agent, instance). */
export const inProject = `${JOB}, project=~"$project"`;
export const inWorkflow = `${inProject}, workflow=~"$workflow"`;
export const inAgent = `${inProject}, agent=~"$agent"`;
export const onInstance = `${JOB}, instance=~"$instance"`;

/** `histogram_quantile(q, sum by (le, …) (rate(<histogram>_bucket{matchers}[$__rate_interval])))`. */
export const quantile = (q: number, histogram: string, matchers: string, by: string[] = []) =>
  `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${histogram}_bucket{${matchers}}[$__rate_interval])))`;

/** Legend-labelled p50/p95/p99 targets of a histogram. */
export const quantiles = (histogram: string, matchers: string, by: string[] = []) =>
  [0.5, 0.95, 0.99].map((q) => ({
    expr: quantile(q, histogram, matchers, by),
    legend: `${by.map((l) => `{{${l}}} `).join('')}p${q * 100}`,
    exemplar: true,
  }));

/** Per-second rate of a counter, summed `by` the given labels. */
export const rateBy = (metric: string, matchers: string, by: string[]) =>
  `sum by (${by.join(', ')}) (rate(${metric}{${matchers}}[$__rate_interval]))`;

/** Total increase over the dashboard's time range. */
export const inRange = (metric: string, matchers: string, by: string[] = []) =>
  by.length
    ? `sum by (${by.join(', ')}) (increase(${metric}{${matchers}}[$__range]))`
    : `sum(increase(${metric}{${matchers}}[$__range]))`;

export const legendOf = (by: string[]) => by.map((l) => `{{${l}}}`).join(' ');
