import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HubClient } from '@commandcenter/protocol/client';
import { LogWriter } from '../engine/log-writer.js';
import { openStore } from '../store/open-store.js';
import {
  MISSING_ID,
  V1,
  assertProblem,
  node,
  openApiHarness,
  readSse,
  type ApiHarness,
  type ApiResponse,
  type SseMessage,
} from '../testing/api-harness.js';
import { storeKinds, testDatabaseUrl } from '../testing/stores.js';

/**
 * `GET /runs/{id}/logs/stream`: stored lines, then live ones (woken by the log writer's NOTIFY,
 * from this process or another one), then `end`; resumable; 404 for runs the caller cannot see.
 */

const slowEcho = fileURLToPath(new URL('../executors/fixtures/slow-echo.mjs', import.meta.url));

/** A process agent that logs "slow-echo started", waits for a file, logs "slow-echo done". */
const slowAgent = {
  name: 'slow',
  version: '1.0.0',
  type: 'process',
  risk: 'low',
  runtime: { command: [process.execPath, slowEcho] },
  actions: { run: {} },
};

const lines = (ms: SseMessage[]) =>
  ms.filter((m) => m.event === 'log').map((m) => JSON.parse(m.data) as { line: string });
const ended = (ms: SseMessage[]) => ms.some((m) => m.event === 'end');

/** `(tx, id)` of a stream cursor, for ordering checks. */
const position = (cursor: string) => cursor.split('-').map(BigInt) as [bigint, bigint];
const before_ = (a: string, b: string) => {
  const [ta, ia] = position(a);
  const [tb, ib] = position(b);
  return ta < tb || (ta === tb && ia < ib);
};

