import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { createEventBridge, type EventBridge } from '../bus/event-bridge.js';
import { engineMsgId, streamName } from '../bus/subjects.js';
import {
  assertProblem,
  node,
  openApiHarness,
  V1,
  type ApiHarness,
} from '../testing/api-harness.js';
import { testAgent } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';
import { TRIGGER_CONSUMER } from './event-consumer.js';
import { Deliveries, dumpDiff, eventWorkflow, outcomesOf, runsOf } from './event-test-support.js';
import { MAX_TRIGGER_DEPTH } from './trigger-firer.js';

const url = process.env.CC_TEST_NATS_URL;
const skip = !url && 'NATS not reachable (set CC_TEST_NATS_URL, or run via scripts/test.mjs)';

/** Resolves with the first message on `subject` (subscribed before it returns). */
async function nextMessage(nc: NatsConnection, subject: string): Promise<() => Promise<Msg>> {
  let resolve!: (m: Msg) => void;
  const got = new Promise<Msg>((r) => (resolve = r));
  const sub = nc.subscribe(subject, { max: 1, callback: (_err, m) => resolve(m) });
  await nc.flush();
  return async () => {
    const timer = setTimeout(() => sub.unsubscribe(), 20_000);
    try {
      return await Promise.race([
        got,
        sub.closed.then(() => Promise.reject(new Error(`nothing on ${subject} within 20 s`))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}

for (const kind of storeKinds()) {
  describe(`event triggers through NATS JetStream (${kind})`, { skip, timeout: 120_000 }, () => {
    const p = `t-${randomBytes(5).toString('hex')}`;
    const q = `t-${randomBytes(5).toString('hex')}`;
    let h: ApiHarness;
    let nc: NatsConnection;
    let jsm: JetStreamManager;
    let bridge: EventBridge;
    const delivered = new Deliveries();
    const logs: string[] = [];
    const publish = (subject: string, data: unknown, id?: string) =>
      h.call('POST', `${V1}/events/publish?project=${p}`, {
        body: { subject, data, ...(id ? { id } : {}) },
      });

    before(async () => {
      h = await openApiHarness(kind);
      await h.services.engine.registerAgent(p, testAgent);
      nc = await connect({ servers: url! });
      jsm = await jetstreamManager(nc);
      bridge = createEventBridge(h.services, (l) => logs.push(l), {
        natsUrl: url!,
        pollMs: 50,
        onDelivered: (m) => m.project === p && delivered.onDelivered(m),
      });
      await bridge.start();
      assert.equal(bridge.kind, 'nats');
    });
    after(async () => {
      await bridge?.stop();
      for (const project of [p, q]) await jsm?.streams.delete(streamName(project)).catch(() => {});
      await nc?.drain();
      await h?.close();
    });

    test('engine events are published on cc.<project>.<type>, message id = outbox id; agent requests stay request/reply', async () => {
      await h.services.engine.applyWorkflow(p, { name: 'a', nodes: [node('n', 'noop')] });
      const next = await nextMessage(nc, `cc.${p}.workflow.run.succeeded`);
      const run = await h.services.engine.createRun(p, 'a');
      const msg = await next();
      const event = h.events.find(
        (e) => e.type === 'workflow.run.succeeded' && e.runId === run.id,
      )!;
      assert.equal(msg.headers?.get('Nats-Msg-Id'), engineMsgId(event.id));
      assert.equal(msg.headers?.get('CC-Event-Type'), 'workflow.run.succeeded');
      assert.equal(msg.headers?.get('CC-Run-Id'), run.id);
      assert.deepEqual(msg.json(), event.data);
      const stored = await jsm.streams.getMessage(streamName(p), {
        last_by_subj: `cc.${p}.workflow.run.succeeded`,
      });
      assert.equal(stored?.header.get('Nats-Msg-Id'), engineMsgId(event.id));
      // The stream must not capture cc.<project>.agent.<name>: it would answer with a PubAck.
      const sub = nc.subscribe(`cc.${p}.agent.echoer`, {
        callback: (_e, m) => {
          m.respond(JSON.stringify({ output: 'from the agent' }));
        },
      });
      const reply = await nc.request(`cc.${p}.agent.echoer`, '{}', { timeout: 5000 });
      assert.deepEqual(reply.json(), { output: 'from the agent' });
      sub.unsubscribe();
    });

    test('events published while the hub is down are handled once after it starts; a duplicate id creates no second run', async () => {
      await h.services.engine.applyWorkflow(
        p,
        eventWorkflow('audit', [{ event: 'audit.result.fail' }]),
      );
      await bridge.refresh();
      const consumer = await jsm.consumers.info(streamName(p), TRIGGER_CONSUMER);
      assert.equal(consumer.config.durable_name, TRIGGER_CONSUMER);
      await bridge.stop();
      const js = jetstream(nc);
      const subject = `cc.${p}.audit.result.fail`;
      const a1 = await js.publish(subject, JSON.stringify({ repo: 'r1' }), { msgID: 'ext-1' });
      const a2 = await js.publish(subject, JSON.stringify({ repo: 'r1 again' }), {
        msgID: 'ext-1',
      });
      assert.equal(a1.duplicate, false);
      assert.equal(a2.duplicate, true, 'JetStream drops a repeated message id');
      await js.publish(subject, JSON.stringify({ repo: 'r2' })); // no message id: its sequence
      await bridge.start();
      await delivered.wait((m) => m.subject === 'audit.result.fail', 2);
      const runs = await runsOf(h.store, p, 'audit');
      assert.deepEqual(runs.map((r) => r.input.repo).sort(), ['r1', 'r2']);
      const byId = runs.find((r) => r.input.repo === 'r1')!;
      assert.equal(byId.trigger.msgId, 'ext-1');
      assert.equal(byId.trigger.stream, streamName(p));
      assert.equal(typeof runs.find((r) => r.input.repo === 'r2')!.trigger.seq, 'number');
      // Once: a restart redelivers nothing that was acked.
      await bridge.stop();
      await bridge.start();
      await js.publish(subject, JSON.stringify({ repo: 'r3' }), { msgID: 'ext-3' });
      await delivered.wait((m) => m.subject === 'audit.result.fail', 3);
      assert.deepEqual(
        (await outcomesOf(h.store, p, 'audit')).map((o) => o.outcome),
        ['fired', 'fired', 'fired'],
      );
    });

    test('when filters match and reject as written; the API publishes into JetStream', async () => {
      await h.services.engine.applyWorkflow(
        p,
        eventWorkflow('scan', [{ event: 'scan.*.done', when: "{{ event.severity = 'high' }}" }]),
      );
      await bridge.refresh();
      const high = await publish('scan.repo.done', { severity: 'high' }, 'scan-1');
      assert.equal(high.status, 202, high.text);
      assert.deepEqual(high.json, {
        subject: 'scan.repo.done',
        id: 'scan-1',
        duplicate: false,
        bus: 'nats',
      });
      assert.equal(
        (await publish('scan.repo.done', { severity: 'high' }, 'scan-1')).json.duplicate,
        true,
      );
      assert.equal((await publish('scan.repo.done', { severity: 'low' })).status, 202);
      await delivered.wait((m) => m.subject === 'scan.repo.done', 2);
      const outcomes = await outcomesOf(h.store, p, 'scan');
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['filtered', 'fired']);
      assert.match(outcomes.find((o) => o.outcome === 'filtered')!.reason!, /severity/);
      assert.equal((await runsOf(h.store, p, 'scan')).length, 1);
    });

    test('completion events of one workflow start another; a self-triggering chain stops', async () => {
      await h.services.engine.applyWorkflow(
        p,
        eventWorkflow('b', [
          { event: 'workflow.run.succeeded', when: "{{ event.workflow = 'a' }}" },
        ]),
      );
      await h.services.engine.applyWorkflow(
        p,
        eventWorkflow('loop', [
          { event: 'workflow.run.succeeded', when: "{{ event.workflow = 'loop' }}" },
        ]),
      );
      await bridge.refresh();
      const a = await h.services.engine.createRun(p, 'a');
      await h.services.engine.createRun(p, 'loop');
      await h.waitForEvent((e) => e.type === 'workflow.run.succeeded' && e.data.workflow === 'b');
      const [b] = await runsOf(h.store, p, 'b');
      assert.equal((b!.trigger.event as { runId: string }).runId, a.id);
      assert.equal(b!.trigger.depth, 1);
      assert.equal(b!.trigger.stream, streamName(p));
      await delivered.wait(
        (m, e) =>
          m.subject === 'workflow.run.succeeded' &&
          (e as { workflow?: string }).workflow === 'loop',
        MAX_TRIGGER_DEPTH + 1,
      );
      const loop = (await outcomesOf(h.store, p, 'loop')).filter((o) => o.outcome !== 'filtered');
      assert.deepEqual(
        loop.map((o) => o.outcome),
        [...Array<string>(MAX_TRIGGER_DEPTH).fill('fired'), 'rejected'],
      );
      assert.equal((await runsOf(h.store, p, 'loop')).length, MAX_TRIGGER_DEPTH + 1);
    });

    test('two-token subjects are stored when a trigger names their first token', async () => {
      await h.services.engine.applyWorkflow(p, eventWorkflow('deploy', [{ event: 'deploy.done' }]));
      await bridge.refresh();
      const info = await jsm.streams.info(streamName(p));
      assert.ok(info.config.subjects.includes(`cc.${p}.deploy.*`), info.config.subjects.join());
      assert.equal((await publish('deploy.done', { ref: 'main' })).status, 202);
      await delivered.wait((m) => m.subject === 'deploy.done');
      const deploys = await runsOf(h.store, p, 'deploy');
      assert.equal(deploys.length, 1);
      assert.equal(await h.waitForRun(deploys[0]!.id), 'succeeded');
      // Its completion event goes round the bus too (the other triggers filter it): let it land.
      const done = h.events.find(
        (e) => e.type === 'workflow.run.succeeded' && e.runId === deploys[0]!.id,
      )!;
      await delivered.wait((m) => m.msgId === engineMsgId(done.id));
      const before = await h.dump();
      const other = await publish('other.thing', {});
      assertProblem(other, 400, 'CC_E_BAD_REQUEST', ['subject']);
      assert.match(other.json.errors[0].message, /two-token subject/);
      const afterDump = await h.dump();
      assert.ok(afterDump === before, dumpDiff(before, afterDump));
      assert.deepEqual(
        logs.filter((l) => /failed/.test(l)),
        [],
      );
    });

    test('a project whose last event trigger goes loses its consumer (the leader deletes it)', async () => {
      await h.services.engine.registerAgent(q, testAgent);
      await h.services.engine.applyWorkflow(q, eventWorkflow('only', [{ event: 'x.y.z' }]));
      await bridge.refresh();
      assert.equal(
        (await jsm.consumers.info(streamName(q), TRIGGER_CONSUMER)).name,
        TRIGGER_CONSUMER,
      );
      await h.services.engine.catalog.archiveWorkflow(q, 'only');
      await bridge.refresh();
      await assert.rejects(
        jsm.consumers.info(streamName(q), TRIGGER_CONSUMER),
        /consumer not found/,
      );
      assert.ok(
        logs.some((l) => l.includes(`event triggers of ${q}: none left`)),
        logs.join('\n'),
      );
    });
  });
}
