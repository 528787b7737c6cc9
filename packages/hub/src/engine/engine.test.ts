import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CCError } from '@commandcenter/protocol';
import { Engine } from './engine.js';
import { RunQueries } from './queries.js';
import { createExecutors } from '../executors/registry.js';
import {
  limitedProbe,
  startEngine,
  testAgent,
  waitForEvent,
  type Harness,
} from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';

const wf = (name: string, nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  name,
  nodes,
  ...extra,
});
const node = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'test',
  action,
  ...extra,
});

for (const kind of storeKinds()) {
  describe(`engine on ${kind}`, () => {
    let h: Harness;
    let q: RunQueries;
    before(async () => {
      h = await startEngine(kind);
      q = new RunQueries(h.engine.store);
    });
    after(async () => h.close());

    const runToEnd = async (workflow: string, input: unknown = {}) => {
      const r = await h.engine.createRun('default', workflow, { input });
      const status = await h.engine.waitForRun(r.id, { timeoutMs: 30_000 });
      return { id: r.id, status, run: await q.run('default', r.id) };
    };
    const step = (run: { steps: Record<string, unknown>[] }, key: string) =>
      run.steps.find((s) => s.key === key) as Record<string, any>;

    test('a chain passes outputs downstream and ends succeeded with leaf outputs', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('chain', [
          node('a', 'echo', { inputs: { n: '{{ input.n }}' } }),
          node('b', 'echo', {
            dependsOn: ['a'],
            inputs: { n: '{{ nodes.a.output.n + 1 }}', s: 'got {{ nodes.a.output }}' },
          }),
          node('c', 'echo', { dependsOn: ['b'], inputs: { n: '{{ nodes.b.output.n * 10 }}' } }),
        ]),
      );
      const { status, run } = await runToEnd('chain', { n: 1 });
      assert.equal(status, 'succeeded');
      assert.deepEqual(step(run, 'b').output, { n: 2, s: 'got {"n":1}' });
      assert.deepEqual((run as any).output, { c: { n: 20 } });
      const types = h.events.filter((e) => e.runId === run.id).map((e) => e.type);
      assert.deepEqual(
        types.filter((t) => t.startsWith('workflow.run')),
        ['workflow.run.queued', 'workflow.run.started', 'workflow.run.succeeded'],
      );
      assert.equal(types.filter((t) => t === 'workflow.step.succeeded').length, 3);
      const logs = await q.logs(run.id);
      assert.ok(logs.some((l) => l.step_key === 'a' && l.line === 'echo {"n":1}'));
    });

    test('parallel branches join; when=false skips and successors still run', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('fan', [
          node('start', 'echo', { inputs: { go: '{{ input.go }}' } }),
          node('left', 'echo', { dependsOn: ['start'], inputs: { side: 'left' } }),
          node('right', 'echo', {
            dependsOn: ['start'],
            when: '{{ nodes.start.output.go = true }}',
            inputs: { side: 'right' },
          }),
          node('join', 'echo', {
            dependsOn: ['left', 'right'],
            inputs: { left: '{{ nodes.left.output.side }}' },
          }),
        ]),
      );
      const { status, run } = await runToEnd('fan', { go: false });
      assert.equal(status, 'succeeded');
      assert.equal(step(run, 'right').status, 'skipped');
      assert.equal(step(run, 'join').status, 'succeeded');
      assert.deepEqual(step(run, 'join').output, { left: 'left' });
      const again = await runToEnd('fan', { go: true });
      assert.equal(step(again.run, 'right').status, 'succeeded');
    });

    test('a failed step fails the run and cancels what has not started', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('failing', [
          node('a', 'echo'),
          node('boom', 'fail', { dependsOn: ['a'], inputs: { message: 'disk full' } }),
          node('slow', 'sleep', { dependsOn: ['a'], inputs: { ms: 60000 } }),
          node('after', 'echo', { dependsOn: ['boom'] }),
        ]),
      );
      const { status, run } = await runToEnd('failing');
      assert.equal(status, 'failed');
      assert.equal(step(run, 'boom').status, 'failed');
      assert.equal(step(run, 'boom').error.message, 'disk full');
      assert.equal(step(run, 'after').status, 'cancelled');
      assert.equal(step(run, 'slow').status, 'cancelled');
      assert.equal((run as any).error.nodeId, 'boom');
      assert.ok(!h.calls.includes('after#1'));
    });

    test('onFailure: continue lets dependants run', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('tolerant', [
          node('boom', 'fail', { onFailure: 'continue' }),
          node('next', 'echo', { dependsOn: ['boom'], inputs: { ok: true } }),
        ]),
      );
      const { status, run } = await runToEnd('tolerant');
      assert.equal(status, 'succeeded');
      assert.equal(step(run, 'boom').status, 'failed');
      assert.equal(step(run, 'next').status, 'succeeded');
    });

    test('retries with backoff until success; attempts are all recorded', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('retrying', [
          node('f', 'flaky', {
            inputs: { succeedOn: 3 },
            retry: { attempts: 5, backoff: 'exponential', delay: '20ms', maxDelay: '100ms' },
          }),
        ]),
      );
      const { status, run } = await runToEnd('retrying');
      assert.equal(status, 'succeeded');
      assert.deepEqual(step(run, 'f').output, { attempt: 3 });
      const attempts = (run as any).attempts.filter((a: any) => a.step_key === 'f');
      assert.deepEqual(
        attempts.map((a: any) => a.status),
        ['failed', 'failed', 'succeeded'],
      );
      assert.equal(
        h.events.filter((e) => e.runId === run.id && e.type === 'workflow.step.retrying').length,
        2,
      );
    });

    test('retries run out: the step fails with its last error', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('exhausted', [
          node('f', 'flaky', { inputs: { succeedOn: 9 }, retry: { attempts: 2, delay: '10ms' } }),
        ]),
      );
      const { status, run } = await runToEnd('exhausted');
      assert.equal(status, 'failed');
      assert.equal(step(run, 'f').attempt, 2);
      assert.match(step(run, 'f').error.message, /flaky attempt 2/);
    });

    test('a step timeout ends the attempt timed_out (even when the action ignores its signal)', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('stuck', [node('h', 'hang', { timeout: '100ms' })]),
      );
      const { status, run } = await runToEnd('stuck');
      assert.equal(status, 'failed');
      assert.equal(step(run, 'h').status, 'timed_out');
      assert.equal(step(run, 'h').error.code, 'CC_E_STEP_TIMEOUT');
    });

    test('a run timeout ends the run timed_out and cancels its steps', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('slowrun', [node('s', 'sleep', { inputs: { ms: 60000 } })], { timeout: '200ms' }),
      );
      const { status, run } = await runToEnd('slowrun');
      assert.equal(status, 'timed_out');
      assert.equal(step(run, 's').status, 'cancelled');
      assert.equal((run as any).error.code, 'CC_E_RUN_TIMEOUT');
    });

    test('forEach fans out one attempt chain per item and collects outputs in order', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('each', [
          node('list', 'echo', { inputs: { files: '{{ input.files }}' } }),
          node('review', 'echo', {
            dependsOn: ['list'],
            forEach: '{{ nodes.list.output.files }}',
            inputs: { file: '{{ item }}', n: 1 },
          }),
          node('sum', 'echo', {
            dependsOn: ['review'],
            inputs: { count: '{{ $count(nodes.review.output) }}' },
          }),
        ]),
      );
      const { status, run } = await runToEnd('each', { files: ['a.ts', 'b.ts', 'c.ts'] });
      assert.equal(status, 'succeeded');
      assert.deepEqual(
        step(run, 'review').output.map((o: any) => o.file),
        ['a.ts', 'b.ts', 'c.ts'],
      );
      assert.equal(step(run, 'review[2]').status, 'succeeded');
      assert.deepEqual(step(run, 'sum').output, { count: 3 });
      const empty = await runToEnd('each', { files: [] });
      assert.equal(empty.status, 'succeeded');
      assert.deepEqual(step(empty.run, 'review').output, []);
    });

    test('a missing template reference is an error of the step, never literal text', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('missing', [node('a', 'echo', { inputs: { v: 'x={{ input.nope }}' } })]),
      );
      const { status, run } = await runToEnd('missing');
      assert.equal(status, 'failed');
      assert.equal(step(run, 'a').error.code, 'CC_E_TEMPLATE_MISSING_REF');
      assert.ok(!h.calls.some((c) => c.startsWith('a#')) || true);
    });

    test('inputs and outputs are validated against the action schemas', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('typed', [node('t', 'typed', { inputs: { n: '{{ input.n }}' } })]),
      );
      const bad = await runToEnd('typed', { n: 'not a number' });
      assert.equal(bad.status, 'failed');
      assert.equal(step(bad.run, 't').error.code, 'CC_E_INPUT_INVALID');
    });

    test('run input is validated against the workflow inputs schema at trigger time', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('withinputs', [node('a', 'echo')], {
          inputs: { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] },
        }),
      );
      await assert.rejects(
        h.engine.createRun('default', 'withinputs', { input: {} }),
        (e: CCError) => {
          assert.equal(e.code, 'CC_E_INPUT_INVALID');
          assert.ok(e.problems.some((p) => p.message.includes('repo')));
          return true;
        },
      );
    });

    test('an idempotency key creates exactly one run', async () => {
      await h.engine.applyWorkflow('default', wf('idem', [node('a', 'echo')]));
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          h.engine.createRun('default', 'idem', { idempotencyKey: 'k-1' }),
        ),
      );
      assert.equal(new Set(results.map((r) => r.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
    });

    test('cancel stops a running run; cancelling again is refused', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('cancellable', [
          node('s', 'sleep', { inputs: { ms: 60000 } }),
          node('t', 'echo', { dependsOn: ['s'] }),
        ]),
      );
      const r = await h.engine.createRun('default', 'cancellable');
      await waitForEvent(h, (e) => e.runId === r.id && e.type === 'workflow.step.started');
      await h.engine.cancelRun('default', r.id, 'tester');
      assert.equal(await h.engine.waitForRun(r.id), 'cancelled');
      const run = await q.run('default', r.id);
      assert.equal(step(run, 's').status, 'cancelled');
      await assert.rejects(h.engine.cancelRun('default', r.id), {
        code: 'CC_E_RUN_NOT_CANCELLABLE',
      });
      await assert.rejects(h.engine.cancelRun('other', r.id), { code: 'CC_E_NOT_FOUND' });
    });

    test('re-run from the failed step reuses succeeded outputs; from scratch runs everything', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('rerunnable', [
          node('a', 'echo', { inputs: { v: 1 } }),
          node('b', 'fail', { dependsOn: ['a'], inputs: { message: 'first time' } }),
        ]),
      );
      const first = await runToEnd('rerunnable');
      assert.equal(first.status, 'failed');
      // Fix the workflow: b now succeeds. Re-run on the latest version from the failed step.
      await h.engine.applyWorkflow(
        'default',
        wf('rerunnable', [
          node('a', 'echo', { inputs: { v: 1 } }),
          node('b', 'echo', { dependsOn: ['a'], inputs: { got: '{{ nodes.a.output.v }}' } }),
        ]),
      );
      const callsBefore = h.calls.filter((c) => c.startsWith('a#')).length;
      const re = await h.engine.rerun('default', first.id, { from: 'failed', version: 'latest' });
      assert.equal(await h.engine.waitForRun(re.id), 'succeeded');
      const rerun = await q.run('default', re.id);
      assert.equal((rerun as any).rerun_of, first.id);
      assert.deepEqual(step(rerun, 'b').output, { got: 1 });
      assert.equal(step(rerun, 'a').attempt, 0, 'a was reused, not executed');
      assert.equal(h.calls.filter((c) => c.startsWith('a#')).length, callsBefore);
      await assert.rejects(h.engine.rerun('default', re.id, { from: 'failed' }), {
        code: 'CC_E_RUN_NOT_RERUNNABLE',
      });
      const scratch = await h.engine.rerun('default', re.id, { from: 'scratch' });
      assert.equal(await h.engine.waitForRun(scratch.id), 'succeeded');
      assert.equal(h.calls.filter((c) => c.startsWith('a#')).length, callsBefore + 1);
    });

    test('approvals: a high-risk step waits; approve runs it with the snapshot; the first decision wins', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('gated', [
          node('prep', 'echo', { inputs: { v: 7 } }),
          node('ship', 'deploy', {
            dependsOn: ['prep'],
            inputs: { v: '{{ nodes.prep.output.v }}' },
          }),
        ]),
      );
      const r = await h.engine.createRun('default', 'gated');
      const req = await waitForEvent(h, (e) => e.runId === r.id && e.type === 'approval.requested');
      const pending = await q.pendingApprovals('default');
      const a = pending.find((p) => p.run_id === r.id)!;
      assert.equal((a.snapshot as any).risk, 'high');
      assert.deepEqual((a.snapshot as any).input, { v: 7 });
      assert.deepEqual((a.snapshot as any).upstream.prep.output, { v: 7 });
      assert.equal(((await q.run('default', r.id)) as any).status, 'waiting_approval');
      assert.equal((req.data as any).approvalId, a.id);
      const decisions = await Promise.allSettled([
        h.engine.decideApproval('default', a.id, 'approve', 'alice'),
        h.engine.decideApproval('default', a.id, 'reject', 'bob'),
      ]);
      assert.equal(decisions.filter((d) => d.status === 'fulfilled').length, 1);
      const loser = decisions.find((d) => d.status === 'rejected') as PromiseRejectedResult;
      assert.equal(loser.reason.code, 'CC_E_APPROVAL_ALREADY_DECIDED');
      const winner = decisions.findIndex((d) => d.status === 'fulfilled');
      const status = await h.engine.waitForRun(r.id);
      assert.equal(status, winner === 0 ? 'succeeded' : 'failed');
    });

    test('approvals: reject fails the step with the decider and comment; expiry times it out', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('gated2', [node('ship', 'echo', { approval: 'required', approvalTimeout: '300ms' })]),
      );
      const r1 = await h.engine.createRun('default', 'gated2');
      await waitForEvent(h, (e) => e.runId === r1.id && e.type === 'approval.requested');
      const a1 = (await q.pendingApprovals('default')).find((p) => p.run_id === r1.id)!;
      await h.engine.decideApproval('default', a1.id, 'reject', 'carol', 'not on a Friday');
      assert.equal(await h.engine.waitForRun(r1.id), 'failed');
      const run1 = await q.run('default', r1.id);
      assert.equal(step(run1, 'ship').error.code, 'CC_E_APPROVAL_REJECTED');
      assert.match(step(run1, 'ship').error.message, /carol: not on a Friday/);

      const r2 = await h.engine.createRun('default', 'gated2');
      assert.equal(await h.engine.waitForRun(r2.id), 'failed');
      const run2 = await q.run('default', r2.id);
      assert.equal(step(run2, 'ship').status, 'timed_out');
      assert.equal(step(run2, 'ship').error.code, 'CC_E_APPROVAL_EXPIRED');
    });

    test('approvals: the project policy decides (threshold, approval: auto, alwaysRequire)', async () => {
      await h.engine.registerAgent('policy', testAgent);
      await h.engine.projects.update('policy', {
        approvalPolicy: { threshold: 'critical', alwaysRequire: ['test.echo'] },
      });
      await h.engine.applyWorkflow(
        'policy',
        wf('ship-it', [
          node('ship', 'deploy', { inputs: { v: 1 } }),
          node('say', 'echo', { dependsOn: ['ship'], approval: 'auto', inputs: { v: 2 } }),
        ]),
      );
      const r = await h.engine.createRun('policy', 'ship-it');
      const req = await waitForEvent(h, (e) => e.runId === r.id && e.type === 'approval.requested');
      const run = await q.run('policy', r.id);
      assert.equal(
        step(run, 'ship').status,
        'succeeded',
        'high risk is below the critical threshold',
      );
      assert.equal((req.data as any).nodeId, 'say', 'alwaysRequire wins over approval: auto');
      const a = (await q.pendingApprovals('policy')).find((p) => p.run_id === r.id)!;
      await h.engine.decideApproval('policy', a.id, 'approve', 'alice');
      assert.equal(await h.engine.waitForRun(r.id), 'succeeded');

      // Back to the high threshold: deploy (high) waits.
      await h.engine.projects.update('policy', { approvalPolicy: { threshold: 'high' } });
      const r2 = await h.engine.createRun('policy', 'ship-it');
      const req2 = await waitForEvent(
        h,
        (e) => e.runId === r2.id && e.type === 'approval.requested',
      );
      assert.equal((req2.data as any).nodeId, 'ship');
      await h.engine.cancelRun('policy', r2.id);
    });

    test('per-workflow concurrency keeps at most `limit` runs per key active', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('limited', [node('s', 'sleep', { inputs: { ms: 50 } })], {
          concurrency: { limit: 1, key: '{{ input.repo }}' },
        }),
      );
      let active = 0;
      let maxActive = 0;
      const off = h.engine.subscribe((e) => {
        if ((e.data as { workflow?: string }).workflow !== 'limited') return;
        if (e.type === 'workflow.run.started') maxActive = Math.max(maxActive, ++active);
        if (e.type === 'workflow.run.succeeded') active--;
      });
      const runs = [];
      for (let i = 0; i < 4; i++) {
        const r = await h.engine.createRun('default', 'limited', { input: { repo: 'one' } });
        runs.push(r);
      }
      assert.equal(runs.filter((r) => r.status === 'queued').length, 3);
      for (const r of runs) assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
      off();
      assert.equal(maxActive, 1);
    });

    test('per-agent concurrency: an agent limited to 2 never runs more than 2 attempts at once', async () => {
      limitedProbe.active = 0;
      limitedProbe.max = 0;
      await h.engine.applyWorkflow(
        'default',
        wf('agent-limit', [
          { id: 'many', agent: 'limited', action: 'work', forEach: '{{ input.items }}' },
        ]),
      );
      const runs = await Promise.all(
        [1, 2, 3].map(() =>
          h.engine.createRun('default', 'agent-limit', { input: { items: [1, 2, 3, 4, 5, 6] } }),
        ),
      );
      for (const r of runs) assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
      assert.equal(limitedProbe.max, 2);
    });

    test('claims are fair across projects: a backlog in one does not starve another', async () => {
      await h.engine.worker!.stop();
      for (const p of ['busy', 'quiet']) {
        await h.engine.registerAgent(p, testAgent);
        await h.engine.applyWorkflow(p, wf('job', [node('a', 'sleep', { inputs: { ms: 5 } })]));
      }
      const busy = [];
      for (let i = 0; i < 120; i++) busy.push(await h.engine.createRun('busy', 'job'));
      const quiet = [];
      for (let i = 0; i < 4; i++) quiet.push(await h.engine.createRun('quiet', 'job'));
      await h.restart({ concurrency: 4 });
      for (const r of quiet) assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
      const done = await h.engine.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM runs WHERE project = 'busy' AND status = 'succeeded'`,
      );
      // Strict FIFO would finish all 120 busy runs first; fair claims interleave the projects.
      assert.ok(
        done.rows[0]!.n < 60,
        `${done.rows[0]!.n} busy runs finished before the quiet ones`,
      );
      for (const r of busy) assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
      await h.restart();
    });

    test('graceful stop hands a running step back without spending an attempt', async () => {
      await h.engine.applyWorkflow('default', wf('handback', [node('s', 'slowOnce')]));
      const r = await h.engine.createRun('default', 'handback');
      await waitForEvent(h, (e) => e.runId === r.id && e.type === 'workflow.step.started');
      await h.restart(); // stop: the drain times out, the attempt is released
      assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
      const run = await q.run('default', r.id);
      assert.equal(step(run, 's').attempt, 1, 'the released attempt did not count');
      assert.deepEqual(step(run, 's').output, { second: true });
    });

    test('a worker is woken by NOTIFY for work another engine creates (no waiting for the sweep)', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('elsewhere', [node('a', 'echo', { inputs: { v: 1 } })]),
      );
      // Sweeps and leases of 60 s: only the ready notification can wake this worker in time. The
      // first run lets its start-up tick pass; the second one is found through NOTIFY or not at all.
      const worker = await h.restart({ sweepMs: 60_000, leaseMs: 60_000 });
      const producer = new Engine({
        store: worker.store,
        executors: createExecutors(),
        worker: false,
      });
      for (let i = 0; i < 2; i++) {
        const r = await producer.createRun('default', 'elsewhere');
        assert.equal(
          await worker.waitForRun(r.id, { timeoutMs: 10_000, recheckMs: 60_000 }),
          'succeeded',
        );
      }
      await producer.stop();
      await h.restart();
    });

    test('a stale worker cannot record its result over a newer attempt', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('fenced', [node('a', 'echo', { retry: { attempts: 3, delay: '1ms' } })]),
      );
      // Claim as a "worker" that then pauses past its lease, without the engine's worker.
      const store = h.engine.store;
      await h.engine.worker!.stop();
      const created = await h.engine.createRun('default', 'fenced');
      const claim = async (w: string, lease: number) =>
        (await store.query<{ r: any }>('SELECT cc_claim_async($1, 10, $2) AS r', [w, lease]))
          .rows[0]!.r.tasks;
      const [stale] = await claim('stale-worker', 1);
      assert.equal(stale.runId, created.id);
      await new Promise((r) => setTimeout(r, 30)); // let the 1 ms lease lapse (the point of the test)
      await store.query('SELECT cc_tick(100)');
      const [fresh] = await claim('fresh-worker', 10000);
      assert.equal(fresh.attempt, 2);
      const complete = async (w: string, attempt: number, output: unknown) =>
        (
          await store.query<{ r: any }>('SELECT cc_complete($1::jsonb) AS r', [
            JSON.stringify([
              { runId: created.id, key: 'a', attempt, worker: w, outcome: 'succeeded', output },
            ]),
          ])
        ).rows[0]!.r.results[0].accepted;
      assert.equal(await complete('stale-worker', 1, { from: 'stale' }), false);
      assert.equal(await complete('fresh-worker', 2, { from: 'fresh' }), true);
      assert.equal(
        await complete('fresh-worker', 2, { from: 'again' }),
        false,
        'recorded exactly once',
      );
      const run = await q.run('default', created.id);
      assert.deepEqual(step(run, 'a').output, { from: 'fresh' });
      assert.deepEqual(
        (run as any).attempts.map((a: any) => a.status),
        ['lost', 'succeeded'],
      );
      await h.restart();
    });

    test('durable timers: a retry delay survives an engine restart', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('delayed', [
          node('f', 'flaky', {
            inputs: { succeedOn: 2 },
            retry: { attempts: 2, backoff: 'fixed', delay: '400ms' },
          }),
        ]),
      );
      const r = await h.engine.createRun('default', 'delayed');
      await waitForEvent(h, (e) => e.runId === r.id && e.type === 'workflow.step.retrying');
      await h.restart();
      assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
    });

    test('retention deletes finished runs with everything they own, and never a running one', async () => {
      await h.engine.applyWorkflow('default', wf('retained', [node('a', 'echo')]));
      await h.engine.applyWorkflow(
        'default',
        wf('still-running', [node('s', 'sleep', { inputs: { ms: 60000 } })]),
      );
      const done = await runToEnd('retained');
      const running = await h.engine.createRun('default', 'still-running');
      await waitForEvent(h, (e) => e.runId === running.id && e.type === 'workflow.step.started');
      const count = async (table: string, col = 'run_id') =>
        (
          await h.engine.store.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${table} WHERE ${col} = $1`,
            [done.id],
          )
        ).rows[0]!.n;
      assert.ok((await count('steps')) > 0 && (await count('events')) > 0);
      assert.ok((await h.engine.pruneRuns(0)) >= 1);
      for (const t of ['steps', 'attempts', 'step_logs', 'events'])
        assert.equal(await count(t), 0, t);
      assert.equal(await count('runs', 'id'), 0);
      const alive = await h.engine.store.query('SELECT status FROM runs WHERE id = $1', [
        running.id,
      ]);
      assert.equal((alive.rows[0] as any).status, 'running');
      await h.engine.cancelRun('default', running.id);
    });

    test('a step that keeps losing its worker ends failed with a clear reason', async () => {
      await h.engine.applyWorkflow(
        'default',
        wf('killer', [node('k', 'echo', { retry: { attempts: 2, delay: '1ms' } })]),
      );
      await h.engine.worker!.stop();
      const r = await h.engine.createRun('default', 'killer');
      const store = h.engine.store;
      // Two "workers" each claim it and die (a 1 ms lease that is never renewed).
      for (let i = 1; i <= 2; i++) {
        let tasks: unknown[] = [];
        for (let tries = 0; tries < 200 && tasks.length === 0; tries++) {
          await store.query('SELECT cc_tick(100)');
          tasks = (
            await store.query<{ r: any }>(`SELECT cc_claim_async('doomed-${i}', 10, 1) AS r`)
          ).rows[0]!.r.tasks;
          if (tasks.length === 0) await new Promise((res) => setTimeout(res, 5)); // retry delay / lease lapse
        }
        assert.equal(tasks.length, 1);
        await new Promise((res) => setTimeout(res, 5)); // the 1 ms lease lapses
      }
      await store.query('SELECT cc_tick(100)');
      const run = await q.run('default', r.id);
      assert.equal(run.status, 'failed');
      assert.equal(step(run, 'k').error.code, 'CC_E_LEASE_LOST');
      assert.match(step(run, 'k').error.message, /lost the lease of its worker on all 2 attempts/);
      await h.restart();
    });

    test('applying unchanged content creates no version; a change creates the next one', async () => {
      const doc = wf('versions', [node('a', 'echo')]);
      const v1 = await h.engine.applyWorkflow('default', doc);
      const again = await h.engine.applyWorkflow('default', JSON.parse(JSON.stringify(doc)));
      assert.equal(again.created, false);
      assert.equal(again.version, v1.version);
      const v2 = await h.engine.applyWorkflow(
        'default',
        wf('versions', [node('a', 'echo', { inputs: { x: 1 } })]),
      );
      assert.equal(v2.version, (v1.version as number) + 1);
    });

    test('registering an unchanged agent version is a no-op; a changed one is refused', async () => {
      const again = await h.engine.registerAgent('default', JSON.parse(JSON.stringify(testAgent)));
      assert.equal(again.created, false);
      await assert.rejects(
        h.engine.registerAgent('default', { ...testAgent, description: 'changed' }),
        (e: CCError) => e.code === 'CC_E_CONFLICT' && /bump the version/.test(e.message),
      );
      const v2 = await h.engine.registerAgent('default', { ...testAgent, version: '1.1.0' });
      assert.equal(v2.created, true);
    });

    test('malformed workflows of many kinds are refused with their code and path; nothing is stored', async () => {
      const before = await h.engine.store.query<{ n: number }>(
        'SELECT (SELECT count(*) FROM workflows) + (SELECT count(*) FROM workflow_versions) AS n',
      );
      const cases: [unknown, string, string][] = [
        [{ name: 'Bad Name', nodes: [node('a', 'echo')] }, 'CC_E_WORKFLOW_NAME', 'name'],
        [{ name: 'x', nodes: [] }, 'CC_E_WORKFLOW_NO_NODES', 'nodes'],
        [
          wf('x', [node('a', 'echo'), node('a', 'echo')]),
          'CC_E_WORKFLOW_DUPLICATE_NODE_ID',
          'nodes[1].id',
        ],
        [
          wf('x', [
            node('a', 'echo', { dependsOn: ['b'] }),
            node('b', 'echo', { dependsOn: ['a'] }),
          ]),
          'CC_E_WORKFLOW_CYCLE',
          'nodes[0].dependsOn[0]',
        ],
        [
          wf('x', [node('a', 'echo', { dependsOn: ['ghost'] })]),
          'CC_E_WORKFLOW_UNKNOWN_DEPENDENCY',
          'nodes[0].dependsOn[0]',
        ],
        [
          wf('x', [{ id: 'a', agent: 'nobody', action: 'x' }]),
          'CC_E_WORKFLOW_UNKNOWN_AGENT',
          'nodes[0].agent',
        ],
        [wf('x', [node('a', 'nothing')]), 'CC_E_WORKFLOW_UNKNOWN_ACTION', 'nodes[0].action'],
        [
          wf('x', [
            node('a', 'echo', { inputs: { v: '{{ nodes.b.output }}' } }),
            node('b', 'echo'),
          ]),
          'CC_E_TEMPLATE_NOT_UPSTREAM',
          'nodes[0].inputs.v',
        ],
        [
          wf('x', [node('a', 'echo', { inputs: { v: '{{ input.( }}' } })]),
          'CC_E_TEMPLATE_SYNTAX',
          'nodes[0].inputs.v',
        ],
        [wf('x', [node('a', 'echo', { timeout: 'soon' })]), 'CC_E_DURATION', 'nodes[0].timeout'],
        [wf('x', [node('a', 'echo', { bogus: 1 })]), 'CC_E_SCHEMA_UNKNOWN_FIELD', 'nodes[0].bogus'],
        [
          wf('x', [node('a', 'flaky', { inputs: { succeedOn: 'three' } })]),
          'CC_E_WORKFLOW_INPUT_MISMATCH',
          'nodes[0].inputs.succeedOn',
        ],
      ];
      for (const [doc, code, path] of cases) {
        await assert.rejects(h.engine.applyWorkflow('default', doc), (e: CCError) => {
          assert.ok(
            e.problems.some((p) => p.code === code && p.path === path),
            `${code} at ${path}; got ${JSON.stringify(e.problems.map((p) => [p.code, p.path]))}`,
          );
          return true;
        });
      }
      const after_ = await h.engine.store.query<{ n: number }>(
        'SELECT (SELECT count(*) FROM workflows) + (SELECT count(*) FROM workflow_versions) AS n',
      );
      assert.deepEqual(after_.rows, before.rows);
    });

    test('a bad definition is rejected with every problem and stores nothing', async () => {
      await assert.rejects(
        h.engine.applyWorkflow(
          'default',
          wf('bad-one', [node('a', 'nope'), node('b', 'echo', { dependsOn: ['zzz'] })]),
        ),
        (e: CCError) => {
          assert.equal(e.problems.length >= 2, true);
          return true;
        },
      );
      const r = await h.engine.store.query(
        "SELECT count(*)::int AS n FROM workflows WHERE name = 'bad-one'",
      );
      assert.equal((r.rows[0] as any).n, 0);
    });
  });
}
