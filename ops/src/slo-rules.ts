/**
 * Builds `ops/prometheus/rules/slo.yml` from `slo-spec.ts`: the objectives, one error-ratio
 * recording rule per SLO and window, and a page and a ticket burn-rate alert per SLO.
 */
import { runbookUrl } from './runbooks.js';
import {
  OBJECTIVE,
  burnAlerts,
  errorRatio,
  slos,
  windows,
  type BurnWindow,
  type Slo,
} from './slo-spec.js';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

/** `ratio over window > factor × (1 − objective)`, matched to the SLO's objective series. */
const burning = (slo: Slo, window: string, factor: number) =>
  `${errorRatio(window)}{slo="${slo.name}"} > on (slo) group_left () (${factor} * (1 - ${OBJECTIVE}))`;

const burnExpr = (slo: Slo, pairs: readonly BurnWindow[]) =>
  pairs
    .map(
      (p) => `(\n  ${burning(slo, p.long, p.factor)}\nand\n  ${burning(slo, p.short, p.factor)}\n)`,
    )
    .join('\nor\n');

const percent = (x: number) => `${Number((x * 100).toFixed(3))}%`;

function burnAlert(slo: Slo, kind: (typeof burnAlerts)[number]): AlertingRule {
  const alert = `CCSLO${slo.alert}${kind.suffix}`;
  const where = slo.by.includes('project') ? ' in project {{ $labels.project }}' : '';
  const pairs = kind.windows.map((w) => `${w.factor}× over ${w.long} and ${w.short}`).join(', or ');
  return {
    alert,
    expr: burnExpr(slo, kind.windows),
    for: kind.for,
    labels: { severity: kind.severity },
    annotations: {
      summary: `${slo.title} SLO${where}: the error budget burns ${kind.pace}`,
      description:
        `Objective: ${slo.description}. At this rate the 30-day error budget ` +
        `(${percent(1 - slo.objective)} of events) is exhausted ${kind.exhaustion} ` +
        `(burn rate above ${pairs}).`,
      runbook_url: runbookUrl(alert),
    },
  };
}

export function sloRuleGroups(): RuleGroup[] {
  return [
    {
      name: 'commandcenter-slo-objectives',
      rules: slos.map((s) => ({
        record: OBJECTIVE,
        expr: `vector(${s.objective})`,
        labels: { slo: s.name },
      })),
    },
    ...slos.map((s) => ({
      name: `commandcenter-slo-${s.name.replace(/_/g, '-')}`,
      rules: windows.map((w) => ({
        record: errorRatio(w),
        expr: `(${s.errors(w)})\n/\n(${s.total(w)})`,
        labels: { slo: s.name },
      })),
    })),
    {
      name: 'commandcenter-slo-alerts',
      rules: slos.flatMap((s) => burnAlerts.map((k) => burnAlert(s, k))),
    },
  ];
}
