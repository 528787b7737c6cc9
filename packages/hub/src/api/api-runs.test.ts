import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { V1, assertProblem, node } from '../testing/api-harness.js';
import { apiSuite, ok } from '../testing/api-suite.js';
import { storeKinds } from '../testing/stores.js';

/** Runs through the API: trigger, list, show, logs, cancel, re-run; and approvals. */

for (const kind of storeKinds()) {
  describe(`REST API runs and approvals on ${kind}`, () => {
    const api = apiSuite(kind);

    test('runs: 202 on trigger; Idempotency-Key repeats answer 200 with the same run, another input 422', async () => {
      await api.apply({
        name: 'wf-idem',
        inputs: { type: 'object', properties: { n: { type: 'integer' } } },
        nodes: [node('a', 'echo', { inputs: { n: '{{ input.n }}' } })],
      });
      const headers = { 'idempotency-key': `key-${kind}` };
      const first = await api.h.call('POST', `${V1}/runs`, {
        body: { workflow: 'wf-idem', input: { n: 1 } },
        headers,
      });
      ok(first, 202);
      assert.equal(first.json.created, true);
      assert.equal(first.json.workflow, 'wf-idem');
      assert.equal(first.json.version, 1);
      api.expected.push({ action: 'run.trigger', target: first.json.id, actor: 'test-admin' });
      const repeat = await api.h.call('POST', `${V1}/runs`, {
        body: { workflow: 'wf-idem', input: { n: 1 } },
        headers,
      });
      ok(repeat, 200);
      assert.equal(repeat.json.id, first.json.id);
      assert.equal(repeat.json.created, false);
      const other = await api.h.call('POST', `${V1}/runs`, {
        body: { workflow: 'wf-idem', input: { n: 2 } },
        headers,
      });
      assertProblem(other, 422, 'CC_E_IDEMPOTENCY_MISMATCH');
      assert.equal(await api.h.waitForRun(first.json.id), 'succeeded');
      const runs = await api.h.call('GET', `${V1}/runs?workflow=wf-idem`);
      assert.equal(runs.json.items.length, 1);
    });

    test('runs: list with filters and cursor pagination over 3 pages', async () => {
      await api.apply({
        name: 'wf-page',
        nodes: [node('a', 'echo', { inputs: { i: '{{ input.i }}' } })],
      });
      await api.apply({ name: 'wf-page-fail', nodes: [node('a', 'fail', {})] });
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await api.runToEnd('wf-page', { i }));
      const failed = await api.runToEnd('wf-page-fail');

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = `${V1}/runs?workflow=wf-page&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await api.h.call('GET', q);
        ok(page);
        pages++;
        assert.ok(page.json.items.length <= 3);
        for (const r of page.json.items) {
          assert.equal(r.workflow, 'wf-page');
          assert.equal(r.status, 'succeeded');
          assert.equal(typeof r.durationMs, 'number');
          assert.equal(r.trigger.type, 'manual');
          seen.push(r.id);
        }
        cursor = page.json.nextCursor;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...ids].reverse(), 'newest first, each run once');

      const byStatus = await api.h.call('GET', `${V1}/runs?status=failed`);
      ok(byStatus);
      assert.ok(byStatus.json.items.some((r: { id: string }) => r.id === failed));
      assert.ok(byStatus.json.items.every((r: { status: string }) => r.status === 'failed'));
      const none = await api.h.call('GET', `${V1}/runs?workflow=wf-page&status=failed`);
      assert.deepEqual(none.json, { items: [], nextCursor: null });
    });

    let failedRun = '';
    test('runs: show with steps, attempts, resolved inputs, outputs and errors; logs', async () => {
      await api.apply({
        name: 'wf-show',
        inputs: {
          type: 'object',
          properties: { msg: { type: 'string' } },
          required: ['msg'],
        },
        nodes: [
          node('a', 'echo', { inputs: { said: '{{ input.msg }}', fixed: 7 } }),
          node('b', 'fail', {
            dependsOn: ['a'],
            inputs: { message: 'b broke after {{ nodes.a.output.said }}' },
          }),
        ],
      });
      failedRun = await api.runToEnd('wf-show', { msg: 'hi' });
      const show = await api.h.call('GET', `${V1}/runs/${failedRun}`);
      ok(show);
      const run = show.json;
      assert.equal(run.status, 'failed');
      assert.deepEqual(run.input, { msg: 'hi' });
      assert.equal(run.workflow, 'wf-show');
      assert.deepEqual(run.agentVersions, { test: '1.0.0' });
      assert.ok(run.error);
      const a = run.steps.find((s: { key: string }) => s.key === 'a');
      const b = run.steps.find((s: { key: string }) => s.key === 'b');
      assert.equal(a.status, 'succeeded');
      assert.deepEqual(a.input, { said: 'hi', fixed: 7 });
      assert.deepEqual(a.output, { said: 'hi', fixed: 7 });
      assert.equal(a.agent, 'test');
      assert.equal(a.action, 'echo');
      assert.equal(a.attempts.length, 1);
      assert.deepEqual(a.attempts[0].input, { said: 'hi', fixed: 7 });
      assert.equal(a.attempts[0].status, 'succeeded');
      assert.equal(typeof a.attempts[0].worker, 'string');
      assert.equal(b.status, 'failed');
      assert.deepEqual(b.input, { message: 'b broke after hi' });
      assert.equal(b.error.message, 'b broke after hi');
      assert.equal(b.attempts[0].error.message, 'b broke after hi');

      const logs = await api.h.call('GET', `${V1}/runs/${failedRun}/logs`);
      ok(logs);
      const lines = logs.json.items.map((l: { stepKey: string; line: string }) => [
        l.stepKey,
        l.line,
      ]);
      assert.deepEqual(lines, [['a', 'echo {"said":"hi","fixed":7}']]);
      assert.equal(logs.json.items[0].attempt, 1);
      const onlyB = await api.h.call('GET', `${V1}/runs/${failedRun}/logs?step=b`);
      assert.deepEqual(onlyB.json.items, []);
      const after = await api.h.call(
        'GET',
        `${V1}/runs/${failedRun}/logs?cursor=${logs.json.nextCursor}`,
      );
      assert.deepEqual(after.json.items, []);

      // The agent's health counts these attempts: one success, one failure.
      const agent = await api.h.call('GET', `${V1}/agents/test`);
      ok(agent);
      const health = agent.json.health;
      assert.ok(health.attempts >= 2, JSON.stringify(health));
      assert.ok(health.failures >= 1);
      assert.ok(health.errorRate > 0 && health.errorRate < 1);
      assert.equal(typeof health.p50Ms, 'number');
      assert.ok(Date.parse(health.lastSuccessAt) > 0);
      assert.ok(Date.parse(health.lastFailureAt) > 0);
      assert.equal(health.lastError.message, 'b broke after hi');
      assert.ok(['healthy', 'degraded', 'failing'].includes(health.status));
      assert.equal(health.running, 0);
    });

    test('runs: cancel a running run; cancelling again is 409', async () => {
      await api.apply({
        name: 'wf-slow',
        nodes: [node('a', 'sleep', { inputs: { ms: 600_000 } })],
      });
      const r = await api.h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-slow' } });
      ok(r, 202);
      api.expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      await api.h.waitForEvent((e) => e.type === 'workflow.step.started' && e.runId === r.json.id);
      const c = await api.h.call('POST', `${V1}/runs/${r.json.id}/cancel`, { body: {} });
      ok(c);
      assert.deepEqual(c.json, { id: r.json.id, status: 'cancelled' });
      api.expected.push({ action: 'run.cancel', target: r.json.id, actor: 'test-admin' });
      assert.equal(await api.h.waitForRun(r.json.id), 'cancelled');
      assertProblem(
        await api.h.call('POST', `${V1}/runs/${r.json.id}/cancel`),
        409,
        'CC_E_RUN_NOT_CANCELLABLE',
      );
    });

    test('runs: re-run from the failed step and from scratch, on the pinned and the latest version', async () => {
      const rerun = async (body: Record<string, string>) => {
        const r = await api.h.call('POST', `${V1}/runs/${failedRun}/rerun`, { body });
        ok(r, 202);
        assert.equal(r.json.rerunOf, failedRun);
        assert.equal(r.json.created, true);
        api.expected.push({ action: 'run.rerun', target: r.json.id, actor: 'test-admin' });
        await api.h.waitForRun(r.json.id);
        return (await api.h.call('GET', `${V1}/runs/${r.json.id}`)).json;
      };
      const executedA = (runId: string) =>
        api.h.received.filter((x) => x.runId === runId && x.key === 'a').length;

      const fromFailed = await rerun({ from: 'failed' });
      assert.equal(fromFailed.version, 1);
      assert.equal(fromFailed.status, 'failed');
      assert.equal(fromFailed.rerunOf, failedRun);
      assert.equal(fromFailed.rerunMode, 'failed');
      assert.equal(fromFailed.trigger.type, 'rerun');
      assert.deepEqual(fromFailed.input, { msg: 'hi' });
      assert.equal(executedA(fromFailed.id), 0, 'the succeeded step is reused, not re-executed');
      assert.deepEqual(fromFailed.steps.find((s: { key: string }) => s.key === 'a').output, {
        said: 'hi',
        fixed: 7,
      });

      const scratch = await rerun({ from: 'scratch', version: 'pinned' });
      assert.equal(scratch.version, 1);
      assert.equal(scratch.status, 'failed');
      assert.equal(executedA(scratch.id), 1, 'from scratch runs every step again');

      // v2 fixes the failing node: the latest version succeeds.
      await api.apply({
        name: 'wf-show',
        inputs: { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] },
        nodes: [
          node('a', 'echo', { inputs: { said: '{{ input.msg }}', fixed: 7 } }),
          node('b', 'echo', { dependsOn: ['a'], inputs: { ok: '{{ nodes.a.output.said }}' } }),
        ],
      });
      const latest = await rerun({ from: 'failed', version: 'latest' });
      assert.equal(latest.version, 2);
      assert.equal(latest.status, 'succeeded');
      assert.equal(executedA(latest.id), 0);
      assert.deepEqual(latest.steps.find((s: { key: string }) => s.key === 'b').output, {
        ok: 'hi',
      });
      const latestScratch = await rerun({ from: 'scratch', version: 'latest' });
      assert.equal(latestScratch.version, 2);
      assert.equal(latestScratch.status, 'succeeded');
      assert.equal(executedA(latestScratch.id), 1);
    });

    test('approvals: pending with snapshot; approve with comment, reject; a second decision is 409', async () => {
      await api.apply({
        name: 'wf-gate',
        nodes: [
          node('prep', 'echo', { inputs: { target: 'prod' } }),
          node('ship', 'deploy', {
            dependsOn: ['prep'],
            inputs: { where: '{{ nodes.prep.output.target }}' },
          }),
        ],
      });
      const start = async () => {
        const r = await api.h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-gate' } });
        ok(r, 202);
        api.expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
        await api.h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === r.json.id);
        return r.json.id as string;
      };
      const runA = await start();
      const runB = await start();
      const pending = await api.h.call('GET', `${V1}/approvals`);
      ok(pending);
      const mine = pending.json.items.filter((a: { runId: string }) =>
        [runA, runB].includes(a.runId),
      );
      assert.equal(mine.length, 2);
      const a = mine.find((x: { runId: string }) => x.runId === runA);
      assert.equal(a.status, 'pending');
      assert.equal(a.workflow, 'wf-gate');
      assert.equal(a.stepKey, 'ship');
      assert.equal(a.nodeId, 'ship');
      assert.deepEqual(a.snapshot.input, { where: 'prod' });
      assert.deepEqual(a.snapshot.upstream, { prep: { output: { target: 'prod' } } });
      assert.equal(a.snapshot.risk, 'high');
      const b = mine.find((x: { runId: string }) => x.runId === runB);
      const one = await api.h.call('GET', `${V1}/approvals/${a.id}`);
      ok(one);
      assert.deepEqual(one.json, a);

      const approver = await api.h.token('approver');
      const yes = await api.h.call('POST', `${V1}/approvals/${a.id}/approve`, {
        token: approver,
        body: { comment: 'looks fine' },
      });
      ok(yes);
      assert.deepEqual(yes.json, { id: a.id, status: 'approved' });
      api.expected.push({ action: 'approval.approve', target: a.id, actor: 'approver-default-' });
      const no = await api.h.call('POST', `${V1}/approvals/${b.id}/reject`, {
        token: approver,
        body: { comment: 'not today' },
      });
      ok(no);
      assert.deepEqual(no.json, { id: b.id, status: 'rejected' });
      api.expected.push({ action: 'approval.reject', target: b.id, actor: 'approver-default-' });

      assert.equal(await api.h.waitForRun(runA), 'succeeded');
      assert.equal(await api.h.waitForRun(runB), 'failed');
      assertProblem(
        await api.h.call('POST', `${V1}/approvals/${a.id}/reject`, { token: approver }),
        409,
        'CC_E_APPROVAL_ALREADY_DECIDED',
      );
      assertProblem(
        await api.h.call('POST', `${V1}/approvals/${b.id}/approve`, { token: approver }),
        409,
        'CC_E_APPROVAL_ALREADY_DECIDED',
      );
      const decided = await api.h.call('GET', `${V1}/approvals/${a.id}`);
      assert.equal(decided.json.status, 'approved');
      assert.equal(decided.json.comment, 'looks fine');
      assert.match(decided.json.decidedBy, /^approver-default-/);
      const all = await api.h.call('GET', `${V1}/approvals?status=all`);
      assert.ok(all.json.items.some((x: { id: string }) => x.id === b.id));
      const rejected = await api.h.call('GET', `${V1}/approvals?status=rejected`);
      assert.deepEqual(
        rejected.json.items.map((x: { id: string }) => x.id),
        [b.id],
      );
      const shipped = (await api.h.call('GET', `${V1}/runs/${runA}`)).json;
      assert.deepEqual(shipped.steps.find((s: { key: string }) => s.key === 'ship').output, {
        deployed: { where: 'prod' },
      });
    });

    test('audit: every mutation above is recorded with actor, action, target and ip; GET /audit paginates', async () => {
      const { pages } = await api.auditTrail();
      assert.ok(pages >= 3, `${pages} pages`);
    });
  });
}
