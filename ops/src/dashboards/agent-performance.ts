/** Agent performance: step outcomes, durations, retries and errors per agent and action. */
import {
  agentVariable,
  inAgent,
  inRange,
  legendOf,
  projectVariable,
  quantile,
  rateBy,
} from './common.js';
import { dashboard, datasourceVariable, heatmap, row, stat, table, timeseries } from './panels.js';

const ended = `${inAgent}, status=~"succeeded|failed"`;
const agentAction = ['agent', 'action'];

export const agentPerformance = dashboard({
  uid: 'cc-agent-performance',
  title: 'CommandCenter / Agent performance',
  description: 'Steps run by each agent and action: outcomes, durations, retries and errors.',
  variables: [datasourceVariable, projectVariable, agentVariable],
  panels: [
    stat('Steps finished', inRange('cc_steps_finished_total', inAgent), { w: 6 }),
    stat(
      'Step success ratio',
      `${inRange('cc_steps_finished_total', `${inAgent}, status="succeeded"`)} / ${inRange('cc_steps_finished_total', ended)}`,
      {
        w: 6,
        unit: 'percentunit',
        description: 'Succeeded among succeeded and failed steps (skipped not counted).',
        thresholds: [
          [null, 'red'],
          [0.95, 'orange'],
          [0.99, 'green'],
        ],
      },
    ),
    stat('Retries', inRange('cc_step_retries_total', inAgent), { w: 6 }),
    stat('Agent errors', inRange('cc_agent_errors_total', inAgent), {
      w: 6,
      thresholds: [
        [null, 'green'],
        [1, 'orange'],
      ],
    }),

    row('Outcomes'),
    timeseries(
      'Steps by agent and status',
      {
        expr: rateBy('cc_steps_finished_total', inAgent, ['agent', 'status']),
        legend: legendOf(['agent', 'status']),
      },
      { unit: 'ops' },
    ),
    timeseries(
      'Failure ratio by agent and action',
      {
        expr: `${rateBy('cc_steps_finished_total', `${inAgent}, status="failed"`, agentAction)} / ${rateBy('cc_steps_finished_total', ended, agentAction)}`,
        legend: legendOf(agentAction),
      },
      { unit: 'percentunit', min: 0, max: 1 },
    ),
    timeseries(
      'Retries by agent and action',
      {
        expr: rateBy('cc_step_retries_total', inAgent, agentAction),
        legend: legendOf(agentAction),
      },
      { unit: 'ops' },
    ),
    table(
      'Agent errors by type (time range)',
      {
        expr: `sort_desc(${inRange('cc_agent_errors_total', inAgent, ['agent', 'action', 'error_type'])} > 0)`,
      },
      { description: 'error_type is the CC_E_* code of the failure, or agent_error.' },
    ),

    row('Durations'),
    timeseries(
      'Step duration p95 by agent and action',
      {
        expr: quantile(0.95, 'cc_step_duration_seconds', inAgent, agentAction),
        legend: legendOf(agentAction),
        exemplar: true,
      },
      { unit: 's' },
    ),
    heatmap(
      'Step duration distribution',
      `sum by (le) (increase(cc_step_duration_seconds_bucket{${inAgent}}[$__rate_interval]))`,
    ),
    timeseries(
      'Compute time by agent',
      { expr: rateBy('cc_compute_seconds_total', inAgent, ['agent']), legend: '{{agent}}' },
      {
        unit: 's',
        description: 'Seconds of agent work per second: about how many attempts run at once.',
      },
    ),
    timeseries(
      'LLM tokens by model and direction',
      {
        expr: rateBy('cc_llm_tokens_total', inAgent, ['agent', 'model', 'direction']),
        legend: legendOf(['agent', 'model', 'direction']),
      },
      {
        unit: 'short',
        description: 'Tokens per second of llm agents (in = prompt, out = completion).',
      },
    ),
  ],
});
