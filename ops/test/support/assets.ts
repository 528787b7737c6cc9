/**
 * Loads the shipped assets the tests check: rule files, promtool test files and the queries of
 * every dashboard (with Grafana's template variables replaced, the way Grafana would send them).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { opsDir } from '../../src/generate.js';

export { opsDir };

export const opsPath = (...parts: string[]) => join(opsDir, ...parts);

export const readYaml = <T = unknown>(...parts: string[]): T =>
  parse(readFileSync(opsPath(...parts), 'utf8')) as T;

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleFile {
  file: string;
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

/** `ops/prometheus/rules/*.yml`. */
export function ruleFiles(): RuleFile[] {
  const dir = opsPath('prometheus', 'rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => ({
      file: join(dir, f),
      groups: readYaml<RuleFile>('prometheus', 'rules', f).groups,
    }));
}

export const allRules = () => ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules));
export const alertRules = () => allRules().filter((r) => r.alert);

/** `ops/prometheus/tests/*.yml`. */
export const ruleTestFiles = () =>
  readdirSync(opsPath('prometheus', 'tests'))
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => opsPath('prometheus', 'tests', f));

export interface Dashboard {
  file: string;
  json: {
    uid: string;
    title: string;
    templating: { list: { name: string; type: string; query?: unknown; definition?: string }[] };
    panels: Panel[];
  };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: {
    refId: string;
    expr?: string;
    legendFormat?: string;
    datasource?: { type?: string; uid?: string };
  }[];
  panels?: Panel[];
}

export function dashboards(): Dashboard[] {
  const dir = opsPath('grafana', 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
}

/**
 * Grafana's built-in intervals and the "All" value of the multi-value variables, as Grafana
 * substitutes them; an unknown `$variable` is an error (a typo in a panel).
 */
const VALUES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1h',
  project: '.*',
  workflow: '.*',
  agent: '.*',
  instance: '.*',
};

export function substituteVariables(expr: string, where: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_, braced?: string, plain?: string) => {
    const name = (braced ?? plain)!;
    const value = VALUES[name];
    if (value === undefined) throw new Error(`${where}: unknown template variable $${name}`);
    return value;
  });
}

export interface DashboardQuery {
  /** "<dashboard file> › <panel title> › <refId>" for messages. */
  where: string;
  expr: string;
  legend?: string;
}

/** Every Prometheus query of every panel (rows' nested panels included), variables replaced. */
export function dashboardQueries(): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const visit = (file: string, panels: Panel[]) => {
    for (const p of panels) {
      if (p.panels) visit(file, p.panels);
      for (const t of p.targets ?? []) {
        const type = t.datasource?.type ?? p.datasource?.type;
        if (type !== 'prometheus' || t.expr === undefined) continue;
        const where = `${file} › ${p.title} › ${t.refId}`;
        out.push({ where, expr: substituteVariables(t.expr, where), legend: t.legendFormat });
      }
    }
  };
  for (const d of dashboards()) visit(d.file, d.json.panels);
  return out;
}

/** The `label_values(...)` queries of every dashboard's query variables. */
export function variableQueries(): DashboardQuery[] {
  return dashboards().flatMap((d) =>
    d.json.templating.list
      .filter((v) => v.type === 'query')
      .map((v) => {
        const where = `${d.file} › variable ${v.name}`;
        const q = typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
        return { where, expr: substituteVariables(q, where) };
      }),
  );
}
