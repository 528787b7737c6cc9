/**
 * UI actions through the API: `GET /api/v1/actions` lists the buttons, `POST
 * /api/v1/actions/{name}` runs every bound workflow once per idempotency key, all or nothing
 * for bad input, honouring paused triggers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  V1,
  assertProblem,
  node,
  openApiHarness,
  type ApiHarness,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

const wf = (name: string, action: string, inputs?: unknown) => ({
  name,
  ...(inputs ? { inputs } : {}),
  triggers: [{ action }, { manual: {} }],
  nodes: [node('a', 'echo', { inputs: { from: name } })],
});

interface Outcome {
  workflow: string;
  outcome: string;
  runId: string | null;
  reason: string | null;
}

for (const kind of storeKinds()) {
  describe(`UI actions on ${kind}`, () => {
    let h: ApiHarness;
    const runCount = async () =>
      Number(
        (await h.store.query<{ n: string }>('SELECT count(*)::text AS n FROM runs')).rows[0]!.n,
      );
    const runAction = (name: string, body: unknown, headers: Record<string, string> = {}) =>
      h.call('POST', `${V1}/actions/${name}`, { body, headers });
    const outcomes = (r: { json: { runs: Outcome[] } }) =>
      r.json.runs.map((o) => [o.workflow, o.outcome]);

    before(async () => {
      h = await openApiHarness(kind);
      const repo = { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] };
      for (const doc of [
        wf('scan-repo', 'security-check', repo),
        wf('audit-deps', 'security-check'),
        wf('ship', 'deploy-now'),
      ]) {
        const r = await h.call('POST', `${V1}/workflows`, { body: doc });
        assert.equal(r.status, 201, r.text);
      }
    });
    after(() => h?.close());

    test('GET /actions lists each action with its workflows', async () => {
      const r = await h.call('GET', `${V1}/actions`, { token: await h.token('viewer') });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(
        r.json.items.map((a: { name: string; workflows: { workflow: string }[] }) => [
          a.name,
          a.workflows.map((w) => w.workflow),
        ]),
        [
          ['deploy-now', ['ship']],
          ['security-check', ['audit-deps', 'scan-repo']],
        ],
      );
    });

    test('runs every bound workflow; the same Idempotency-Key answers the same runs', async () => {
      const before = await runCount();
      const key = { 'idempotency-key': 'button-1' };
      const first = await runAction('security-check', { input: { repo: 'shop' } }, key);
      assert.equal(first.status, 202, first.text);
      assert.deepEqual(outcomes(first), [
        ['audit-deps', 'fired'],
        ['scan-repo', 'fired'],
      ]);
      for (const o of first.json.runs as Outcome[]) {
        assert.equal(await h.waitForRun(o.runId!), 'succeeded');
        const run = (await h.call('GET', `${V1}/runs/${o.runId}`)).json;
        assert.deepEqual(run.input, { repo: 'shop' });
        assert.deepEqual(
          { type: run.trigger.type, action: run.trigger.action, by: run.trigger.by },
          { type: 'action', action: 'security-check', by: 'test-admin' },
        );
      }
      const again = await runAction('security-check', { input: { repo: 'shop' } }, key);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(
        again.json.runs.map((o: Outcome) => o.runId),
        first.json.runs.map((o: Outcome) => o.runId),
      );
      assert.deepEqual(outcomes(again), [
        ['audit-deps', 'duplicate'],
        ['scan-repo', 'duplicate'],
      ]);
      const reused = await runAction('security-check', { input: { repo: 'other' } }, key);
      assertProblem(reused, 422, 'CC_E_IDEMPOTENCY_MISMATCH');
      // Without a key, each press is a new set of runs.
      const fresh = await runAction('security-check', { input: { repo: 'shop' } });
      assert.equal(fresh.status, 202);
      assert.equal(await runCount(), before + 4);
      const audited = await h.call('GET', `${V1}/audit?action=action.run`);
      assert.equal(audited.json.items.length, 2);
      assert.equal(audited.json.items[0].target, 'security-check');
    });

    test('input one bound workflow refuses: 422 naming it, and no workflow runs', async () => {
      const before = await runCount();
      const r = await runAction('security-check', { input: { repo: 42 } });
      assertProblem(r, 422, 'CC_E_INPUT_INVALID', ['input.repo']);
      assert.match(r.json.errors[0].message, /^workflow scan-repo: /);
      assert.equal(await runCount(), before);
    });

    test('a paused trigger is skipped (and says so); the others run', async () => {
      const list = await h.call('GET', `${V1}/triggers?workflow=audit-deps`);
      const id = list.json.items[0].id;
      assert.equal((await h.call('POST', `${V1}/triggers/${id}/pause`, { body: {} })).status, 200);
      const r = await runAction('security-check', { input: { repo: 'shop' } });
      assert.equal(r.status, 202);
      const paused = (r.json.runs as Outcome[]).find((o) => o.workflow === 'audit-deps')!;
      assert.deepEqual(
        [paused.outcome, paused.runId, paused.reason],
        ['skipped', null, 'the trigger is paused'],
      );
      assert.equal((await h.call('POST', `${V1}/triggers/${id}/resume`, { body: {} })).status, 200);
      const listed = await h.call('GET', `${V1}/actions`);
      assert.deepEqual(
        listed.json.items[1].workflows.map((w: { paused: boolean }) => w.paused),
        [false, false],
      );
    });

    test('unknown action: 404 saying how to bind one; viewers cannot run actions', async () => {
      const missing = await runAction('no-such-button', {});
      assertProblem(missing, 404, 'CC_E_NOT_FOUND');
      assert.match(missing.json.detail, /add `- action: no-such-button` to the triggers/);
      const viewer = await h.call('POST', `${V1}/actions/deploy-now`, {
        body: {},
        token: await h.token('viewer'),
      });
      assertProblem(viewer, 403, 'CC_E_FORBIDDEN');
    });
  });
}
