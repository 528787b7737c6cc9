/**
 * SPEC §9: "every query in them names a metric the hub really exports". A real hub runs workflows
 * that succeed, fail, retry, wait for approvals and call an LLM; its `/metrics` is scraped; then
 * every metric, label matcher, grouping label and legend label of every rule (alerts, SLO
 * recording rules) and every dashboard panel and variable must exist in that scrape — and every
 * dashboard expression must parse (promtool).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatServer } from '../../packages/hub/src/executors/llm-test-server.js';
import {
  parseExposition,
  type Exposition,
} from '../../packages/hub/src/telemetry/metrics-test-support.js';
import { openApiHarness, type ApiHarness } from '../../packages/hub/src/testing/api-harness.js';
import { allRules, dashboardQueries, variableQueries } from './support/assets.js';
import { requireTools } from './support/binaries.js';
import { ScrapeCatalog, coverageProblems, type Item } from './support/coverage.js';
import { labelValuesQuery } from './support/promql.js';
import { unparsable } from './support/promtool.js';
import { WORKLOAD_ENV, runWorkload, startLlm } from './support/workload.js';

const tools = requireTools('promtool');

const ruleItems = (): Item[] =>
  allRules().map((r) => ({ where: `rule ${r.record ?? r.alert}`, expr: r.expr }));

/** `label_values(selector, label)`: the selector, and the label as a legend would show it. */
const variableItems = (): Item[] =>
  variableQueries().map((v) => {
    const q = labelValuesQuery(v.expr);
    return { where: v.where, expr: q.expr, legend: `{{${q.label}}}` };
  });

// The names are the same on both stores (metrics.test.ts covers PostgreSQL): PGlite keeps it lean.
describe(
  'every metric the shipped assets use is exported by a real hub',
  { timeout: 180_000 },
  () => {
    let h: ApiHarness;
    let llm: ChatServer;
    let scrape: Exposition;
    let catalog: ScrapeCatalog;
    tools.failIfRequired();

    before(async () => {
      llm = await startLlm();
      h = await openApiHarness('pglite', { env: WORKLOAD_ENV });
      await runWorkload(h, llm);
      const r = await h.call('GET', '/metrics', { token: null });
      assert.equal(r.status, 200, r.text);
      scrape = parseExposition(r.text);
      catalog = new ScrapeCatalog(scrape, allRules());
    });
    after(async () => {
      await h?.close();
      await llm?.close();
    });

    test('the checker finds a wrong metric, label, value and legend (it can fail)', () => {
      const problems = coverageProblems(catalog, [
        { where: 'typo', expr: 'sum(rate(cc_runs_finishd_total[5m]))' },
        { where: 'label', expr: 'sum by (workflw) (cc_runs_finished_total{statuz="failed"})' },
        { where: 'value', expr: 'cc_runs_finished_total{status="failure"}' },
        { where: 'legend', expr: 'sum by (project) (cc_runs_active)', legend: '{{workflow}}' },
        { where: 'bucket', expr: 'cc_run_duration_seconds_bucket{le="301"}' },
      ]);
      assert.equal(problems.length, 6, problems.join('\n'));
      for (const where of ['typo', 'label', 'value', 'legend', 'bucket']) {
        assert.ok(
          problems.some((p) => p.startsWith(`${where}:`)),
          where,
        );
      }
    });

    test('every metric and label of every rule is in the scrape', () => {
      assert.deepEqual(coverageProblems(catalog, ruleItems()), []);
    });

    test('every metric and label of every dashboard panel and variable is in the scrape', () => {
      const items = [...dashboardQueries(), ...variableItems()];
      assert.ok(items.length > 80, `${items.length} queries`);
      assert.deepEqual(coverageProblems(catalog, items), []);
    });

    test('the scrape has every metric family of the catalogue, with samples', () => {
      const families = [
        'cc_build_info',
        'cc_runs_started_total',
        'cc_runs_finished_total',
        'cc_run_duration_seconds_bucket',
        'cc_runs_active',
        'cc_steps_finished_total',
        'cc_step_duration_seconds_bucket',
        'cc_step_retries_total',
        'cc_agent_errors_total',
        'cc_queue_depth',
        'cc_queue_oldest_ready_age_seconds',
        'cc_worker_slots',
        'cc_worker_slots_busy',
        'cc_approvals_requested_total',
        'cc_approvals_decided_total',
        'cc_approval_wait_seconds_bucket',
        'cc_approvals_pending',
        'cc_llm_tokens_total',
        'cc_llm_cost_usd_total',
        'cc_compute_seconds_total',
        'cc_cost_usd_total',
        'cc_http_requests_total',
        'cc_http_request_duration_seconds_bucket',
        'cc_store_query_duration_seconds_bucket',
        'cc_store_errors_total',
        'cc_events_published_total',
        'cc_triggers_fired_total',
        'cc_process_cpu_seconds_total',
        'cc_process_resident_memory_bytes',
        'cc_nodejs_eventloop_lag_p99_seconds',
        'cc_nodejs_heap_size_used_bytes',
        'cc_nodejs_heap_size_total_bytes',
      ];
      const missing = families.filter((f) => !catalog.has(f));
      assert.deepEqual(missing, [], 'the workload must make the hub export each of them');
    });

    test(
      'every dashboard expression parses (promtool check rules)',
      { skip: tools.skip },
      async () => {
        const items = [...dashboardQueries(), ...variableItems()];
        assert.deepEqual(await unparsable(tools.paths.promtool!, items), []);
        const broken = { where: 'broken', expr: 'sum(rate(cc_runs_started_total[5m])' };
        const found = await unparsable(tools.paths.promtool!, [...items.slice(0, 3), broken]);
        assert.equal(found.length, 1, 'promtool finds the broken expression');
        assert.match(found[0]!, /^broken: /);
      },
    );
  },
);
