import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { V1, node, openApiHarness, type ApiHarness } from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';
import { DURATION_BUCKETS, HTTP_BUCKETS, QUERY_BUCKETS } from './metrics.js';
import { parseExposition, type Exposition } from './metrics-test-support.js';

/**
 * `/metrics` of a real hub after runs that succeed, fail, retry, wait for approvals and get
 * cancelled: counters, histogram buckets, labels (names and route patterns, never ids), store
 * gauges, HTTP and store metrics, process metrics.
 */

const UUID_LIKE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const RATE = 0.25;

const workflows = [
  { name: 'm-ok', nodes: [node('a', 'echo', { inputs: { n: 1 } })] },
  { name: 'm-fail', nodes: [node('a', 'fail', { inputs: { message: 'boom' } })] },
  {
    name: 'm-retry',
    nodes: [
      node('a', 'flaky', {
        inputs: { succeedOn: 2 },
        retry: { attempts: 3, backoff: 'fixed', delay: '10ms' },
      }),
    ],
  },
  {
    name: 'm-each',
    nodes: [node('each', 'echo', { forEach: '{{ [1, 2, 3] }}', inputs: { i: '{{ item }}' } })],
  },
  { name: 'm-gate', nodes: [node('ship', 'deploy', { inputs: { where: 'prod' } })] },
];

/** Bucket bounds (`le`) of one histogram series, +Inf last. */
function bounds(x: Exposition, name: string, labels: Record<string, string>): string[] {
  return x.find(`${name}_bucket`, labels).map((s) => s.labels.le!);
}
const expected = (b: number[]) => [...b.map(String), '+Inf'];

