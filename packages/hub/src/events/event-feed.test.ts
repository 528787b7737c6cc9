import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { isCCError } from '@commandcenter/protocol';
import { EventFeed, type FeedEvent, type FeedFilter } from './event-feed.js';
import { formatSse, parseLastEventId, SSE_KEEPALIVE } from './sse.js';
import { startEngine, testAgent } from '../testing/engine-harness.js';
import { openTestStore, storeKinds, testDatabaseUrl } from '../testing/stores.js';
import type { Store } from '../store/port.js';

const wf = (name: string, nodes: unknown[]) => ({ name, nodes });
const node = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'test',
  action,
  ...extra,
});

/** What one subscription received; waits are driven by arriving events (the timeout only fails). */
class Collector {
  readonly events: FeedEvent[] = [];
  private readonly waiters = new Set<() => void>();
  readonly onEvent = (e: FeedEvent) => {
    this.events.push(e);
    for (const w of [...this.waiters]) w();
  };

  until(done: (events: FeedEvent[]) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    if (done(this.events)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done(this.events)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${this.events.length} events`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}

interface Truth {
  cursor: string;
  id: number;
  project: string;
  type: string;
  runId: string | null;
  workflow: string | null;
}

/** The outbox after `from` in feed order, read straight from the table (sentinels left out). */
async function truthAfter(store: Store, from: string): Promise<Truth[]> {
  const [tx, id] = from.split('-');
  const r = await store.query<Truth>(
    `SELECT tx::text || '-' || id AS cursor, id::int AS id, project, type, run_id::text AS "runId",
            data->>'workflow' AS workflow
       FROM events WHERE (tx, id) > ($1::xid8, $2::bigint) AND NOT data ? 'sentinel'
      ORDER BY tx, id`,
    [tx, id],
  );
  return r.rows;
}

const matches = (f: FeedFilter, e: Truth) =>
  (f.projects === null || f.projects.includes(e.project)) &&
  (f.types === undefined || f.types.includes(e.type)) &&
  (f.runId === undefined || e.runId === f.runId) &&
  (f.workflow === undefined || e.workflow === f.workflow);

const sentinelOf = (e: FeedEvent) => (e.data as { sentinel?: number } | null)?.sentinel;
let sentinels = 0;

/**
 * Commits an event that `filter` matches (a sentinel) and waits until `c` has it: everything
 * committed before it has then been offered to `c`, so comparing with the table proves that
 * nothing is missing and nothing is extra. Returns what `c` received, sentinels left out.
 */
async function drain(
  store: Store,
  feed: EventFeed,
  c: Collector,
  filter: FeedFilter = { projects: null },
): Promise<FeedEvent[]> {
  const n = ++sentinels;
  await store.query(
    `INSERT INTO events (project, type, run_id, data) VALUES ($1, $2, $3::uuid, $4::jsonb)`,
    [
      filter.projects?.[0] ?? 'default',
      filter.types?.[0] ?? 'test.sentinel',
      filter.runId ?? null,
      JSON.stringify({ workflow: filter.workflow, sentinel: n }),
    ],
  );
  feed.wake();
  await c.until((es) => es.some((e) => sentinelOf(e) === n), `sentinel ${n}`);
  return c.events.filter((e) => sentinelOf(e) === undefined);
}

const cursors = (es: { cursor: string }[]) => es.map((e) => e.cursor);

function assertIncreasing(es: FeedEvent[]) {
  for (let i = 1; i < es.length; i++) {
    const [at, ai] = es[i - 1]!.cursor.split('-').map(BigInt) as [bigint, bigint];
    const [bt, bi] = es[i]!.cursor.split('-').map(BigInt) as [bigint, bigint];
    assert.ok(at < bt || (at === bt && ai < bi), `cursor ${i} increases`);
  }
}

describe('sse framing', () => {
  test('formatSse writes id, event and one data line; Last-Event-ID is checked', () => {
    const e: FeedEvent = {
      cursor: '812-40',
      id: 40,
      project: 'default',
      type: 'workflow.run.started',
      runId: null,
      data: { text: 'two\nlines' },
      time: '2025-01-01T00:00:00+00:00',
    };
    const s = formatSse(e);
    assert.equal(
      s,
      'id: 812-40\nevent: workflow.run.started\ndata: {"id":40,"project":"default",' +
        '"type":"workflow.run.started","runId":null,"data":{"text":"two\\nlines"},' +
        '"time":"2025-01-01T00:00:00+00:00"}\n\n',
    );
    assert.equal(SSE_KEEPALIVE, ': keepalive\n\n');
    assert.equal(parseLastEventId(undefined), 'now');
    assert.equal(parseLastEventId(' '), 'now');
    assert.equal(parseLastEventId('now'), 'now');
    assert.equal(parseLastEventId('812-40'), '812-40');
    for (const bad of [
      '40',
      'abc',
      '1-2-3',
      '-1-2',
      '99999999999999999999-1',
      '1-9223372036854775808',
    ]) {
      assert.throws(
        () => parseLastEventId(bad),
        (err: any) =>
          isCCError(err) &&
          err.code === 'CC_E_BAD_REQUEST' &&
          err.problems[0]?.path === 'Last-Event-ID',
        bad,
      );
    }
  });
});

for (const kind of storeKinds()) {
  describe(`event feed on ${kind}`, () => {
    test('events an engine writes arrive in order, filtered by project, workflow, run and type', async () => {
      const h = await startEngine(kind);
      const store = h.engine.store;
      const feed = new EventFeed(store, { pollMs: 50, batch: 4 });
      const unwake = h.engine.subscribe(() => feed.wake());
      try {
        await h.engine.registerAgent('other', testAgent);
        await h.engine.applyWorkflow(
          'default',
          wf('alpha', [node('a', 'echo'), node('b', 'echo', { dependsOn: ['a'] })]),
        );
        await h.engine.applyWorkflow('default', wf('beta', [node('a', 'noop')]));
        await h.engine.applyWorkflow('other', wf('alpha', [node('a', 'echo')]));
        const from = await feed.head();

        const filters: Record<string, FeedFilter> = {
          all: { projects: null },
          default: { projects: ['default'] },
          other: { projects: ['other'] },
          both: { projects: ['other', 'default'] },
          alpha: { projects: null, workflow: 'alpha' },
          alphaDefault: { projects: ['default'], workflow: 'alpha' },
          finals: { projects: null, types: ['workflow.run.succeeded', 'workflow.run.failed'] },
        };
        const live = new Map<string, Collector>();
        for (const [name, f] of Object.entries(filters)) {
          live.set(name, new Collector());
          feed.subscribe(f, from, live.get(name)!.onEvent);
        }
        const nothing = new Collector();
        feed.subscribe({ projects: [] }, from, nothing.onEvent);

        const runs: { id: string; project: string; workflow: string }[] = [];
        for (const [project, workflow] of [
          ['default', 'alpha'],
          ['default', 'beta'],
          ['other', 'alpha'],
          ['default', 'alpha'],
        ] as const) {
          const r = await h.engine.createRun(project, workflow);
          assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
          runs.push({ id: r.id, project, workflow });
        }
        const all = await drain(store, feed, live.get('all')!);
        const truth = await truthAfter(store, from);
        assert.deepEqual(cursors(all), cursors(truth));
        assertIncreasing(all);
        // Exactly the events the engine published, with the same content...
        const published = h.events.filter((e) => runs.some((r) => r.id === e.runId));
        assert.deepEqual(
          all.map(({ cursor: _c, ...e }) => e).sort((a, b) => a.id - b.id),
          [...published].sort((a, b) => a.id - b.id),
        );
        // ...and each run's in the order the engine wrote them.
        for (const r of runs) {
          const types = all.filter((e) => e.runId === r.id).map((e) => e.type);
          assert.deepEqual(
            types,
            published.filter((e) => e.runId === r.id).map((e) => e.type),
          );
          assert.equal(types[0], 'workflow.run.queued');
          assert.equal(types.at(-1), 'workflow.run.succeeded');
        }

        // The same filters again, served by a catch-up from `from` (batch 4: several pages),
        // and a filter by run.
        const later = new Map<string, Collector>();
        for (const [name, f] of Object.entries(filters)) {
          later.set(name, new Collector());
          feed.subscribe(f, from, later.get(name)!.onEvent);
        }
        filters.byRun = { projects: ['default'], runId: runs[1]!.id.toUpperCase() };
        later.set('byRun', new Collector());
        feed.subscribe(filters.byRun, from, later.get('byRun')!.onEvent);
        for (const [name, f] of Object.entries(filters)) {
          const expected = cursors(
            truth.filter((e) => matches({ ...f, runId: f.runId?.toLowerCase() }, e)),
          );
          assert.ok(expected.length > 0, `filter ${name} has events`);
          for (const c of [live.get(name), later.get(name)]) {
            if (c) assert.deepEqual(cursors(await drain(store, feed, c, f)), expected, name);
          }
        }
        assert.deepEqual(nothing.events, []);
        const got = (name: string) =>
          later.get(name)!.events.filter((e) => sentinelOf(e) === undefined);
        assert.ok(got('other').every((e) => e.project === 'other'));
        assert.deepEqual(
          [...new Set(got('alphaDefault').map((e) => e.runId))],
          [runs[0]!.id, runs[3]!.id],
        );
        assert.deepEqual(
          [...new Set(got('alpha').map((e) => e.runId))],
          [runs[0]!.id, runs[2]!.id, runs[3]!.id],
        );
        assert.deepEqual(
          got('finals').map((e) => e.runId),
          runs.map((r) => r.id),
        );
        assert.equal(got('byRun').at(-1)?.type, 'workflow.run.succeeded');

        assert.throws(
          () => feed.subscribe({ projects: null }, 'nonsense', () => {}),
          (err: any) =>
            isCCError(err) &&
            err.code === 'CC_E_BAD_REQUEST' &&
            err.problems[0]?.path === 'Last-Event-ID',
        );
        assert.throws(
          () => feed.subscribe({ projects: null, runId: 'x' }, 'now', () => {}),
          (err: any) => isCCError(err) && err.code === 'CC_E_BAD_REQUEST',
        );
      } finally {
        unwake();
        await feed.close();
        await h.close();
      }
    });

    test('resuming from any delivered cursor delivers exactly the rest', async () => {
      const store = await openTestStore(kind);
      const feed = new EventFeed(store, { pollMs: 50, batch: 3 });
      try {
        const from = await feed.head();
        for (let i = 0; i < 7; i++) {
          await store.transaction(async (tx) => {
            for (let j = 0; j <= i % 3; j++) {
              await tx.query(`SELECT cc_emit('default', 'test.write', NULL, $1::jsonb)`, [
                JSON.stringify({ i, j }),
              ]);
            }
          });
        }
        const first = new Collector();
        feed.subscribe({ projects: null }, from, first.onEvent);
        const all = await drain(store, feed, first);
        assert.equal(all.length, 13);
        assert.deepEqual(cursors(all), cursors(await truthAfter(store, from)));
        assert.deepEqual(
          all.map((e) => e.data),
          [0, 1, 2, 3, 4, 5, 6].flatMap((i) =>
            Array.from({ length: (i % 3) + 1 }, (_, j) => ({ i, j })),
          ),
        );
        for (let k = 0; k < all.length; k++) {
          const c = new Collector();
          feed.subscribe({ projects: null }, all[k]!.cursor, c.onEvent);
          assert.deepEqual(cursors(await drain(store, feed, c)), cursors(all.slice(k + 1)));
        }
        // From the head: only what is written afterwards.
        const fresh = new Collector();
        feed.subscribe({ projects: null }, await feed.head(), fresh.onEvent);
        await store.query(`SELECT cc_emit('default', 'test.after', NULL, '{}'::jsonb)`);
        assert.deepEqual(
          (await drain(store, feed, fresh)).map((e) => e.type),
          ['test.after'],
        );
      } finally {
        await feed.close();
        await store.drop();
      }
    });

    test('no duplicates or gaps across catch-up → live hand-over while events keep coming', async () => {
      const store = await openTestStore(kind);
      const feed = new EventFeed(store, { pollMs: 5, batch: 5 });
      const subs: { c: Collector; start: string }[] = [];
      try {
        const from = await feed.head();
        const first = new Collector();
        feed.subscribe({ projects: null }, from, first.onEvent);
        subs.push({ c: first, start: from });
        let written = 0;
        // Concurrent writers (on PostgreSQL their transactions overlap and commit out of order);
        // every 15 transactions someone (re)connects: from the start, from 'now', or from the
        // last event another subscriber has received.
        const writer = async (w: number) => {
          for (let i = 0; i < 60; i++) {
            await store.transaction(async (tx) => {
              for (let j = 0; j < 1 + ((i + w) % 3); j++) {
                await tx.query(`SELECT cc_emit('default', 'test.write', NULL, $1::jsonb)`, [
                  JSON.stringify({ w, i, j }),
                ]);
              }
            });
            if (i % 10 === 0) feed.wake();
            if (++written % 15 !== 0) continue;
            const c = new Collector();
            const prev = subs.at(-1)!.c.events.at(-1)?.cursor;
            const start = written % 45 === 0 ? 'now' : written % 30 === 0 && prev ? prev : from;
            feed.subscribe({ projects: null }, start, c.onEvent);
            subs.push({ c, start });
          }
        };
        await Promise.all(Array.from({ length: kind === 'postgres' ? 4 : 1 }, (_, w) => writer(w)));
        assert.ok(subs.length >= 5);
        const truth = cursors(await truthAfter(store, from));
        for (const { c, start } of subs) {
          const got = cursors(await drain(store, feed, c));
          let expected: string[];
          if (start === 'now') {
            // 'now' joins the tail where it is: from then on, everything.
            expected = got.length ? truth.slice(truth.indexOf(got[0]!)) : [];
          } else {
            expected = start === from ? truth : truth.slice(truth.indexOf(start) + 1);
          }
          assert.deepEqual(got, expected, `subscriber from ${start}`);
        }
        assert.ok(subs.some((s) => s.start === 'now' && s.c.events.length > 1));
      } finally {
        await feed.close();
        await store.drop();
      }
    });

    test('a failing read is reported and retried; the process keeps running', async () => {
      const store = await openTestStore(kind);
      const errors: unknown[] = [];
      let failing = true;
      let failed!: () => void;
      const firstFailure = new Promise<void>((resolve) => (failed = resolve));
      const flaky: Store = Object.assign(Object.create(store) as Store, {
        query: (sql: string, params?: unknown[]) =>
          failing && sql.includes('LEFT JOIN LATERAL')
            ? Promise.reject(new Error('connection reset'))
            : store.query(sql, params),
      });
      const feed = new EventFeed(flaky, {
        pollMs: 10,
        onError: (err) => {
          errors.push(err);
          failed();
        },
      });
      try {
        const c = new Collector();
        feed.subscribe({ projects: null }, await feed.head(), c.onEvent);
        await emit(store);
        await firstFailure;
        failing = false;
        assert.deepEqual(
          (await drain(store, feed, c)).map((e) => e.type),
          ['test.x'],
        );
        assert.match(String(errors[0]), /connection reset/);
      } finally {
        await feed.close();
        await store.drop();
      }
      function emit(s: Store) {
        return s.query(`SELECT cc_emit('default', 'test.x', NULL, '{}'::jsonb)`);
      }
    });
  });
}

if (testDatabaseUrl()) {
  describe('event feed on postgres: transactions that commit out of order', () => {
    test('an event is delivered only once every older transaction has ended', async () => {
      const store = await openTestStore('postgres');
      const polls = watchPolls(store);
      const feed = new EventFeed(polls.store, { pollMs: 20 });
      const client = () =>
        new pg.Client({
          connectionString: testDatabaseUrl(),
          options: `-c search_path=${store.schema}`,
        });
      const a = client();
      const r = client();
      await a.connect();
      await r.connect();
      const emit = async (q: pg.Client | Store, type: string) => {
        const sql = `SELECT cc_emit('default', $1, NULL, '{}'::jsonb)`;
        await (q instanceof pg.Client ? q.query(sql, [type]) : q.query(sql, [type]));
      };
      try {
        const from = await feed.head();
        const c = new Collector();
        feed.subscribe({ projects: null }, from, c.onEvent);

        // A writes a1; B commits b1 (a later id) meanwhile; A then writes a2 (a plain INSERT,
        // with an id above b1's) and commits last.
        await a.query('BEGIN');
        await emit(a, 'test.a1');
        await emit(store, 'test.b1');
        await a.query(
          `INSERT INTO events (project, type, run_id, data) VALUES ('default', 'test.a2', NULL, '{}')`,
        );
        await emit(store, 'test.b2');
        feed.wake();
        await polls.completedAfterNow(2);
        assert.deepEqual(c.events, [], 'nothing after an open transaction is delivered');
        // A subscriber resuming meanwhile is held back the same way.
        const resumer = new Collector();
        feed.subscribe({ projects: null }, from, resumer.onEvent);
        await polls.completedAfterNow(2);
        assert.deepEqual(resumer.events, []);

        await a.query('COMMIT');
        feed.wake();
        const got = await drain(store, feed, c);
        assert.deepEqual(
          got.map((e) => e.type),
          ['test.a1', 'test.a2', 'test.b1', 'test.b2'],
        );
        assert.ok(got[1]!.id > got[2]!.id, 'a2 has a later id than b1');
        assert.deepEqual(cursors(await drain(store, feed, resumer)), cursors(got));
        // Resuming from the cursor of any delivered event misses nothing.
        for (let k = 0; k < got.length; k++) {
          const x = new Collector();
          feed.subscribe({ projects: null }, got[k]!.cursor, x.onEvent);
          assert.deepEqual(cursors(await drain(store, feed, x)), cursors(got.slice(k + 1)));
        }

        // A rolled-back transaction leaves nothing behind and holds nothing up.
        const tail = new Collector();
        feed.subscribe({ projects: null }, await feed.head(), tail.onEvent);
        await r.query('BEGIN');
        await emit(r, 'test.rolled-back');
        await emit(store, 'test.c1');
        await r.query('ROLLBACK');
        assert.deepEqual(
          (await drain(store, feed, tail)).map((e) => e.type),
          ['test.c1'],
        );
      } finally {
        await a.end().catch(() => {});
        await r.end().catch(() => {});
        await feed.close();
        await store.drop();
      }
    });
  });
}

/**
 * Instrumentation around the real store: tells when tail reads (the query carrying the
 * watermark) complete, so a test can wait for "a read that began after this point" instead of
 * sleeping.
 */
function watchPolls(store: Store) {
  let started = 0;
  let completed: number[] = [];
  const waiters = new Set<() => void>();
  const wrapped: Store = Object.assign(Object.create(store) as Store, {
    query: async (sql: string, params?: unknown[]) => {
      const isTail = sql.includes('LEFT JOIN LATERAL');
      const n = isTail ? ++started : 0;
      try {
        return await store.query(sql, params);
      } finally {
        if (isTail) {
          completed.push(n);
          for (const w of [...waiters]) w();
        }
      }
    },
  });
  return {
    store: wrapped,
    /** Resolves when `k` tail reads that started after this call have completed. */
    completedAfterNow(k: number): Promise<void> {
      const after = started;
      completed = completed.filter((n) => n > after);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (completed.filter((n) => n > after).length < k) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => reject(new Error('no tail read completed')), 30_000);
        waiters.add(check);
      });
    },
  };
}

for (const kind of storeKinds()) {
  describe(`event feed positions on ${kind}`, () => {
    test('a subscription with a rare filter advances its position past events it skips', async () => {
      const store = await openTestStore(kind);
      const feed = new EventFeed(store, { pollMs: 50 });
      try {
        const from = await feed.head();
        const rare = new Collector();
        const sub = feed.subscribe(
          { projects: null, types: ['agent.registered'] },
          from,
          rare.onEvent,
        );
        const all = new Collector();
        feed.subscribe({ projects: null }, from, all.onEvent);
        for (let i = 0; i < 5; i++) {
          await store.query(
            `INSERT INTO events (project, type, run_id, data) VALUES ('default', 'test.other', NULL, '{}')`,
          );
        }
        const seen = await drain(store, feed, all);
        assert.equal(seen.length, 5);
        assert.equal(rare.events.length, 0);
        // The tail offered the sentinel to every live subscription before `all` got it.
        const last = all.events.at(-1)!.cursor;
        assert.equal(sub.position(), last);
        // Resuming from that position: nothing skipped is repeated, what matches still comes.
        const resumed = new Collector();
        feed.subscribe({ projects: null, types: ['agent.registered'] }, last, resumed.onEvent);
        await store.query(
          `INSERT INTO events (project, type, run_id, data) VALUES ('default', 'agent.registered', NULL, '{"name":"x"}')`,
        );
        feed.wake();
        await resumed.until((es) => es.length === 1, 'the matching event');
        await rare.until((es) => es.length === 1, 'the matching event');
        assert.equal(resumed.events[0]!.type, 'agent.registered');
        assert.equal(sub.position(), rare.events[0]!.cursor);
      } finally {
        await feed.close();
        await store.drop();
      }
    });
  });
}
