/** Cost tracking: compute and LLM spend by project, workflow, agent and model. */
import {
  JOB,
  agentVariable,
  inAgent,
  inRange,
  legendOf,
  projectVariable,
  rateBy,
  workflowVariable,
} from './common.js';
import { bars, dashboard, datasourceVariable, row, stat, table, timeseries } from './panels.js';

const selected = `${JOB}, project=~"$project", workflow=~"$workflow", agent=~"$agent"`;
const perHour = (metric: string, matchers: string, by: string[]) =>
  `${rateBy(metric, matchers, by)} * 3600`;
const usd = { unit: 'currencyUSD' };

export const costTracking = dashboard({
  uid: 'cc-cost-tracking',
  title: 'CommandCenter / Cost tracking',
  description:
    'What workflows cost: compute time priced per agent and LLM tokens priced per model (cc_cost_usd_total).',
  variables: [datasourceVariable, projectVariable, workflowVariable, agentVariable],
  panels: [
    stat('Cost (time range)', inRange('cc_cost_usd_total', selected), usd),
    stat('LLM cost', inRange('cc_cost_usd_total', `${selected}, kind="llm"`), usd),
    stat('Compute cost', inRange('cc_cost_usd_total', `${selected}, kind="compute"`), usd),
    stat(
      'Cost per finished run',
      `${inRange('cc_cost_usd_total', selected)} / ${inRange('cc_runs_finished_total', `${JOB}, project=~"$project", workflow=~"$workflow"`)}`,
      { ...usd, description: 'Spend of the selected agents divided by the runs of the workflows.' },
    ),
    stat('LLM tokens', inRange('cc_llm_tokens_total', inAgent), { unit: 'short' }),
    stat('Compute time', inRange('cc_compute_seconds_total', selected), { unit: 's' }),

    row('Spend over time'),
    timeseries(
      'Spend rate by kind',
      { expr: perHour('cc_cost_usd_total', selected, ['kind']), legend: '{{kind}} $/h' },
      { ...usd, stack: true },
    ),
    timeseries(
      'LLM spend rate by model',
      {
        expr: perHour('cc_llm_cost_usd_total', inAgent, ['agent', 'model']),
        legend: legendOf(['agent', 'model']),
      },
      { ...usd, description: 'US dollars per hour.' },
    ),
    timeseries(
      'LLM tokens by model and direction',
      {
        expr: rateBy('cc_llm_tokens_total', inAgent, ['model', 'direction']),
        legend: legendOf(['model', 'direction']),
      },
      { unit: 'short', description: 'Tokens per second.' },
    ),
    timeseries(
      'Compute time by agent',
      { expr: rateBy('cc_compute_seconds_total', selected, ['agent']), legend: '{{agent}}' },
      { unit: 's', description: 'Seconds of agent work per second.' },
    ),

    row('Breakdown (time range)'),
    bars(
      'Cost by project',
      {
        expr: `sort_desc(${inRange('cc_cost_usd_total', selected, ['project'])})`,
        legend: '{{project}}',
      },
      { ...usd, w: 8 },
    ),
    bars(
      'Cost by workflow',
      {
        expr: `topk(10, ${inRange('cc_cost_usd_total', selected, ['workflow'])})`,
        legend: '{{workflow}}',
      },
      { ...usd, w: 8 },
    ),
    bars(
      'Cost by agent',
      {
        expr: `topk(10, ${inRange('cc_cost_usd_total', selected, ['agent'])})`,
        legend: '{{agent}}',
      },
      { ...usd, w: 8 },
    ),
    table(
      'Cost by project, workflow, agent and kind',
      {
        expr: `sort_desc(${inRange('cc_cost_usd_total', selected, ['project', 'workflow', 'agent', 'kind'])} > 0)`,
      },
      { ...usd, w: 24 },
    ),
  ],
});
