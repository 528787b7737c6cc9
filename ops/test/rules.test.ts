/**
 * The shipped Prometheus rules and configs, checked by Prometheus' own tools: `promtool check
 * rules` and `promtool test rules` over every file, a unit test that makes every alert fire and
 * one that keeps it quiet, a runbook section per alert, and the Prometheus and Alertmanager
 * configs accepted by `promtool check config` and `amtool check-config`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { RUNBOOK_BASE, anchorOf } from '../src/runbooks.js';
import { alertRules, opsPath, readYaml, ruleFiles, ruleTestFiles } from './support/assets.js';
import { requireTools, run } from './support/binaries.js';

const tools = requireTools('promtool', 'amtool');

/** A Prometheus duration (`1h30m`, `15m`, `0s`) in seconds. */
function seconds(d: string | undefined): number {
  if (!d) return 0;
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

interface UnitTests {
  tests: {
    name?: string;
    alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] }[];
  }[];
}

describe('alert rules, their unit tests and runbooks', () => {
  test('every alert fires in a unit test and stays quiet in another, after its `for`', () => {
    const cases = ruleTestFiles().flatMap((f) =>
      (parse(readFileSync(f, 'utf8')) as UnitTests).tests.flatMap((t) => t.alert_rule_test ?? []),
    );
    const missing: string[] = [];
    for (const rule of alertRules()) {
      const after = cases.filter(
        (c) => c.alertname === rule.alert && seconds(c.eval_time) > seconds(rule.for),
      );
      if (!after.some((c) => (c.exp_alerts ?? []).length > 0)) {
        missing.push(`${rule.alert}: no test makes it fire`);
      }
      if (!after.some((c) => (c.exp_alerts ?? []).length === 0)) {
        missing.push(`${rule.alert}: no test keeps it quiet past its for: ${rule.for ?? '0s'}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('every alert has a severity, a summary, a description and a runbook section', () => {
    const runbooks = readFileSync(opsPath('RUNBOOKS.md'), 'utf8');
    const sections = new Map<string, string>();
    for (const part of runbooks.split(/^## /m).slice(1)) {
      const heading = part.slice(0, part.indexOf('\n'));
      sections.set(anchorOf(heading), part);
    }
    const alerts = alertRules();
    assert.ok(alerts.length >= 19, `${alerts.length} alerts`);
    for (const rule of alerts) {
      const a = rule.annotations ?? {};
      assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${rule.alert} severity`);
      assert.ok(a.summary && a.description, `${rule.alert} summary and description`);
      const anchor = anchorOf(rule.alert!);
      assert.equal(a.runbook_url, `${RUNBOOK_BASE}#${anchor}`, `${rule.alert} runbook_url`);
      const section = sections.get(anchor);
      assert.ok(section, `ops/RUNBOOKS.md has no section "## ${rule.alert}"`);
      for (const part of ['What it means', 'Confirm', 'What to do']) {
        assert.ok(section.includes(part), `runbook of ${rule.alert}: no "${part}"`);
      }
    }
  });
});

describe('Prometheus rules (promtool)', { skip: tools.skip, timeout: 180_000 }, () => {
  tools.failIfRequired();
  const promtool = tools.paths.promtool!;

  test('promtool check rules accepts every rule file', async () => {
    const files = ruleFiles().map((f) => f.file);
    assert.ok(files.length >= 2, 'alerts.yml and slo.yml');
    const r = await run(promtool, ['check', 'rules', ...files]);
    assert.equal(r.code, 0, r.output);
  });

  test('promtool test rules: every unit test passes', async () => {
    const files = ruleTestFiles();
    assert.ok(files.length >= 2);
    const r = await run(promtool, ['test', 'rules', ...files], {
      cwd: opsPath('prometheus', 'tests'),
    });
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /FAILED/);
  });

  test('promtool check config accepts prometheus.yml; the scrape job is commandcenter', async () => {
    const r = await run(promtool, [
      'check',
      'config',
      '--syntax-only',
      opsPath('prometheus', 'prometheus.yml'),
    ]);
    assert.equal(r.code, 0, r.output);
    const config = readYaml<{ scrape_configs: { job_name: string; metrics_path?: string }[] }>(
      'prometheus',
      'prometheus.yml',
    );
    const job = config.scrape_configs.find((s) => s.job_name === 'commandcenter');
    assert.equal(job?.metrics_path ?? '/metrics', '/metrics');
  });

  test('amtool accepts alertmanager.yml, which sends everything to the hub with a token', async () => {
    const file = opsPath('alertmanager', 'alertmanager.yml');
    const r = await run(tools.paths.amtool!, ['check-config', file]);
    assert.equal(r.code, 0, r.output);
    const config = readYaml<{
      route: { receiver: string; routes?: { receiver: string }[] };
      receivers: { name: string; webhook_configs?: Record<string, any>[] }[];
    }>('alertmanager', 'alertmanager.yml');
    const used = new Set([
      config.route.receiver,
      ...(config.route.routes ?? []).map((x) => x.receiver),
    ]);
    for (const name of used) {
      const hooks = config.receivers.find((x) => x.name === name)?.webhook_configs ?? [];
      assert.ok(hooks.length > 0, `receiver ${name} has a webhook`);
      for (const w of hooks) {
        assert.match(w.url, /\/api\/v1\/alerts\/alertmanager\?project=[a-z0-9-]+$/);
        assert.equal(w.send_resolved, true, 'resolved notifications start runs too');
        assert.ok(w.http_config?.authorization?.credentials_file, 'token from a file');
      }
    }
  });
});
