/**
 * The shipped Prometheus, rule and Alertmanager configs, adapted for a test on loopback: the same
 * documents with their addresses pointed at the test's hub and processes and their clocks made
 * fast (1 s scrapes and evaluations, short windows, no `for`, 1 s grouping). Everything else —
 * the rule's expression and thresholds, the route tree, the webhook and its token — is shipped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readYaml, type Rule, type RuleFile } from './assets.js';

/** One shipped alert with every range (`[10m]`) shortened to `window` and no `for`. */
export function fastAlert(name: string, window: string): Rule {
  const rule = readYaml<RuleFile>('prometheus', 'rules', 'alerts.yml')
    .groups.flatMap((g) => g.rules)
    .find((r) => r.alert === name);
  if (!rule) throw new Error(`no alert ${name} in ops/prometheus/rules/alerts.yml`);
  return { ...rule, expr: rule.expr.replace(/\[\d+[smhdwy]\]/g, `[${window}]`), for: '0s' };
}

interface PrometheusConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}

/** prometheus.yml scraping only the hub (job commandcenter) every second. */
export function writePrometheusConfig(
  dir: string,
  o: { hub: string; alertmanager: string; rules: Rule[] },
): string {
  const config = readYaml<PrometheusConfig>('prometheus', 'prometheus.yml');
  const rulesFile = join(dir, 'rules.yml');
  writeFileSync(rulesFile, stringify({ groups: [{ name: 'e2e', rules: o.rules }] }));
  config.global = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  config.rule_files = [rulesFile];
  config.alerting.alertmanagers[0]!.static_configs = [{ targets: [o.alertmanager] }];
  const job = config.scrape_configs.find((j) => j.job_name === 'commandcenter');
  if (!job) throw new Error('prometheus.yml has no commandcenter job');
  job.static_configs = [{ targets: [o.hub] }];
  config.scrape_configs = [job];
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

interface AlertmanagerConfig {
  route: Route;
  receivers: {
    webhook_configs?: {
      url: string;
      http_config: { authorization: { credentials_file: string } };
    }[];
  }[];
}

/** alertmanager.yml posting to the test's hub with `token`, grouping within a second. */
export function writeAlertmanagerConfig(dir: string, o: { hub: string; token: string }): string {
  const config = readYaml<AlertmanagerConfig>('alertmanager', 'alertmanager.yml');
  // Child routes inherit the root's timings.
  const inherit = (r: Route) => {
    delete r.group_wait;
    delete r.group_interval;
    delete r.repeat_interval;
    r.routes?.forEach(inherit);
  };
  config.route.routes?.forEach(inherit);
  Object.assign(config.route, { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' });
  const tokenFile = join(dir, 'cc-token');
  writeFileSync(tokenFile, o.token, { mode: 0o600 });
  for (const hook of config.receivers.flatMap((r) => r.webhook_configs ?? [])) {
    const shipped = new URL(hook.url);
    hook.url = `${o.hub}${shipped.pathname}${shipped.search}`;
    hook.http_config.authorization.credentials_file = tokenFile;
  }
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(config));
  return file;
}
