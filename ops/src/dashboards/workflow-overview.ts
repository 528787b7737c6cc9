/** Workflow overview: run rates, outcomes and durations, the queue, approvals and triggers. */
import {
  inProject,
  inRange,
  inWorkflow,
  legendOf,
  projectVariable,
  quantile,
  quantiles,
  rateBy,
  workflowVariable,
} from './common.js';
import { bars, dashboard, datasourceVariable, row, stat, timeseries, traces } from './panels.js';

const failed = `${inWorkflow}, status=~"failed|timed_out"`;
const ended = `${inWorkflow}, status=~"succeeded|failed|timed_out"`;
const perProject = (gauge: string) => `sum(max by (project) (${gauge}{${inProject}}))`;

export const workflowOverview = dashboard({
  uid: 'cc-workflow-overview',
  title: 'CommandCenter / Workflow overview',
  description: 'Runs of the selected workflows: how many, how they end, how long they take.',
  variables: [datasourceVariable, projectVariable, workflowVariable],
  panels: [
    stat('Runs started', inRange('cc_runs_started_total', inWorkflow), {
      description: 'Runs started over the time range.',
    }),
    stat(
      'Success ratio',
      `${inRange('cc_runs_finished_total', `${inWorkflow}, status="succeeded"`)} / ${inRange('cc_runs_finished_total', ended)}`,
      {
        unit: 'percentunit',
        description: 'Succeeded among finished runs over the time range (cancelled not counted).',
        thresholds: [
          [null, 'red'],
          [0.95, 'orange'],
          [0.99, 'green'],
        ],
      },
    ),
    stat('Active runs', perProject('cc_runs_active'), {
      description: 'Runs queued, running or waiting for approval now (all workflows).',
    }),
    stat('Ready steps', perProject('cc_queue_depth'), {
      description: 'Steps ready to run that no worker has claimed yet.',
    }),
    stat('Oldest ready step', `max(cc_queue_oldest_ready_age_seconds{${inProject}})`, {
      unit: 's',
      thresholds: [
        [null, 'green'],
        [60, 'orange'],
        [600, 'red'],
      ],
    }),
    stat('Pending approvals', perProject('cc_approvals_pending'), {
      thresholds: [
        [null, 'green'],
        [10, 'orange'],
      ],
    }),

    row('Runs'),
    timeseries(
      'Runs started by trigger',
      { expr: rateBy('cc_runs_started_total', inWorkflow, ['trigger']), legend: '{{trigger}}' },
      { unit: 'ops', stack: true },
    ),
    timeseries(
      'Runs finished by status',
      { expr: rateBy('cc_runs_finished_total', inWorkflow, ['status']), legend: '{{status}}' },
      { unit: 'ops', stack: true },
    ),
    timeseries(
      'Failure ratio by workflow',
      {
        expr: `${rateBy('cc_runs_finished_total', failed, ['workflow'])} / ${rateBy('cc_runs_finished_total', ended, ['workflow'])}`,
        legend: '{{workflow}}',
      },
      { unit: 'percentunit', min: 0, max: 1, description: 'failed and timed_out among finished' },
    ),
    bars(
      'Most failures (time range)',
      {
        expr: `topk(10, ${inRange('cc_runs_finished_total', failed, ['workflow'])})`,
        legend: '{{workflow}}',
      },
      { thresholds: [[null, 'red']] },
    ),
    timeseries('Run duration', quantiles('cc_run_duration_seconds', inWorkflow), { unit: 's' }),
    timeseries(
      'Successful run duration p95 by workflow',
      {
        expr: quantile(0.95, 'cc_run_duration_seconds', `${inWorkflow}, status="succeeded"`, [
          'workflow',
        ]),
        legend: '{{workflow}}',
        exemplar: true,
      },
      { unit: 's' },
    ),

    row('Steps'),
    timeseries(
      'Steps finished by status',
      { expr: rateBy('cc_steps_finished_total', inWorkflow, ['status']), legend: '{{status}}' },
      { unit: 'ops', stack: true },
    ),
    timeseries(
      'Steps finished by agent and action',
      {
        expr: rateBy('cc_steps_finished_total', inWorkflow, ['agent', 'action']),
        legend: legendOf(['agent', 'action']),
      },
      { unit: 'ops' },
    ),

    row('Approvals'),
    timeseries(
      'Approvals requested and decided',
      [
        {
          expr: `sum(rate(cc_approvals_requested_total{${inWorkflow}}[$__rate_interval]))`,
          legend: 'requested',
        },
        {
          expr: rateBy('cc_approvals_decided_total', inWorkflow, ['decision']),
          legend: '{{decision}}',
        },
      ],
      { unit: 'ops' },
    ),
    timeseries('Approval wait', quantiles('cc_approval_wait_seconds', inWorkflow), {
      unit: 's',
      description: 'From the request to the decision (or expiry).',
    }),

    row('Triggers and events'),
    timeseries(
      'Triggers fired by kind and outcome',
      {
        expr: rateBy('cc_triggers_fired_total', inProject, ['kind', 'outcome']),
        legend: legendOf(['kind', 'outcome']),
      },
      { unit: 'ops' },
    ),
    timeseries(
      'Events published by type',
      { expr: rateBy('cc_events_published_total', inProject, ['type']), legend: '{{type}}' },
      { unit: 'ops' },
    ),

    row('Traces'),
    traces(
      'Recent failed runs (traces)',
      '{ resource.service.name = "commandcenter" && name = "workflow.run" && status = error && span.cc.project =~ "${project:regex}" && span.cc.workflow =~ "${workflow:regex}" }',
      {
        description:
          'Root spans of failed runs, from the hub (OTLP export, OTEL_SERVICE_NAME commandcenter) through the collector into Tempo.',
      },
    ),
  ],
});