for (const kind of storeKinds()) {
  describe(`metrics of a hub on ${kind}`, { timeout: 120_000 }, () => {
    let h: ApiHarness;
    const runs: Record<string, string> = {};
    let pendingScrape: Exposition;
    let x: Exposition;
    let raw: { status: number; contentType: string; text: string };

    const start = async (workflow: string) => {
      const r = await h.call('POST', `${V1}/runs`, { body: { workflow } });
      assert.equal(r.status, 202, r.text);
      return r.json.id as string;
    };
    const approvalOf = async (runId: string) => {
      const e = await h.waitForEvent(
        (ev) => ev.type === 'approval.requested' && ev.runId === runId,
      );
      return (e.data as { approvalId: string }).approvalId;
    };
    const scrape = async () => {
      const r = await h.call('GET', '/metrics', { token: null });
      assert.equal(r.status, 200, r.text);
      return parseExposition(r.text);
    };

    before(async () => {
      h = await openApiHarness(kind, { env: { CC_COMPUTE_COST_PER_SECOND: String(RATE) } });
      for (const wf of workflows) {
        const r = await h.call('POST', `${V1}/workflows`, { body: wf });
        assert.equal(r.status, 201, r.text);
      }
      for (const wf of ['m-ok', 'm-fail', 'm-retry', 'm-each']) {
        runs[wf] = await start(wf);
        await h.waitForRun(runs[wf]!);
      }
      // Two gated runs: one approved, one cancelled while it waits.
      runs.approved = await start('m-gate');
      runs.cancelled = await start('m-gate');
      const approve = await approvalOf(runs.approved);
      await approvalOf(runs.cancelled);
      pendingScrape = await scrape();
      const yes = await h.call('POST', `${V1}/approvals/${approve}/approve`, { body: {} });
      assert.equal(yes.status, 200, yes.text);
      assert.equal(await h.waitForRun(runs.approved), 'succeeded');
      const cancel = await h.call('POST', `${V1}/runs/${runs.cancelled}/cancel`, { body: {} });
      assert.equal(cancel.status, 200, cancel.text);
      assert.equal(await h.waitForRun(runs.cancelled), 'cancelled');
      // A route with a parameter, and a URL no route matches.
      assert.equal((await h.call('GET', `${V1}/runs/${runs['m-ok']}`)).status, 200);
      assert.equal((await h.call('GET', `/no/such/${runs['m-ok']}`)).status, 404);
      const r = await h.call('GET', '/metrics', { token: null });
      raw = { status: r.status, contentType: String(r.headers['content-type']), text: r.text };
      x = parseExposition(r.text);
    });
    after(() => h?.close());

    test('GET /metrics is public Prometheus text, hidden from the OpenAPI document', async () => {
      assert.equal(raw.status, 200);
      assert.match(raw.contentType, /^text\/plain; version=0\.0\.4/);
      const doc = await h.call('GET', `${V1}/openapi.json`);
      assert.equal(doc.status, 200);
      assert.equal(doc.json.paths['/metrics'], undefined);
      assert.equal(x.value('cc_build_info', { store: kind, bus: 'local' }), 1);
      assert.match(x.find('cc_build_info')[0]!.labels.version!, /^\d+\.\d+\.\d+/);
      for (const name of [
        'cc_process_cpu_seconds_total',
        'cc_process_resident_memory_bytes',
        'cc_nodejs_eventloop_lag_p99_seconds',
        'cc_nodejs_heap_size_used_bytes',
        'cc_nodejs_heap_size_total_bytes',
      ]) {
        assert.ok(x.find(name).length > 0, `${name} is exported`);
      }
      assert.equal(x.value('cc_worker_slots'), 8);
      assert.ok(x.value('cc_worker_slots_busy') >= 0);
    });

    test('runs started and finished by workflow, trigger and status, with their durations', () => {
      const base = { project: 'default', trigger: 'manual' };
      for (const wf of ['m-ok', 'm-fail', 'm-retry', 'm-each']) {
        assert.equal(x.value('cc_runs_started_total', { ...base, workflow: wf }), 1, wf);
      }
      assert.equal(x.value('cc_runs_started_total', { ...base, workflow: 'm-gate' }), 2);
      const finished = (workflow: string, status: string) =>
        x.sum('cc_runs_finished_total', { ...base, workflow, status });
      assert.equal(finished('m-ok', 'succeeded'), 1);
      assert.equal(finished('m-fail', 'failed'), 1);
      assert.equal(finished('m-retry', 'succeeded'), 1);
      assert.equal(finished('m-each', 'succeeded'), 1);
      assert.equal(finished('m-gate', 'succeeded'), 1);
      assert.equal(finished('m-gate', 'cancelled'), 1);
      const ok = { project: 'default', workflow: 'm-ok', status: 'succeeded' };
      assert.deepEqual(bounds(x, 'cc_run_duration_seconds', ok), expected(DURATION_BUCKETS));
      assert.equal(x.value('cc_run_duration_seconds_count', ok), 1);
      assert.ok(x.value('cc_run_duration_seconds_sum', ok) > 0);
      assert.equal(x.value('cc_run_duration_seconds_bucket', { ...ok, le: '+Inf' }), 1);
      assert.equal(x.types.get('cc_run_duration_seconds'), 'histogram');
      assert.equal(x.types.get('cc_runs_finished_total'), 'counter');
      assert.equal(
        x.sum('cc_triggers_fired_total', { kind: 'manual', outcome: 'started' }),
        6,
        'every run started through the API',
      );
    });

    test('steps, retries and agent errors by agent and action; forEach items count, not their node', () => {
      const step = (action: string, status: string) =>
        x.sum('cc_steps_finished_total', { project: 'default', agent: 'test', action, status });
      assert.equal(step('echo', 'succeeded'), 4, 'm-ok and 3 items of m-each');
      assert.equal(step('fail', 'failed'), 1);
      assert.equal(step('flaky', 'succeeded'), 1);
      assert.equal(step('deploy', 'succeeded'), 1);
      assert.equal(
        x.value('cc_step_retries_total', { project: 'default', agent: 'test', action: 'flaky' }),
        1,
      );
      assert.equal(x.find('cc_step_retries_total', { action: 'fail' }).length, 0);
      const errors = (action: string) =>
        x.value('cc_agent_errors_total', {
          project: 'default',
          agent: 'test',
          action,
          error_type: 'CC_E_AGENT_ERROR',
        });
      assert.equal(errors('flaky'), 1, 'the failed first attempt');
      assert.equal(errors('fail'), 1);
      const echo = { project: 'default', agent: 'test', action: 'echo', status: 'succeeded' };
      assert.deepEqual(bounds(x, 'cc_step_duration_seconds', echo), expected(DURATION_BUCKETS));
      assert.equal(x.value('cc_step_duration_seconds_count', echo), 4);
      const failed = { project: 'default', agent: 'test', action: 'fail', status: 'failed' };
      assert.equal(x.value('cc_step_duration_seconds_count', failed), 1);
    });

    test('approvals requested, decided (approved, cancelled with the run) and their wait', () => {
      const gate = { project: 'default', workflow: 'm-gate' };
      assert.equal(x.value('cc_approvals_requested_total', gate), 2);
      for (const decision of ['approved', 'cancelled']) {
        const l = { ...gate, decision };
        assert.equal(x.value('cc_approvals_decided_total', l), 1, decision);
        assert.equal(x.value('cc_approval_wait_seconds_count', l), 1, decision);
        assert.deepEqual(bounds(x, 'cc_approval_wait_seconds', l), expected(DURATION_BUCKETS));
      }
    });

    test('store gauges read the database: active runs and pending approvals while two wait', () => {
      assert.equal(pendingScrape.value('cc_runs_active', { project: 'default' }), 2);
      assert.equal(pendingScrape.value('cc_approvals_pending', { project: 'default' }), 2);
      assert.equal(pendingScrape.value('cc_queue_depth', { project: 'default' }), 0);
      assert.equal(
        pendingScrape.value('cc_queue_oldest_ready_age_seconds', { project: 'default' }),
        0,
      );
      assert.equal(pendingScrape.value('cc_runs_queued', { project: 'default' }), 0);
      for (const g of ['cc_runs_active', 'cc_queue_depth', 'cc_approvals_pending']) {
        assert.equal(pendingScrape.types.get(g), 'gauge');
      }
    });

    test('compute seconds and cost from attempt wall time at the configured rate', () => {
      const l = { project: 'default', workflow: 'm-retry', agent: 'test' };
      const seconds = x.value('cc_compute_seconds_total', l);
      assert.ok(seconds > 0, 'two attempts ran');
      const usd = x.value('cc_cost_usd_total', { ...l, kind: 'compute' });
      assert.ok(Math.abs(usd - seconds * RATE) < 1e-9, `${usd} = ${seconds} × ${RATE}`);
      assert.equal(x.find('cc_cost_usd_total', { kind: 'llm' }).length, 0, 'no LLM step ran');
    });

    test('HTTP requests by route pattern (never the concrete id), unmatched ones as `unmatched`', () => {
      assert.equal(
        x.value('cc_http_requests_total', {
          method: 'GET',
          route: '/api/v1/runs/:id',
          status: '200',
        }),
        1,
      );
      assert.equal(
        x.value('cc_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
        1,
      );
      assert.equal(
        x.sum('cc_http_requests_total', { method: 'POST', route: '/api/v1/runs', status: '202' }),
        6,
      );
      const l = { method: 'POST', route: '/api/v1/runs' };
      assert.deepEqual(bounds(x, 'cc_http_request_duration_seconds', l), expected(HTTP_BUCKETS));
    });

    test('store query durations by statement kind', () => {
      const select = { operation: 'select' };
      assert.ok(x.value('cc_store_query_duration_seconds_count', select) > 0);
      assert.ok(x.value('cc_store_query_duration_seconds_count', { operation: 'other' }) > 0);
      assert.deepEqual(
        bounds(x, 'cc_store_query_duration_seconds', select),
        expected(QUERY_BUCKETS),
      );
      const ops = new Set(
        x.find('cc_store_query_duration_seconds_count').map((s) => s.labels.operation),
      );
      for (const op of ops) assert.match(op!, /^(select|insert|update|delete|other)$/);
      assert.ok(
        x.sum('cc_events_published_total', { project: 'default', type: 'workflow.run.started' }) >=
          6,
      );
    });

    test('no label value anywhere is a run id (or any id)', () => {
      const ids = new Set(Object.values(runs));
      for (const scrape of [pendingScrape, x]) {
        for (const s of scrape.samples) {
          for (const [k, v] of Object.entries(s.labels)) {
            assert.ok(!ids.has(v), `${s.name}{${k}="${v}"} is a run id`);
            assert.doesNotMatch(v, UUID_LIKE, `${s.name}{${k}="${v}"}`);
          }
        }
      }
    });
  });
}
