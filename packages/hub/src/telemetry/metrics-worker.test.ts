import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { isCCError } from '@commandcenter/protocol';
import { loadConfig } from '../config.js';
import { startWorker } from '../server/worker.js';
import { V1, openApiHarness } from '../testing/api-harness.js';
import { testAgent, testBuiltins } from '../testing/engine-harness.js';
import { storeKinds, testDatabaseUrl } from '../testing/stores.js';
import { parseExposition } from './metrics-test-support.js';

/** Metrics configuration: a worker's own /metrics port, CC_TELEMETRY=off, invalid values. */

describe('metrics configuration', () => {
  test('invalid CC_TELEMETRY, CC_METRICS_PORT and CC_COMPUTE_COST_PER_SECOND are refused', () => {
    for (const [name, value] of [
      ['CC_TELEMETRY', 'maybe'],
      ['CC_METRICS_PORT', '70000'],
      ['CC_METRICS_PORT', 'x'],
      ['CC_COMPUTE_COST_PER_SECOND', '-1'],
      ['CC_COMPUTE_COST_PER_SECOND', 'cheap'],
      ['CC_COMPUTE_COST_PER_SECOND', '1e3'],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) =>
          isCCError(err) && err.code === 'CC_E_CONFIG_INVALID' && err.message.includes(name),
        `${name}=${value}`,
      );
    }
    const defaults = loadConfig({});
    assert.equal(defaults.telemetry, true);
    assert.equal(defaults.metricsPort, undefined);
    assert.equal(defaults.computeCostPerSecond, 0);
    const set = loadConfig({
      CC_TELEMETRY: 'off',
      CC_METRICS_PORT: '9464',
      CC_COMPUTE_COST_PER_SECOND: '0.00012',
    });
    assert.equal(set.telemetry, false);
    assert.equal(set.metricsPort, 9464);
    assert.equal(set.computeCostPerSecond, 0.00012);
  });

  test('CC_TELEMETRY=off: no /metrics, no metrics object; the API still reports cost', async () => {
    const h = await openApiHarness('pglite', { env: { CC_TELEMETRY: 'off' } });
    try {
      assert.equal(h.services.metrics, undefined);
      assert.equal((await h.call('GET', '/metrics', { token: null })).status, 404);
      const wf = { name: 'quiet', nodes: [{ id: 'a', agent: 'test', action: 'noop' }] };
      assert.equal((await h.call('POST', `${V1}/workflows`, { body: wf })).status, 201);
      const run = await h.call('POST', `${V1}/runs`, { body: { workflow: 'quiet' } });
      assert.equal(await h.waitForRun(run.json.id), 'succeeded');
      const shown = await h.call('GET', `${V1}/runs/${run.json.id}`);
      assert.equal(shown.json.cost.computeUsd, 0);
      assert.equal(shown.json.cost.llmUsd, 0);
    } finally {
      await h.close();
    }
  });
});

// A worker needs PostgreSQL (the embedded store serves one process).
for (const kind of storeKinds().filter((k) => k === 'postgres')) {
  describe(`a worker on ${kind} with CC_METRICS_PORT`, { timeout: 60_000 }, () => {
    test('serves /metrics on its own port: its runs, slots and the store gauges', async () => {
      const url = testDatabaseUrl()!;
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const dataDir = mkdtempSync(join(tmpdir(), 'cc-metrics-worker-'));
      const worker = await startWorker(
        loadConfig({
          DATABASE_URL: url,
          CC_DB_SCHEMA: schema,
          CC_DATA_DIR: dataDir,
          CC_METRICS_PORT: '0',
          CC_CONCURRENCY: '3',
          CC_SECRET_KEY: randomBytes(32).toString('hex'),
        }),
        { builtins: testBuiltins() },
      );
      try {
        assert.match(worker.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        const { engine } = worker.services;
        await engine.registerAgent('default', testAgent);
        await engine.applyWorkflow('default', {
          name: 'on-worker',
          nodes: [{ id: 'a', agent: 'test', action: 'noop' }],
        });
        const run = await engine.createRun('default', 'on-worker');
        assert.equal(await engine.waitForRun(run.id), 'succeeded');

        const res = await fetch(worker.metricsUrl!);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        const x = parseExposition(await res.text());
        assert.equal(x.value('cc_build_info', { store: 'postgres', bus: 'local' }), 1);
        assert.equal(x.value('cc_worker_slots'), 3);
        assert.equal(
          x.value('cc_runs_finished_total', {
            project: 'default',
            workflow: 'on-worker',
            status: 'succeeded',
          }),
          1,
        );
        assert.equal(x.value('cc_queue_depth', { project: 'default' }), 0);
        assert.ok(x.find('cc_nodejs_eventloop_lag_p99_seconds').length === 1);
        const other = await fetch(worker.metricsUrl!.replace(/\/metrics$/, '/api/v1/runs'));
        assert.equal(other.status, 404);
        await other.arrayBuffer();
      } finally {
        await worker.stop();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