for (const kind of storeKinds()) {
  describe(`REST API live logs on ${kind}`, () => {
    let h: ApiHarness;
    let base: string;
    let auth: Record<string, string>;
    let dir: string;

    before(async () => {
      // Keep-alives (which also re-read) far beyond every wait here: lines arrive by NOTIFY.
      h = await openApiHarness(kind, { sseKeepaliveMs: 600_000 });
      base = await h.listen();
      auth = { authorization: `Bearer ${h.admin}` };
      dir = mkdtempSync(join(tmpdir(), 'cc-logs-'));
      const agent = await h.call('POST', `${V1}/agents`, { body: slowAgent });
      assert.equal(agent.status, 201, agent.text);
      for (const doc of [
        {
          name: 'wf-slow',
          nodes: [
            { id: 'a', agent: 'slow', action: 'run', inputs: { untilFile: '{{ input.file }}' } },
          ],
        },
        { name: 'wf-sleep', nodes: [node('a', 'sleep', { inputs: { ms: 3_600_000 } })] },
      ]) {
        const r = await h.call('POST', `${V1}/workflows`, { body: doc });
        assert.equal(r.status, 201, r.text);
      }
    });
    after(async () => {
      await h?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const start = async (workflow: string, input: unknown = {}) => {
      const r = await h.call('POST', `${V1}/runs`, { body: { workflow, input } });
      assert.equal(r.status, 202, r.text);
      return r.json.id as string;
    };

    test('lines arrive while the step runs, then `end`; resumable with Last-Event-ID and ?cursor=', async () => {
      const file = join(dir, 'go-1');
      const runId = await start('wf-slow', { file });
      const url = `${base}${V1}/runs/${runId}/logs/stream`;
      // The step waits for the file, which is written only once its first line came through the
      // stream: that line arrived while the run was live.
      let sawFirstLine = false;
      const live = await readSse(url, auth, (ms) => {
        if (!sawFirstLine && lines(ms).some((l) => l.line === 'slow-echo started')) {
          sawFirstLine = true;
          writeFileSync(file, 'go');
        }
        return ended(ms);
      });
      assert.equal(live.status, 200);
      assert.match(String(live.contentType), /^text\/event-stream/);
      assert.ok(sawFirstLine);
      assert.equal(await h.waitForRun(runId), 'succeeded');

      const end = live.messages.at(-1)!;
      assert.equal(end.event, 'end');
      assert.deepEqual(JSON.parse(end.data), { status: 'succeeded' });
      const logs = live.messages.filter((m) => m.event === 'log');
      const texts = lines(logs).map((l) => l.line);
      assert.ok(
        texts.indexOf('slow-echo started') < texts.indexOf('slow-echo done'),
        texts.join('\n'),
      );
      for (let i = 1; i < logs.length; i++) assert.ok(before_(logs[i - 1]!.id!, logs[i]!.id!));

      // Exactly the stored lines, in order, each as GET /logs shows it.
      const stored = await h.call('GET', `${V1}/runs/${runId}/logs?limit=500`);
      assert.deepEqual(
        logs.map((m) => JSON.parse(m.data)),
        stored.json.items,
      );

      // Resuming after the first line sends the rest, then `end`; after the last, only `end`.
      const first = logs[0]!.id!;
      const rest = await readSse(url, { ...auth, 'last-event-id': first }, ended);
      assert.deepEqual(
        rest.messages.map((m) => m.id ?? m.event),
        [...logs.slice(1).map((m) => m.id), 'end'],
      );
      const byQuery = await readSse(`${url}?cursor=${first}`, auth, ended);
      assert.deepEqual(byQuery.messages, rest.messages);
      // Last-Event-ID (a reconnection) wins over the ?cursor= the stream was opened with.
      const resumed = await readSse(
        `${url}?cursor=${first}`,
        { ...auth, 'last-event-id': logs.at(-1)!.id! },
        ended,
      );
      assert.deepEqual(
        resumed.messages.map((m) => m.event),
        ['end'],
      );
      // A step filter that matches nothing: just `end`.
      const none = await readSse(`${url}?step=nope`, auth, ended);
      assert.deepEqual(
        none.messages.map((m) => m.event),
        ['end'],
      );

      // The typed client: the same lines with their cursors; `cursor` resumes; `end` ends it.
      const client = new HubClient({ url: base, token: h.admin });
      const followed = [];
      for await (const l of client.followLogs(runId)) followed.push(l);
      assert.deepEqual(
        followed.map(({ cursor, ...l }) => [cursor, l]),
        logs.map((m) => [m.id, JSON.parse(m.data)]),
      );
      const after = [];
      for await (const l of client.followLogs(runId, { cursor: first })) after.push(l.cursor);
      assert.deepEqual(
        after,
        logs.slice(1).map((m) => m.id),
      );
    });

    test('a line stored by another process wakes the stream; cancelling the run ends it', async () => {
      const runId = await start('wf-sleep');
      await h.waitForEvent((e) => e.type === 'workflow.step.started' && e.runId === runId);
      // Another process's log writer: its own connection to the same database (PostgreSQL);
      // PGlite is one process, so its writer is the store the hub uses.
      const url = testDatabaseUrl();
      const other =
        kind === 'postgres' && url
          ? await openStore({ databaseUrl: url, schema: h.store.schema, poolSize: 2 })
          : h.store;
      const writer = new LogWriter(other);
      let cancelled: Promise<ApiResponse> | undefined;
      try {
        let wrote = false;
        const stream = await readSse(
          `${base}${V1}/runs/${runId}/logs/stream`,
          auth,
          (ms) => {
            if (!wrote) {
              wrote = true;
              writer.append(runId, 'a', 1, 'written elsewhere');
              void writer.flush();
            }
            if (!cancelled && lines(ms).some((l) => l.line === 'written elsewhere')) {
              cancelled = h.call('POST', `${V1}/runs/${runId}/cancel`, { body: {} });
            }
            return ended(ms);
          },
          { timeoutMs: 60_000 },
        );
        assert.deepEqual(
          lines(stream.messages).map((l) => l.line),
          ['written elsewhere'],
        );
        assert.deepEqual(JSON.parse(stream.messages.at(-1)!.data), { status: 'cancelled' });
        assert.equal((await cancelled!).status, 200);
      } finally {
        await cancelled;
        await writer.flush();
        if (other !== h.store) await other.close();
      }
    });

    test('unknown runs and runs of another project are 404 before any stream opens', async () => {
      const runId = await start('wf-slow', { file: join(dir, 'never') });
      try {
        assertProblem(
          await h.call('GET', `${V1}/runs/${MISSING_ID}/logs/stream`),
          404,
          'CC_E_NOT_FOUND',
        );
        const created = await h.call('POST', `${V1}/projects`, { body: { name: 'other' } });
        assert.equal(created.status, 201, created.text);
        const foreign = await h.token('viewer', 'other');
        assertProblem(
          await h.call('GET', `${V1}/runs/${runId}/logs/stream`, { token: foreign }),
          404,
          'CC_E_NOT_FOUND',
        );
      } finally {
        await h.call('POST', `${V1}/runs/${runId}/cancel`, { body: {} });
      }
    });
  });
}
