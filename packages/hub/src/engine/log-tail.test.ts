import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startEngine, waitForEvent, type Harness } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';
import { LOG_START, readLogTail, type LogCursor, type TailRead } from './log-tail.js';
import { LogWriter } from './log-writer.js';

/**
 * The read side of live log streams: each line once, in `(tx, id)` order, never one that a
 * still-open transaction could precede; everything once the run has ended.
 */

for (const kind of storeKinds()) {
  describe(`log tail on ${kind}`, () => {
    let h: Harness;
    let writer: LogWriter;
    let runId: string;

    before(async () => {
      h = await startEngine(kind);
      writer = new LogWriter(h.store);
      await h.engine.applyWorkflow('default', {
        name: 'wf-sleep',
        nodes: [{ id: 'a', agent: 'test', action: 'sleep', inputs: { ms: 3_600_000 } }],
      });
      runId = (await h.engine.createRun('default', 'wf-sleep')).id;
      await waitForEvent(h, (e) => e.type === 'workflow.step.started' && e.runId === runId);
    });
    after(async () => h?.close());

    /**
     * Reads until `n` lines came (other tests' transactions on the same server may hold lines
     * back for a moment: the watermark is server-wide). Bounded.
     */
    const readLines = async (
      after: LogCursor,
      n: number,
      opts: { step?: string; run?: string } = {},
    ): Promise<TailRead> => {
      const read = () =>
        readLogTail(h.store, opts.run ?? runId, after, { step: opts.step, limit: 100 });
      let r = await read();
      for (let i = 0; i < 200 && r.lines.length < n; i++) {
        await sleep(25);
        r = await read();
      }
      return r;
    };

    test('each stored line once, in order; limits and step filters; everything once ended', async () => {
      writer.append(runId, 'a', 1, 'one');
      writer.append(runId, 'a', 1, 'two');
      writer.append(runId, 'b', 1, 'three');
      await writer.flush();
      const all = await readLines(LOG_START, 3);
      assert.deepEqual(
        all.lines.map((l) => [l.stepKey, l.attempt, l.line]),
        [
          ['a', 1, 'one'],
          ['a', 1, 'two'],
          ['b', 1, 'three'],
        ],
      );
      assert.equal(all.status, 'running');
      assert.equal(all.finished, false);
      const last = all.lines.at(-1)!.cursor;
      assert.deepEqual((await readLogTail(h.store, runId, last, { limit: 100 })).lines, []);

      const first = await readLogTail(h.store, runId, LOG_START, { limit: 1 });
      assert.deepEqual(
        first.lines.map((l) => l.line),
        ['one'],
      );
      const rest = await readLines(first.lines[0]!.cursor, 2);
      assert.deepEqual(
        rest.lines.map((l) => l.line),
        ['two', 'three'],
      );
      const onlyB = await readLines(LOG_START, 1, { step: 'b' });
      assert.deepEqual(
        onlyB.lines.map((l) => l.line),
        ['three'],
      );

      await h.engine.cancelRun('default', runId);
      const ended = await readLogTail(h.store, runId, last, { limit: 100 });
      assert.equal(ended.status, 'cancelled');
      assert.equal(ended.finished, true);
      assert.deepEqual(ended.lines, []);
      const unknown = await readLogTail(
        h.store,
        '00000000-0000-4000-8000-000000000000',
        LOG_START,
        { limit: 10 },
      );
      assert.deepEqual([unknown.status, unknown.lines], [null, []]);
    });

    if (kind === 'postgres') {
      test('a line behind a still-open transaction is held back, then both come in order', async () => {
        const run = (await h.engine.createRun('default', 'wf-sleep')).id;
        await waitForEvent(h, (e) => e.type === 'workflow.step.started' && e.runId === run);
        // Another connection stores a line and keeps its transaction open...
        const session = await h.store.session();
        try {
          await session.query('BEGIN');
          await session.query(
            `INSERT INTO step_logs (run_id, step_key, attempt, ts, line) VALUES ($1, 'a', 1, now(), 'older')`,
            [run],
          );
          // ...while a later transaction stores and commits its own.
          writer.append(run, 'a', 1, 'newer');
          await writer.flush();
          const held = await readLogTail(h.store, run, LOG_START, { limit: 100 });
          assert.deepEqual(
            held.lines,
            [],
            '"newer" must wait: "older" may still be stored before it',
          );
          assert.equal(held.held, true);
          await session.query('COMMIT');
        } finally {
          await session.query('ROLLBACK').catch(() => {});
          await session.release();
        }
        const both = await readLines(LOG_START, 2, { run });
        assert.deepEqual(
          both.lines.map((l) => l.line),
          ['older', 'newer'],
        );
        await h.engine.cancelRun('default', run);
      });
    }
  });
}
