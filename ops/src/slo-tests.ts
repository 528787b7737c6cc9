/**
 * Builds `ops/prometheus/tests/slo.test.yml`: promtool unit tests of every SLO's burn-rate
 * alerts, over the same scenarios for each SLO. Traffic is 1,000 events a minute; the bad share
 * is given in multiples of the error budget. The expectations below are the intent of the
 * multi-window design (Google SRE workbook), written by hand — promtool checks that the real rule
 * evaluation agrees.
 */
import { sloRuleGroups, type AlertingRule } from './slo-rules.js';
import { burnAlerts, slos, type Slo } from './slo-spec.js';

const PER_MINUTE = 1000;
/** Counters start high, so that rate() never extrapolates towards zero differently per series. */
const START = 1_000_000;
const common = 'job="commandcenter", instance="hub-1:9002"';

interface Phase {
  minutes: number;
  /** Bad events as a multiple of the error budget (1 = the budget lasts exactly 30 days). */
  burn: number;
}

interface Scenario {
  name: string;
  phases: Phase[];
  fast: boolean;
  slow: boolean;
}

/** The fastest burn an SLO can show: all but 10% bad (an objective of 90% caps it at 9×). */
const fastBurn = (slo: Slo) => Math.min(20, 0.9 / (1 - slo.objective));

const scenarios = (slo: Slo): Scenario[] => [
  {
    name: 'a fast burn pages (and opens a ticket)',
    phases: [{ minutes: 70, burn: fastBurn(slo) }],
    fast: true,
    slow: true,
  },
  {
    name: 'a slow burn opens a ticket only',
    phases: [{ minutes: 120, burn: 1.5 }],
    fast: false,
    slow: true,
  },
  {
    name: 'healthy traffic stays quiet',
    phases: [{ minutes: 120, burn: 0.5 }],
    fast: false,
    slow: false,
  },
  {
    name: 'a 10-minute spike after hours of healthy traffic stays quiet',
    phases: [
      { minutes: 180, burn: 0.5 },
      { minutes: 10, burn: fastBurn(slo) },
    ],
    fast: false,
    slow: false,
  },
  {
    name: 'the page resolves 40 minutes after the burn stops (the ticket stays)',
    phases: [
      { minutes: 60, burn: fastBurn(slo) },
      { minutes: 40, burn: 0.5 },
    ],
    fast: false,
    slow: true,
  },
];

const round = (x: number) => Number(x.toFixed(6));

/** promtool's expanding notation for a counter growing by `perMinute(phase)` in each phase. */
function counter(phases: Phase[], perMinute: (p: Phase) => number): string {
  let value = START;
  const parts: string[] = [];
  phases.forEach((p, i) => {
    const step = round(perMinute(p));
    // The first segment starts at minute 0; later ones at the minute after the previous end.
    const samples = i === 0 ? p.minutes : p.minutes - 1;
    if (i > 0) value += step;
    parts.push(`${round(value)}+${step}x${samples}`);
    value += step * samples;
  });
  return parts.join(' ');
}

/** Input series of one SLO: the good and the bad events as the hub exports them. */
function seriesOf(slo: Slo, phases: Phase[]) {
  const budget = 1 - slo.objective;
  const bad = counter(phases, (p) => PER_MINUTE * budget * p.burn);
  const good = counter(phases, (p) => PER_MINUTE * (1 - budget * p.burn));
  const all = counter(phases, () => PER_MINUTE);
  const run = `${common}, project="default", workflow="deploy", trigger="manual"`;
  const step = `${common}, project="default", workflow="deploy", agent="notifier", action="send"`;
  const approval = `${common}, project="default", workflow="release"`;
  const byName: Record<string, { series: string; values: string }[]> = {
    run_success: [
      { series: `cc_runs_finished_total{${run}, status="succeeded"}`, values: good },
      { series: `cc_runs_finished_total{${run}, status="failed"}`, values: bad },
    ],
    api_availability: [
      {
        series: `cc_http_requests_total{${common}, method="POST", route="/api/v1/runs", status="201"}`,
        values: good,
      },
      {
        series: `cc_http_requests_total{${common}, method="POST", route="/api/v1/runs", status="503"}`,
        values: bad,
      },
    ],
    run_latency: [
      {
        series: `cc_run_duration_seconds_bucket{${run.replace(', trigger="manual"', '')}, status="succeeded", le="300"}`,
        values: good,
      },
      {
        series: `cc_run_duration_seconds_count{${run.replace(', trigger="manual"', '')}, status="succeeded"}`,
        values: all,
      },
    ],
    step_success: [
      { series: `cc_steps_finished_total{${step}, status="succeeded"}`, values: good },
      { series: `cc_steps_finished_total{${step}, status="failed"}`, values: bad },
    ],
    approval_latency: [
      {
        series: `cc_approval_wait_seconds_bucket{${approval}, decision="approved", le="3600"}`,
        values: good,
      },
      { series: `cc_approval_wait_seconds_count{${approval}, decision="approved"}`, values: all },
    ],
  };
  const series = byName[slo.name];
  if (!series) throw new Error(`slo-tests.ts: no test series for SLO ${slo.name}`);
  return series;
}

const alertRules = () =>
  new Map(
    sloRuleGroups()
      .flatMap((g) => g.rules)
      .filter((r): r is AlertingRule => 'alert' in r)
      .map((r) => [r.alert, r]),
  );

const render = (text: string, labels: Record<string, string>) =>
  text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? '');

export function sloTestFile() {
  const rules = alertRules();
  const tests = slos.flatMap((slo) =>
    scenarios(slo).map((s) => {
      const minutes = s.phases.reduce((n, p) => n + p.minutes, 0);
      const labels: Record<string, string> = { slo: slo.name };
      if (slo.by.includes('project')) labels.project = 'default';
      return {
        name: `${slo.name}: ${s.name}`,
        interval: '1m',
        input_series: seriesOf(slo, s.phases),
        alert_rule_test: burnAlerts.map((kind) => {
          const alert = `CCSLO${slo.alert}${kind.suffix}`;
          const rule = rules.get(alert)!;
          const fires = kind.suffix === 'BurnFast' ? s.fast : s.slow;
          return {
            eval_time: `${minutes}m`,
            alertname: alert,
            exp_alerts: fires
              ? [
                  {
                    exp_labels: { ...labels, ...rule.labels },
                    exp_annotations: Object.fromEntries(
                      Object.entries(rule.annotations ?? {}).map(([k, v]) => [
                        k,
                        render(v, labels),
                      ]),
                    ),
                  },
                ]
              : [],
          };
        }),
      };
    }),
  );
  return { rule_files: ['../rules/slo.yml'], evaluation_interval: '1m', tests };
}
