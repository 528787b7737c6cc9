/**
 * SLOs: per objective, the SLI and the error budget left over the time range (computed with the
 * same SLI definitions as the recording rules, slo-spec.ts) and the burn rates the alerts watch.
 */
import { OBJECTIVE, burnAlerts, errorRatio, slos, type Slo } from '../slo-spec.js';
import { projectVariable } from './common.js';
import {
  dashboard,
  datasourceVariable,
  row,
  stat,
  table,
  timeseries,
  type PanelSpec,
} from './panels.js';

const filterOf = (slo: Slo) => (slo.by.includes('project') ? 'project=~"$project"' : undefined);

/** Bad events over good and bad, over the dashboard's time range. */
const rangeRatio = (slo: Slo) =>
  `(${slo.errors('$__range', filterOf(slo))}) / (${slo.total('$__range', filterOf(slo))})`;

const burnWindows = ['5m', '1h', '6h', '1d', '3d'];
const factors = [...new Set(burnAlerts.flatMap((a) => a.windows.map((w) => w.factor)))];

function sloPanels(slo: Slo): PanelSpec[] {
  const budget = 1 - slo.objective;
  const selector = `{slo="${slo.name}"${slo.by.includes('project') ? ', project=~"$project"' : ''}}`;
  const by = slo.by.length ? `{{${slo.by.join('}} {{')}}} ` : '';
  return [
    row(`${slo.title}: ${slo.description}`),
    stat('Objective', `${OBJECTIVE}{slo="${slo.name}"}`, { unit: 'percentunit', w: 4 }),
    stat('SLI (time range)', `1 - ${rangeRatio(slo)}`, {
      unit: 'percentunit',
      w: 4,
      thresholds: [
        [null, 'red'],
        [slo.objective, 'green'],
      ],
    }),
    stat('Error budget left (time range)', `1 - (${rangeRatio(slo)}) / ${budget}`, {
      unit: 'percentunit',
      w: 4,
      description:
        'Of the budget the objective allows over the selected range (set 30 days to read the monthly budget).',
      thresholds: [
        [null, 'red'],
        [0, 'orange'],
        [0.25, 'green'],
      ],
    }),
    timeseries(
      'Burn rate',
      burnWindows.map((w) => ({
        expr: `${errorRatio(w)}${selector} / ${budget}`,
        legend: `${by}${w}`,
      })),
      {
        w: 12,
        unit: 'suffix:×',
        lines: factors,
        description: `1 = the budget lasts exactly 30 days. Alerts: ${burnAlerts
          .map(
            (a) =>
              `${a.suffix} at ${a.windows.map((w) => `${w.factor}× (${w.long}/${w.short})`).join(', ')}`,
          )
          .join('; ')}.`,
      },
    ),
  ];
}

export const sloDashboard = dashboard({
  uid: 'cc-slos',
  title: 'CommandCenter / SLOs',
  description:
    'Service-level objectives: run success, API availability, run latency, step success and approval latency, with multi-window burn rates.',
  variables: [datasourceVariable, projectVariable],
  from: 'now-7d',
  refresh: '1m',
  panels: [
    table('Burn-rate alerts firing', `ALERTS{alertstate="firing", alertname=~"CCSLO.*"}`, {
      w: 24,
      h: 5,
    }),
    ...slos.flatMap(sloPanels),
  ],
});
