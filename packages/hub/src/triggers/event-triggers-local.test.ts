import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEventBridge, type EventBridge } from '../bus/event-bridge.js';
import { engineMsgId } from '../bus/subjects.js';
import {
  assertProblem,
  node,
  openApiHarness,
  V1,
  type ApiHarness,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';
import { MAX_TRIGGER_DEPTH } from './trigger-firer.js';
import { Deliveries, dumpDiff, eventWorkflow, outcomesOf, runsOf } from './event-test-support.js';

const P = 'default';
const succeededOf = (h: ApiHarness, workflow: string) =>
  h.events.filter((e) => e.type === 'workflow.run.succeeded' && e.data.workflow === workflow);

for (const kind of storeKinds()) {
  describe(`event triggers on the in-process bus (${kind})`, () => {
    let h: ApiHarness;
    let bridge: EventBridge;
    const delivered = new Deliveries();
    const logs: string[] = [];

    before(async () => {
      h = await openApiHarness(kind);
      bridge = createEventBridge(h.services, (l) => logs.push(l), {
        natsUrl: null,
        pollMs: 50,
        onDelivered: delivered.onDelivered,
      });
      await bridge.start();
      assert.equal(bridge.kind, 'local');
    });
    after(async () => {
      await bridge?.stop();
      await h?.close();
    });

    test('a completion event of one workflow starts another; its own completion is filtered out', async () => {
      await h.services.engine.applyWorkflow(P, { name: 'a', nodes: [node('n', 'noop')] });
      await h.services.engine.applyWorkflow(
        P,
        eventWorkflow('b', [
          { event: 'workflow.run.succeeded', when: "{{ event.workflow = 'a' }}" },
        ]),
      );
      await bridge.refresh();
      const a = await h.services.engine.createRun(P, 'a');
      await h.waitForEvent((e) => e.type === 'workflow.run.succeeded' && e.data.workflow === 'b');
      const aDone = succeededOf(h, 'a')[0]!;
      const [b] = await runsOf(h.store, P, 'b');
      assert.equal(b?.trigger.type, 'event');
      assert.equal(b?.trigger.subject, 'workflow.run.succeeded');
      assert.equal(b?.trigger.msgId, engineMsgId(aDone.id));
      assert.equal(b?.trigger.depth, 1, 'a manual run has depth 0, the run it triggers 1');
      assert.equal((b?.trigger.event as { runId?: string }).runId, a.id);
      assert.equal(b?.input.workflow, 'a', "the run input is the event's data");
      // b's own completion reaches its trigger too, and `when` rejects it.
      const bDone = succeededOf(h, 'b')[0]!;
      await delivered.wait((m) => m.msgId === engineMsgId(bDone.id));
      assert.deepEqual(
        (await outcomesOf(h.store, P, 'b')).map((o) => o.outcome),
        ['fired', 'filtered'],
      );
      assert.equal((await runsOf(h.store, P, 'b')).length, 1);
    });

    test('external events through the API: when filters, duplicate ids, inputs checked', async () => {
      await h.services.engine.applyWorkflow(
        P,
        eventWorkflow(
          'audit',
          [{ event: 'audit.result.*', when: "{{ event.severity = 'high' }}" }],
          {
            inputs: {
              type: 'object',
              properties: { repo: { type: 'string' } },
              required: ['repo'],
            },
          },
        ),
      );
      const publish = (data: unknown, id?: string) =>
        h.call('POST', `${V1}/events/publish`, {
          body: { subject: 'audit.result.fail', data, ...(id ? { id } : {}) },
        });
      const first = await publish({ repo: 'r1', severity: 'high' }, 'm-1');
      assert.equal(first.status, 202, first.text);
      assert.deepEqual(first.json, {
        subject: 'audit.result.fail',
        id: 'm-1',
        duplicate: false,
        bus: 'local',
      });
      // In-process, the runs exist when the API answers.
      assert.deepEqual(
        (await runsOf(h.store, P, 'audit')).map((r) => r.input),
        [{ repo: 'r1', severity: 'high' }],
      );
      assert.equal((await publish({ repo: 'r1', severity: 'high' }, 'm-1')).status, 202);
      assert.equal((await publish({ repo: 'r2', severity: 'low' })).status, 202);
      const generated = await publish({ severity: 'high' });
      assert.match(generated.json.id, /^[0-9a-f-]{36}$/);
      const history = await outcomesOf(h.store, P, 'audit');
      assert.deepEqual(
        history.map((o) => o.outcome),
        ['fired', 'duplicate', 'filtered', 'rejected'],
      );
      assert.equal(history[1]!.run_id, history[0]!.run_id, 'the duplicate names the first run');
      assert.match(history[2]!.reason!, /event\.severity = 'high'/);
      assert.match(history[3]!.reason!, /repo/);
      assert.equal((await runsOf(h.store, P, 'audit')).length, 1);
      const audited = await h.store.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM audit_log WHERE action = 'event.publish' AND target = 'audit.result.fail'`,
      );
      assert.equal(audited.rows[0]!.n, '4');
    });

    test(`a workflow that triggers itself stops at depth ${MAX_TRIGGER_DEPTH}`, async () => {
      await h.services.engine.applyWorkflow(
        P,
        eventWorkflow('loop', [
          { event: 'workflow.run.succeeded', when: "{{ event.workflow = 'loop' }}" },
        ]),
      );
      await bridge.refresh();
      await h.services.engine.createRun(P, 'loop');
      const runs = MAX_TRIGGER_DEPTH + 1;
      await delivered.wait(
        (m, e) =>
          m.subject === 'workflow.run.succeeded' &&
          (e as { workflow?: string }).workflow === 'loop',
        runs,
      );
      // (completions of other tests' runs may reach its trigger too, filtered by its `when`)
      const history = (await outcomesOf(h.store, P, 'loop')).filter(
        (o) => o.outcome !== 'filtered',
      );
      assert.deepEqual(
        history.map((o) => o.outcome),
        [...Array<string>(MAX_TRIGGER_DEPTH).fill('fired'), 'rejected'],
      );
      assert.match(history.at(-1)!.reason!, new RegExp(`stopped at ${MAX_TRIGGER_DEPTH}`));
      const depths = (await runsOf(h.store, P, 'loop')).map((r) => r.trigger.depth ?? 0);
      assert.deepEqual(
        depths,
        Array.from({ length: runs }, (_, i) => i),
      );
    });

    test('engine events committed while the bridge was stopped are handed on once after it starts', async () => {
      await bridge.stop();
      const down = await h.call('POST', `${V1}/events/publish`, {
        body: { subject: 'audit.result.fail', data: { repo: 'x', severity: 'high' } },
      });
      assertProblem(down, 503, 'CC_E_EVENT_BUS_UNAVAILABLE');
      assert.match(down.json.detail, /event bus of this hub process is not running/);
      const a = await h.services.engine.createRun(P, 'a');
      assert.equal(await h.waitForRun(a.id), 'succeeded');
      const before = (await runsOf(h.store, P, 'b')).length;
      await bridge.start();
      await h.waitForEvent(
        (e) =>
          e.type === 'workflow.run.succeeded' &&
          e.data.workflow === 'b' &&
          succeededOf(h, 'b').length > before,
      );
      const triggered = (await runsOf(h.store, P, 'b')).filter(
        (r) => (r.trigger.event as { runId?: string }).runId === a.id,
      );
      assert.equal(triggered.length, 1);
      // b's completion is filtered by its own trigger: let that land before the next test.
      const done = h.events.find(
        (e) => e.type === 'workflow.run.succeeded' && e.runId === triggered[0]!.id,
      )!;
      await delivered.wait((m) => m.msgId === engineMsgId(done.id));
    });

    test('bad publications are refused with a clear problem and change nothing', async () => {
      const viewer = await h.token('viewer');
      const cases: [string, Record<string, unknown>, number, string, string[], string?][] = [
        [
          'engine namespace',
          { subject: 'workflow.run.succeeded', data: {} },
          400,
          'CC_E_BAD_REQUEST',
          ['subject'],
        ],
        [
          'agent request subject',
          { subject: 'agent.scanner', data: {} },
          400,
          'CC_E_BAD_REQUEST',
          ['subject'],
        ],
        ['wildcard', { subject: 'audit.*', data: {} }, 400, 'CC_E_BAD_REQUEST', ['subject']],
        ['empty token', { subject: 'audit..fail', data: {} }, 400, 'CC_E_BAD_REQUEST', ['subject']],
        [
          'viewer token',
          { subject: 'audit.result.fail', data: {} },
          403,
          'CC_E_FORBIDDEN',
          [],
          viewer,
        ],
      ];
      for (const [name, body, status, code, paths, token] of cases) {
        const before = await h.dump();
        const res = await h.call('POST', `${V1}/events/publish`, {
          body,
          ...(token ? { token } : {}),
        });
        assertProblem(res, status, code, paths, name);
        const afterDump = await h.dump();
        assert.ok(afterDump === before, `${name}: ${dumpDiff(before, afterDump)}`);
      }
      for (const body of [
        { subject: 'audit.result.fail' },
        { subject: 'audit.result.fail', data: {}, extra: 1 },
        { subject: 'audit.result.fail', data: {}, id: 'has space' },
        { subject: '', data: {} },
      ]) {
        const before = await h.dump();
        const res = await h.call('POST', `${V1}/events/publish`, { body });
        assert.ok(res.status === 400 || res.status === 422, `${JSON.stringify(body)}: ${res.text}`);
        assert.match(String(res.headers['content-type']), /problem\+json/);
        const afterDump = await h.dump();
        assert.ok(afterDump === before, dumpDiff(before, afterDump));
      }
      const unknown = await h.call('POST', `${V1}/events/publish?project=nope`, {
        body: { subject: 'audit.result.fail', data: {} },
      });
      assertProblem(unknown, 404, 'CC_E_NOT_FOUND');
      assert.deepEqual(
        logs.filter((l) => /failed/.test(l)),
        [],
      );
    });
  });
}

describe('event publication when NATS cannot be reached', () => {
  test('the API answers a clear 500 and records nothing; the hub keeps running', async () => {
    const h = await openApiHarness('pglite');
    const logs: string[] = [];
    // Port 1 refuses connections: the bridge starts anyway and keeps retrying.
    const bridge = createEventBridge(h.services, (l) => logs.push(l), {
      natsUrl: 'nats://127.0.0.1:1',
    });
    try {
      await bridge.start();
      assert.equal(bridge.kind, 'nats');
      const before = await h.dump();
      const res = await h.call('POST', `${V1}/events/publish`, {
        body: { subject: 'audit.result.fail', data: { repo: 'x' } },
      });
      assertProblem(res, 503, 'CC_E_EVENT_BUS_UNAVAILABLE');
      assert.match(
        res.json.detail,
        /cannot publish cc\.default\.audit\.result\.fail to NATS JetStream at nats:\/\/127\.0\.0\.1:1: .*the event was not published/,
      );
      const afterDump = await h.dump();
      assert.ok(afterDump === before, dumpDiff(before, afterDump));
    } finally {
      await bridge.stop();
      await h.close();
    }
  });
});
