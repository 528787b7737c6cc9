import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEngine, type Harness } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';
import { TriggerFirer } from './trigger-firer.js';
import { TriggerStore } from './trigger-store.js';

const wf = (triggers: unknown[], inputs?: unknown) => ({
  name: 'triggered',
  ...(inputs ? { inputs } : {}),
  triggers,
  nodes: [{ id: 'a', agent: 'test', action: 'noop' }],
});

for (const kind of storeKinds()) {
  describe(`triggers table (${kind})`, () => {
    let h: Harness;
    let triggers: TriggerStore;
    before(async () => {
      h = await startEngine(kind);
      triggers = new TriggerStore(h.store);
    });
    after(() => h.close());

    test('follows the latest version: kept triggers keep their id, dropped ones go inactive, archive deactivates all', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf([{ cron: '*/5 * * * *' }, { webhook: 'deploy' }, { manual: {} }, { action: 'check' }]),
      );
      const v1 = await triggers.list('default', 'triggered');
      assert.deepEqual(v1.map((t) => t.key).sort(), [
        'action:check',
        'cron:{"catchUp":"run","cron":"*/5 * * * *"}',
        'webhook:deploy',
      ]);
      const hook = v1.find((t) => t.kind === 'webhook')!;
      await h.engine.applyWorkflow(
        'default',
        wf([{ webhook: 'deploy', when: '{{ event.ref = "main" }}' }, { event: 'audit.>' }]),
      );
      const v2 = await triggers.list('default', 'triggered', true);
      const active = v2
        .filter((t) => t.active)
        .map((t) => t.key)
        .sort();
      assert.deepEqual(active, ['event:{"event":"audit.>"}', 'webhook:deploy']);
      const hook2 = v2.find((t) => t.key === 'webhook:deploy')!;
      assert.equal(hook2.id, hook.id, 'same webhook, same trigger');
      assert.equal(hook2.version, 2);
      assert.equal((hook2.spec as { when?: string }).when, '{{ event.ref = "main" }}');
      assert.equal(v2.filter((t) => !t.active).length, 2);
      await h.engine.catalog.archiveWorkflow('default', 'triggered');
      assert.deepEqual(await triggers.list('default', 'triggered'), []);
      await h.engine.applyWorkflow(
        'default',
        wf([{ webhook: 'deploy', when: '{{ event.ref = "main" }}' }, { event: 'audit.>' }]),
      );
      assert.equal((await triggers.list('default', 'triggered')).length, 2, 'restored');
    });

    test('fire: once per idempotency key; paused skips; when filters; bad input is rejected; all recorded', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf([{ action: 'go' }, { event: 'x.y', when: '{{ event.ok }}' }], {
          type: 'object',
          properties: { n: { type: 'integer' } },
        }),
      );
      const firer = new TriggerFirer(h.engine, triggers);
      const [action, event] = ['action:go', 'event:{"event":"x.y","when":"{{ event.ok }}"}'].map(
        (k) => async () => (await triggers.byKey('default', k))[0]!,
      );
      const a = await action!();
      const first = await firer.fire(a, {
        idempotencyKey: 'k1',
        input: { n: 1 },
        source: { by: 'test' },
      });
      assert.equal(first.outcome, 'fired');
      const again = await firer.fire(a, { idempotencyKey: 'k1', input: { n: 1 }, source: {} });
      assert.deepEqual(again, { outcome: 'duplicate', runId: (first as { runId: string }).runId });
      const bad = await firer.fire(a, { idempotencyKey: 'k2', input: { n: 'x' }, source: {} });
      assert.equal(bad.outcome, 'rejected');
      assert.match((bad as { reason: string }).reason, /n/);
      await triggers.setPaused('default', a.id, true);
      const paused = await firer.fire(await action!(), { idempotencyKey: 'k3', source: {} });
      assert.deepEqual(paused, { outcome: 'skipped', reason: 'the trigger is paused' });
      const e = await event!();
      assert.equal(
        (await firer.fire(e, { idempotencyKey: 'e1', event: { ok: false }, source: {} })).outcome,
        'filtered',
      );
      assert.equal(
        (await firer.fire(e, { idempotencyKey: 'e2', event: { ok: true }, source: {} })).outcome,
        'fired',
      );
      const history = await triggers.history('default', a.id);
      assert.deepEqual(
        history.map((x) => x.outcome),
        ['skipped', 'rejected', 'duplicate', 'fired'],
      );
      const state = await triggers.get('default', a.id);
      assert.equal(state.lastRunId, (first as { runId: string }).runId);
      assert.match(state.lastError ?? '', /input/);
      const run = await h.engine.waitForRun((first as { runId: string }).runId);
      assert.equal(run, 'succeeded');
      // Retention: an hour-old cutoff keeps today's history; a zero age removes it.
      assert.equal(await triggers.prune(3_600_000), 0);
      assert.ok((await triggers.prune(-1)) >= 4);
      assert.deepEqual(await triggers.history('default', a.id), []);
    });
  });
}
