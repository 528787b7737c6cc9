import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../engine/engine.js';
import { createExecutors } from '../executors/registry.js';
import { testAgent, testBuiltins } from '../testing/engine-harness.js';
import { openTestStore, storeKinds } from '../testing/stores.js';
import { parseExposition } from './metrics-test-support.js';
import { registerStoreGauges } from './store-gauges.js';

/**
 * The store-derived gauges against a real store whose engine runs no worker, so ready steps stay
 * in the queue: depth, oldest-ready age, active and queued runs, per project (zeros included).
 */
for (const kind of storeKinds()) {
  describe(`store gauges on ${kind}`, { timeout: 60_000 }, () => {
    test('queue depth, oldest ready age and active runs per project; one reading per TTL', async () => {
      const store = await openTestStore(kind);
      const engine = new Engine({
        store,
        executors: createExecutors({ builtins: testBuiltins() }),
        worker: false,
      });
      try {
        await engine.registerAgent('default', testAgent);
        await engine.applyWorkflow('default', {
          name: 'pair',
          nodes: [
            { id: 'a', agent: 'test', action: 'noop' },
            { id: 'b', agent: 'test', action: 'noop' },
          ],
        });
        await engine.applyWorkflow('default', {
          name: 'one-at-a-time',
          concurrency: { limit: 1 },
          nodes: [{ id: 'a', agent: 'test', action: 'noop' }],
        });
        await store.query(`INSERT INTO projects (id) VALUES ('idle')`);
        await engine.createRun('default', 'pair');
        await engine.createRun('default', 'pair');
        await engine.createRun('default', 'one-at-a-time');
        await engine.createRun('default', 'one-at-a-time'); // waits for the first one's slot

        const fresh = new Registry();
        registerStoreGauges(fresh, store, { ttlMs: 0 });
        const x = parseExposition(await fresh.metrics());
        const at = (name: string, project: string) => x.value(name, { project });
        assert.equal(at('cc_queue_depth', 'default'), 5);
        assert.equal(at('cc_runs_active', 'default'), 3);
        assert.equal(at('cc_runs_queued', 'default'), 1);
        assert.equal(at('cc_approvals_pending', 'default'), 0);
        const age = at('cc_queue_oldest_ready_age_seconds', 'default');
        assert.ok(age >= 0 && age < 600, `age ${age}`);
        for (const name of ['cc_queue_depth', 'cc_runs_active', 'cc_runs_queued']) {
          assert.equal(at(name, 'idle'), 0, `${name} of a project with nothing in flight`);
        }
        assert.equal(at('cc_queue_oldest_ready_age_seconds', 'idle'), 0);

        // A long TTL serves the first reading to later scrapes: new work is not seen yet.
        const cached = new Registry();
        registerStoreGauges(cached, store, { ttlMs: 3_600_000 });
        const first = parseExposition(await cached.metrics());
        await engine.createRun('default', 'pair');
        const second = parseExposition(await cached.metrics());
        assert.equal(first.value('cc_queue_depth', { project: 'default' }), 5);
        assert.equal(second.value('cc_queue_depth', { project: 'default' }), 5);
        const now = parseExposition(await fresh.metrics());
        assert.equal(now.value('cc_queue_depth', { project: 'default' }), 7);
      } finally {
        await engine.stop();
        await store.drop();
      }
    });
  });
}
