/**
 * Checks PromQL expressions against a real scrape of the hub: every metric they select exists
 * with samples, every label they match, group by or show in a legend is on that metric, and every
 * literal label value they match is one the hub exports (or one the metric catalogue documents,
 * for outcomes a test workload does not produce). Recording rules (`cc:…`) resolve to their
 * definitions; `up` and `ALERTS` are Prometheus' own series.
 */
import type { Exposition } from '../../../packages/hub/src/telemetry/metrics-test-support.js';
import type { Rule } from './assets.js';
import { legendLabels, literalValues, needsOf, type Selector } from './promql.js';

/** Label → value → seen. */
type LabelValues = Map<string, Set<string>>;

/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

/**
 * Values the metric catalogue documents that a short test workload does not necessarily produce
 * (a run timing out, an approval expiring, a cron trigger…).
 */
const CATALOGUE_VALUES: Record<string, string[]> = {
  status: ['succeeded', 'failed', 'cancelled', 'timed_out', 'skipped'],
  decision: ['approved', 'rejected', 'expired', 'cancelled'],
  kind: ['cron', 'webhook', 'event', 'alert', 'action', 'manual', 'compute', 'llm'],
  outcome: ['started', 'rejected', 'skipped', 'duplicate'],
  direction: ['in', 'out'],
  operation: ['select', 'insert', 'update', 'delete', 'other'],
  job: ['commandcenter'],
  alertstate: ['firing', 'pending'],
  // The live event stream, which rules and latency panels leave out; the workload opens no
  // stream, so the scrape need not carry this route.
  route: ['/api/v1/events'],
};

export interface Problem {
  where: string;
  problem: string;
}

export interface Item {
  where: string;
  expr: string;
  legend?: string;
}

export class ScrapeCatalog {
  private readonly metrics = new Map<string, LabelValues>();
  /** Metric families the scrape declares (`# TYPE`), with or without samples. */
  private readonly declared: Set<string>;

  constructor(scrape: Exposition, rules: Rule[]) {
    this.declared = new Set(scrape.types.keys());
    for (const s of scrape.samples) {
      const labels = this.entry(s.name);
      for (const [k, v] of Object.entries(s.labels)) {
        if (!labels.has(k)) labels.set(k, new Set());
        labels.get(k)!.add(v);
      }
    }
    this.addPrometheusSeries(rules);
    for (const r of rules) if (r.record) this.addRecordingRule(r);
  }

  private entry(name: string): LabelValues {
    let labels = this.metrics.get(name);
    if (!labels) this.metrics.set(name, (labels = new Map()));
    return labels;
  }

  /** `up` of every target; `ALERTS` with the labels of every alert rule. */
  private addPrometheusSeries(rules: Rule[]) {
    const up = this.entry('up');
    up.set('job', new Set(['commandcenter']));
    up.set('instance', new Set());
    const alerts = this.entry('ALERTS');
    alerts.set('alertname', new Set(rules.filter((r) => r.alert).map((r) => r.alert!)));
    alerts.set('alertstate', new Set(['firing', 'pending']));
    for (const r of rules.filter((x) => x.alert)) {
      for (const [k, v] of Object.entries(r.labels ?? {})) {
        if (!alerts.has(k)) alerts.set(k, new Set());
        alerts.get(k)!.add(v);
      }
      for (const l of needsOf(r.expr).groupingLabels) if (!alerts.has(l)) alerts.set(l, new Set());
    }
  }

  /**
   * A recording rule's series carry the labels it aggregates by (or, without aggregation, those
   * of what it reads), plus its static labels. Rules are read in file order, so a rule may use
   * the ones before it.
   */
  private addRecordingRule(r: Rule) {
    const needs = needsOf(r.expr);
    const labels = this.entry(r.record!);
    const keep = needs.groupingLabels.length
      ? needs.groupingLabels
      : needs.selectors.flatMap((s) => [...(this.metrics.get(s.metric)?.keys() ?? [])]);
    for (const l of keep) if (!labels.has(l)) labels.set(l, new Set());
    for (const [k, v] of Object.entries(r.labels ?? {})) {
      if (!labels.has(k)) labels.set(k, new Set());
      labels.get(k)!.add(v);
    }
  }

  has(metric: string) {
    return this.metrics.has(metric);
  }

  labelsOf(metric: string): LabelValues | undefined {
    return this.metrics.get(metric);
  }

  /** Every problem of one expression (empty: all it needs is exported). */
  check(item: Item): Problem[] {
    const problems: Problem[] = [];
    const report = (problem: string) => problems.push({ where: item.where, problem });
    let needs;
    try {
      needs = needsOf(item.expr);
    } catch (err) {
      report((err as Error).message);
      return problems;
    }
    const available = new Set(TARGET_LABELS);
    for (const s of needs.selectors) {
      const labels = this.metrics.get(s.metric);
      if (!labels) {
        const family = s.metric.replace(/_(bucket|sum|count)$/, '');
        report(
          this.declared.has(s.metric) || this.declared.has(family)
            ? `metric ${s.metric} is declared but had no series: the test workload must produce one`
            : `metric ${s.metric} is not in the hub's /metrics (nor a recording rule)`,
        );
        continue;
      }
      for (const l of labels.keys()) available.add(l);
      this.checkMatchers(s, labels, report);
    }
    for (const l of needs.groupingLabels) {
      if (!available.has(l)) report(`groups by label ${l}, which none of its metrics has`);
    }
    for (const l of legendLabels(item.legend)) {
      if (!available.has(l)) report(`legend shows label ${l}, which none of its metrics has`);
    }
    return problems;
  }

  private checkMatchers(s: Selector, labels: LabelValues, report: (p: string) => void) {
    for (const m of s.matchers) {
      if (TARGET_LABELS.includes(m.label) && m.label !== 'job') continue;
      const seen = labels.get(m.label);
      if (!seen && !TARGET_LABELS.includes(m.label)) {
        report(
          `${s.metric} has no label ${m.label} (it has: ${[...labels.keys()].join(', ') || 'none'})`,
        );
        continue;
      }
      const literals = literalValues(m);
      if (!literals) continue;
      const known = new Set([...(seen ?? []), ...(CATALOGUE_VALUES[m.label] ?? [])]);
      // Static values of recording rules and ALERTS are exact; an empty set means "any value".
      if (seen && seen.size === 0 && !CATALOGUE_VALUES[m.label]) continue;
      for (const v of literals) {
        if (!known.has(v)) {
          report(
            `${s.metric}{${m.label}${m.op}"${m.value}"}: no series has ${m.label}="${v}" (seen: ${[...(seen ?? [])].join(', ')})`,
          );
        }
      }
    }
  }
}

/** Problems of all the items, one line each. */
export function coverageProblems(catalog: ScrapeCatalog, items: Item[]): string[] {
  return items.flatMap((i) => catalog.check(i)).map((p) => `${p.where}: ${p.problem}`);
}
