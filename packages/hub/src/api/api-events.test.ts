import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { V1, node, readSse } from '../testing/api-harness.js';
import { apiSuite } from '../testing/api-suite.js';
import { storeKinds } from '../testing/stores.js';

/** The live event stream (Server-Sent Events): filters, resuming, isolation. */

for (const kind of storeKinds()) {
  describe(`REST API events on ${kind}`, () => {
    const api = apiSuite(kind);

    before(async () => {
      for (const name of ['alpha', 'beta']) await api.createProject(name);
      await api.apply({
        name: 'wf-noise',
        nodes: [node('a', 'echo', { inputs: { i: '{{ input.i }}' } })],
      });
    });

    test('events: SSE filtered by run, resumable with Last-Event-ID (exactly the missed events)', async () => {
      const base = await api.h.listen();
      await api.apply({
        name: 'wf-sse',
        nodes: [
          node('a', 'echo', { inputs: { n: 1 } }),
          node('b', 'echo', { dependsOn: ['a'], inputs: { n: 2 } }),
        ],
      });
      const headers = { authorization: `Bearer ${api.h.admin}` };
      const start = await api.h.services.feed.head();
      const noise = await api.runToEnd('wf-noise', { i: 99 });
      const runId = await api.runToEnd('wf-sse');
      const truth = await api.h.store.query<{ type: string }>(
        `SELECT type FROM events WHERE run_id = $1 ORDER BY tx, id`,
        [runId],
      );
      const types = truth.rows.map((r) => r.type);
      assert.equal(types.at(-1), 'workflow.run.succeeded');

      const done = (ms: { event?: string }[]) =>
        ms.some((m) => m.event === 'workflow.run.succeeded');
      const all = await readSse(
        `${base}${V1}/events?run=${runId}`,
        { ...headers, 'last-event-id': start },
        done,
      );
      assert.equal(all.status, 200);
      assert.match(String(all.contentType), /^text\/event-stream/);
      const evs = all.messages.map((m) => ({ ...m, json: JSON.parse(m.data) }));
      assert.deepEqual(
        evs.map((e) => e.event),
        types,
        'every event of the run, in order, nothing of other runs',
      );
      for (const e of evs) {
        assert.equal(e.json.runId, runId);
        assert.equal(e.json.type, e.event);
        assert.ok(e.id);
      }
      assert.ok(!all.raw.includes(noise));

      // Resume after the third event: exactly the rest.
      const k = 2;
      const rest = await readSse(
        `${base}${V1}/events?run=${runId}`,
        { ...headers, 'last-event-id': evs[k]!.id! },
        done,
      );
      assert.deepEqual(
        rest.messages.map((m) => m.id),
        evs.slice(k + 1).map((e) => e.id),
      );
      // The same through ?lastEventId= (clients that cannot set headers), filtered by type.
      const typed = await readSse(
        `${base}${V1}/events?run=${runId}&types=workflow.step.succeeded,workflow.run.succeeded&lastEventId=${start}`,
        headers,
        done,
      );
      assert.deepEqual(
        typed.messages.map((m) => m.event),
        ['workflow.step.succeeded', 'workflow.step.succeeded', 'workflow.run.succeeded'],
      );

      // Live: a stream opened now receives the next run's events as they happen.
      const liveDone = (ms: { event?: string }[]) =>
        ms.some((m) => m.event === 'workflow.run.succeeded');
      let opened!: () => void;
      const isOpen = new Promise<void>((resolve) => (opened = resolve));
      const live = readSse(`${base}${V1}/events?workflow=wf-sse`, headers, liveDone, {
        onOpen: opened,
      });
      await isOpen;
      const r = await api.h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-sse' } });
      api.expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      const got = await live;
      assert.ok(
        got.messages.every((m) => JSON.parse(m.data).data.workflow === 'wf-sse'),
        'workflow filter',
      );
      assert.ok(got.messages.some((m) => JSON.parse(m.data).runId === r.json.id));

      // Another project's stream is not found; a bad Last-Event-ID is a 400 before streaming.
      const alphaViewer = await api.h.token('viewer', 'alpha');
      const foreign = await readSse(
        `${base}${V1}/events?project=beta`,
        { authorization: `Bearer ${alphaViewer}` },
        () => true,
      );
      assert.equal(foreign.status, 404);
      const bad = await readSse(
        `${base}${V1}/events`,
        { ...headers, 'last-event-id': 'nope' },
        () => true,
      );
      assert.equal(bad.status, 400);
      assert.equal(JSON.parse(bad.raw).code, 'CC_E_BAD_REQUEST');
    });

    test('audit: every mutation above is recorded with actor, action, target and ip', async () => {
      await api.auditTrail();
    });
  });
}
