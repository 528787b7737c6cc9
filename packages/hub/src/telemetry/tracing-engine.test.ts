import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Engine } from '../engine/engine.js';
import { createExecutors } from '../executors/registry.js';
import { startEngine, waitForEvent, type Harness } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';
import { ATTR } from './trace-attributes.js';
import { inboundTrace } from './trace-ids.js';
import { Tracing } from './tracing.js';
import { engineTracing } from './tracing-engine.js';

/**
 * The span tree of runs recorded through the real engine (a worker, the store, the builtin test
 * agent and a process agent), exported to memory: parents, names, attributes and the W3C context
 * an agent receives.
 */

const node = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'test',
  action,
  ...extra,
});

const envDump = {
  name: 'envdump',
  version: '1.0.0',
  type: 'process',
  runtime: {
    command: [
      process.execPath,
      fileURLToPath(new URL('../executors/fixtures/env-dump.mjs', import.meta.url)),
    ],
  },
  actions: { dump: {} },
};

for (const kind of storeKinds()) {
  describe(`traces of runs (${kind})`, () => {
    const exporter = new InMemorySpanExporter();
    const tracing = new Tracing({ exporters: [exporter], simple: true });
    let h: Harness;
    let unwatch: () => void;

    before(async () => {
      h = await startEngine(kind);
      const traced = engineTracing(tracing, h.store);
      await h.restart({ store: traced.store, attempts: traced.attempts });
      unwatch = traced.watch(h.engine);
      await h.engine.registerAgent('default', envDump);
    });
    after(async () => {
      unwatch?.();
      await h?.close();
      await tracing.shutdown();
    });

    /** Every span of one trace, once the run's own spans are all recorded. */
    const spansOf = async (traceId: string) => {
      await tracing.forceFlush();
      return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    };
    const stored = async (runId: string) =>
      (
        await h.store.query<{ trace_id: string; root_span_id: string }>(
          'SELECT trace_id, root_span_id FROM runs WHERE id = $1',
          [runId],
        )
      ).rows[0]!;
    const steps = (spans: ReadableSpan[], key: string) =>
      spans
        .filter((s) => s.name === 'workflow.step' && s.attributes[ATTR.step] === key)
        .sort((a, b) => Number(a.attributes[ATTR.attempt]) - Number(b.attributes[ATTR.attempt]));

    test('parallel steps, a retry and an approval: one tree under the run span', async () => {
      await h.engine.applyWorkflow('default', {
        name: 'traced',
        nodes: [
          node('prep', 'echo', { inputs: { v: 1 } }),
          node('left', 'echo', { dependsOn: ['prep'], inputs: { side: 'left' } }),
          node('right', 'flaky', {
            dependsOn: ['prep'],
            inputs: { succeedOn: 2 },
            retry: { attempts: 2, delay: '1ms' },
          }),
          node('ship', 'deploy', { dependsOn: ['left', 'right'], inputs: { v: 2 } }),
        ],
      });
      const r = await h.engine.createRun('default', 'traced');
      const req = await waitForEvent(h, (e) => e.runId === r.id && e.type === 'approval.requested');
      const approvalId = (req.data as { approvalId: string }).approvalId;
      await h.engine.decideApproval('default', approvalId, 'approve', 'alice');
      assert.equal(await h.engine.waitForRun(r.id), 'succeeded');

      const ids = await stored(r.id);
      assert.equal(ids.trace_id, r.id.replaceAll('-', ''), 'the run id is the trace id');
      const spans = await spansOf(ids.trace_id);

      const roots = spans.filter((s) => s.name === 'workflow.run');
      assert.equal(roots.length, 1);
      const root = roots[0]!;
      assert.equal(root.spanContext().spanId, ids.root_span_id, 'the stored root span id');
      assert.equal(root.parentSpanContext, undefined);
      assert.equal(root.kind, SpanKind.INTERNAL);
      assert.deepEqual(
        {
          project: root.attributes[ATTR.project],
          workflow: root.attributes[ATTR.workflow],
          version: root.attributes[ATTR.version],
          run: root.attributes[ATTR.run],
          status: root.attributes[ATTR.status],
          trigger: root.attributes[ATTR.trigger],
        },
        {
          project: 'default',
          workflow: 'traced',
          version: r.version,
          run: r.id,
          status: 'succeeded',
          trigger: 'manual',
        },
      );
      assert.equal(root.status.code, SpanStatusCode.UNSET);

      // Every step attempt (and the approval wait) is a child of the run span.
      for (const s of spans.filter((x) => x !== root && x.name.startsWith('workflow.'))) {
        assert.equal(s.parentSpanContext?.spanId, root.spanContext().spanId, s.name);
        assert.equal(s.attributes[ATTR.run], r.id);
      }
      assert.deepEqual(
        ['prep', 'left', 'right', 'ship'].map((k) => steps(spans, k).length),
        [1, 1, 2, 2],
        'one span per attempt: right retried once, ship asked for approval then ran',
      );

      const [prep] = steps(spans, 'prep');
      assert.deepEqual(
        {
          node: prep!.attributes[ATTR.node],
          agent: prep!.attributes[ATTR.agent],
          action: prep!.attributes[ATTR.action],
          attempt: prep!.attributes[ATTR.attempt],
          status: prep!.attributes[ATTR.status],
          workflow: prep!.attributes[ATTR.workflow],
          version: prep!.attributes[ATTR.version],
          project: prep!.attributes[ATTR.project],
        },
        {
          node: 'prep',
          agent: 'test',
          action: 'echo',
          attempt: 1,
          status: 'succeeded',
          workflow: 'traced',
          version: r.version,
          project: 'default',
        },
      );

      const [failed, retried] = steps(spans, 'right');
      assert.equal(failed!.attributes[ATTR.status], 'failed');
      assert.equal(failed!.status.code, SpanStatusCode.ERROR);
      assert.equal(failed!.status.message, 'flaky attempt 1');
      assert.equal(failed!.attributes[ATTR.errorType], 'CC_E_AGENT_ERROR');
      assert.equal(failed!.attributes[ATTR.errorRetryable], true);
      assert.equal(retried!.attributes[ATTR.attempt], 2);
      assert.equal(retried!.attributes[ATTR.status], 'succeeded');
      assert.equal(retried!.status.code, SpanStatusCode.UNSET);

      const [asked, ran] = steps(spans, 'ship');
      assert.equal(asked!.attributes[ATTR.status], 'waiting_approval');
      assert.equal(ran!.attributes[ATTR.status], 'succeeded');
      const approvals = spans.filter((s) => s.name === 'workflow.approval');
      assert.equal(approvals.length, 1);
      assert.deepEqual(
        {
          id: approvals[0]!.attributes[ATTR.approval],
          decision: approvals[0]!.attributes[ATTR.decision],
          by: approvals[0]!.attributes[ATTR.decidedBy],
          step: approvals[0]!.attributes[ATTR.step],
          action: approvals[0]!.attributes[ATTR.action],
        },
        { id: approvalId, decision: 'approved', by: 'alice', step: 'ship', action: 'deploy' },
      );
    });

    test('a failed run: the run span carries the error', async () => {
      await h.engine.applyWorkflow('default', {
        name: 'broken',
        nodes: [node('boom', 'fail', { inputs: { message: 'no luck', retryable: false } })],
      });
      const r = await h.engine.createRun('default', 'broken');
      assert.equal(await h.engine.waitForRun(r.id), 'failed');
      const spans = await spansOf(r.id.replaceAll('-', ''));
      const root = spans.find((s) => s.name === 'workflow.run')!;
      assert.equal(root.attributes[ATTR.status], 'failed');
      assert.equal(root.status.code, SpanStatusCode.ERROR);
      const [boom] = steps(spans, 'boom');
      assert.equal(boom!.attributes[ATTR.errorRetryable], false);
      assert.equal(boom!.status.message, 'no luck');
    });

    test('a run ended by another process (no worker, nothing remembered): same ids', async () => {
      await h.engine.applyWorkflow('default', {
        name: 'slow',
        nodes: [node('wait', 'sleep', { inputs: { ms: 60_000 } })],
      });
      const other = engineTracing(tracing, h.store);
      const api = new Engine({
        store: other.store,
        executors: createExecutors(),
        worker: false,
        onError: () => {},
      });
      const stop = other.watch(api);
      try {
        const inbound = inboundTrace({
          traceparent: '00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        })!;
        const r = await h.engine.createRun('default', 'slow', {
          trigger: { type: 'manual', ...inbound },
        });
        await waitForEvent(h, (e) => e.runId === r.id && e.type === 'workflow.step.started');
        await api.cancelRun('default', r.id, 'bob');
        assert.equal(await h.engine.waitForRun(r.id), 'cancelled');
        const spans = await spansOf('5bf92f3577b34da6a3ce929d0e0e4736');
        const root = spans.find((s) => s.name === 'workflow.run')!;
        assert.equal(root.spanContext().spanId, (await stored(r.id)).root_span_id);
        assert.equal(root.parentSpanContext?.spanId, '00f067aa0ba902b7');
        assert.equal(root.attributes[ATTR.status], 'cancelled');
        assert.equal(root.attributes[ATTR.workflow], 'slow');
        assert.equal(root.attributes[ATTR.errorType], 'CC_E_RUN_CANCELLED');
        const [wait] = steps(spans, 'wait');
        assert.equal(wait!.parentSpanContext?.spanId, root.spanContext().spanId);
      } finally {
        stop();
        await api.stop();
      }
    });

    test('a process agent gets TRACEPARENT (and TRACESTATE) of its attempt span', async () => {
      await h.engine.applyWorkflow('default', {
        name: 'envs',
        nodes: [{ id: 'dump', agent: 'envdump', action: 'dump' }],
      });
      const outputOf = async (runId: string) => {
        const s = await h.store.query<{ output: Record<string, string> }>(
          `SELECT output FROM steps WHERE run_id = $1 AND key = 'dump'`,
          [runId],
        );
        return s.rows[0]!.output;
      };

      const plain = await h.engine.createRun('default', 'envs');
      assert.equal(await h.engine.waitForRun(plain.id), 'succeeded');
      const traceId = plain.id.replaceAll('-', '');
      const [span] = steps(await spansOf(traceId), 'dump');
      const env = await outputOf(plain.id);
      assert.equal(env.TRACEPARENT, `00-${traceId}-${span!.spanContext().spanId}-01`);
      assert.equal(env.TRACESTATE, undefined);

      // A run that continues a caller's trace: that trace id, and its vendor state, go on.
      const inbound = inboundTrace({
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'vendor=abc',
      })!;
      const continued = await h.engine.createRun('default', 'envs', {
        trigger: { type: 'manual', ...inbound },
      });
      assert.equal(await h.engine.waitForRun(continued.id), 'succeeded');
      assert.equal((await stored(continued.id)).trace_id, '0af7651916cd43dd8448eb211c80319c');
      const spans = await spansOf('0af7651916cd43dd8448eb211c80319c');
      const [attempt] = steps(spans, 'dump');
      const env2 = await outputOf(continued.id);
      assert.equal(
        env2.TRACEPARENT,
        `00-0af7651916cd43dd8448eb211c80319c-${attempt!.spanContext().spanId}-01`,
      );
      assert.equal(env2.TRACESTATE, 'vendor=abc');
      const root = spans.find((s) => s.name === 'workflow.run')!;
      assert.equal(root.parentSpanContext?.spanId, 'b7ad6b7169203331', 'the caller is its parent');
      assert.equal(attempt!.parentSpanContext?.spanId, root.spanContext().spanId);
    });
  });
}
