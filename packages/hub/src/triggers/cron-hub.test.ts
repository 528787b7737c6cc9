/**
 * The cron scheduler on one hub, with the real clock: a workflow applied through the API with a
 * `*\/1 * * * * *` trigger runs once a second; the runs, the trigger's history and its state (as
 * the API shows it) agree tick by tick.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { node, openApiHarness, V1, type ApiHarness } from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';
import { CronScheduler } from './cron-scheduler.js';

/** Runs to wait for: enough to see consecutive ticks, few enough to stay quick. */
const RUNS = 3;

for (const kind of storeKinds()) {
  describe(`cron on one hub (${kind})`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind);
      await h.services.leader.start();
    });
    after(() => h.close());

    test(`a one-second schedule creates one run per tick (${RUNS} ticks)`, async () => {
      const created = await h.call('POST', `${V1}/workflows`, {
        body: {
          name: 'every-second',
          triggers: [{ cron: '*/1 * * * * *' }],
          nodes: [node('a', 'noop')],
        },
      });
      assert.equal(created.status, 201, created.text);
      const logs: string[] = [];
      const { store, triggers, firer, leader } = h.services;
      const cron = new CronScheduler({ store, triggers, firer, leader, log: (l) => logs.push(l) });
      const succeeded = () =>
        h.events.filter(
          (e) => e.type === 'workflow.run.succeeded' && e.data.workflow === 'every-second',
        ).length;
      try {
        await cron.start();
        await h.waitForEvent(() => succeeded() >= RUNS, 20_000);
      } finally {
        await cron.stop();
      }

      const runs = (
        await h.store.query<{ id: string; tick: string; trigger: Record<string, unknown> }>(
          `SELECT id, trigger->>'tick' AS tick, trigger FROM runs WHERE workflow = 'every-second'
            ORDER BY trigger->>'tick'`,
        )
      ).rows;
      assert.ok(runs.length >= RUNS, `${runs.length} runs`);
      const ticks = runs.map((r) => Date.parse(r.tick));
      ticks.forEach((t, i) => {
        assert.equal(t % 1000, 0, 'ticks are whole seconds');
        if (i > 0)
          assert.equal(t - ticks[i - 1]!, 1000, `one run per second: ${runs.map((r) => r.tick)}`);
      });
      const list = await h.call('GET', `${V1}/triggers?workflow=every-second`);
      assert.equal(list.status, 200, list.text);
      const [view] = list.json.items as Record<string, unknown>[];
      assert.equal(view!.kind, 'cron');
      assert.deepEqual(
        runs.map((r) => r.trigger),
        runs.map((r) => ({ type: 'cron', triggerId: view!.id, tick: r.tick })),
      );
      // After the last pass: the last tick handled, and the one after it.
      const last = ticks.at(-1)!;
      assert.equal(view!.lastFireAt, new Date(last).toISOString());
      assert.equal(view!.nextFireAt, new Date(last + 1000).toISOString());
      assert.equal(view!.lastRunId, runs.at(-1)!.id);

      const history = await h.call('GET', `${V1}/triggers/${view!.id as string}/history`);
      assert.equal(history.status, 200, history.text);
      const entries = (history.json.items as { outcome: string; runId: string }[]).reverse();
      assert.deepEqual(
        entries.map((e) => [e.outcome, e.runId]),
        runs.map((r) => ['fired', r.id]),
      );
      assert.deepEqual(logs, [], 'nothing to report');
    });
  });
}
