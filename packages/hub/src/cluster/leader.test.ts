import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaderLock } from './leader.js';
import { openPgStore } from '../store/pg-store.js';
import { openTestStore, testDatabaseUrl } from '../testing/stores.js';
import type { Store } from '../store/port.js';

/** Leadership changes of one lock, awaited as they happen (no sleeps). */
function watch() {
  const changes: boolean[] = [];
  const waiters = new Set<() => void>();
  return {
    changes,
    onChange: (leader: boolean) => {
      changes.push(leader);
      for (const w of [...waiters]) w();
    },
    /** Resolves once the lock has changed to `leader` (again) after `seen` changes. */
    next(leader: boolean, seen = changes.length): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!changes.slice(seen).includes(leader)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(
          () => reject(new Error(`leadership never became ${leader}: ${changes.join(',')}`)),
          30_000,
        );
        timer.unref();
        waiters.add(check);
        check();
      });
    },
  };
}

describe('leader lock on pglite', () => {
  test('the one process is leader at once', async () => {
    const store = await openTestStore('pglite');
    const w = watch();
    const lock = new LeaderLock(store, 'cron', { retryMs: 50, onChange: w.onChange });
    try {
      await lock.start();
      assert.equal(lock.isLeader, true);
      assert.deepEqual(w.changes, [true]);
      await lock.stop();
      assert.equal(lock.isLeader, false);
      assert.deepEqual(w.changes, [true, false]);
      await lock.start();
      assert.equal(lock.isLeader, true);
    } finally {
      await lock.stop();
      await store.drop();
    }
  });
});

if (testDatabaseUrl()) {
  describe('leader lock on postgres', () => {
    test('exactly one of two processes leads; the other takes over when it stops', async () => {
      const first = await openTestStore('postgres');
      const second = await openPgStore({
        connectionString: testDatabaseUrl()!,
        schema: first.schema,
      });
      const w1 = watch();
      const w2 = watch();
      const errors: unknown[] = [];
      const l1 = new LeaderLock(first, 'cron', { retryMs: 50, onChange: w1.onChange });
      const l2 = new LeaderLock(second, 'cron', {
        retryMs: 50,
        onChange: w2.onChange,
        onError: (e) => errors.push(e),
      });
      try {
        await l1.start();
        await l2.start();
        assert.equal(l1.isLeader, true);
        assert.equal(l2.isLeader, false);
        // Another name, or the same name in another schema, is another lock.
        const other = new LeaderLock(second, 'retention', { retryMs: 50 });
        await other.start();
        assert.equal(other.isLeader, true);
        await other.stop();

        const takeover = w2.next(true);
        await l1.stop();
        assert.deepEqual(w1.changes, [true, false]);
        await takeover;
        assert.equal(l2.isLeader, true);
        assert.equal(l1.isLeader, false);

        // The first comes back: it waits while the second leads.
        await l1.start();
        assert.equal(l1.isLeader, false);
        assert.deepEqual(errors, []);
      } finally {
        await l1.stop();
        await l2.stop();
        await second.close();
        await first.drop();
      }
    });

    test('losing the connection loses leadership; retrying re-acquires it', async () => {
      const first = await openTestStore('postgres');
      const second = await openPgStore({
        connectionString: testDatabaseUrl()!,
        schema: first.schema,
      });
      const w = [watch(), watch()];
      const locks = [first, second].map(
        (store, i) =>
          new LeaderLock(store, 'cron', {
            retryMs: 50,
            onChange: w[i]!.onChange,
            onError: () => {},
          }),
      );
      try {
        for (const l of locks) await l.start();
        assert.deepEqual(
          locks.map((l) => l.isLeader),
          [true, false],
        );
        for (let round = 0; round < 3; round++) {
          const leader = locks.findIndex((l) => l.isLeader);
          const lost = w[leader]!.next(false);
          // Whichever retries first wins: the old leader (a new connection) or the other one.
          const seen = w.map((x) => x.changes.length);
          const someone = Promise.race(w.map((x, i) => x.next(true, seen[i])));
          assert.equal(await terminateHolder(first, 'cron'), 1);
          await lost;
          await someone;
          assert.equal(locks.filter((l) => l.isLeader).length, 1, `round ${round}`);
        }
      } finally {
        for (const l of locks) await l.stop();
        await second.close();
        await first.drop();
      }
    });

    test('a store session is a dedicated connection in the store schema', async () => {
      const store = await openTestStore('postgres');
      try {
        const s = await store.session();
        const pool = await store.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const mine = await s.query<{ pid: number; schema: string }>(
          'SELECT pg_backend_pid() AS pid, current_schema() AS schema',
        );
        assert.notEqual(mine.rows[0]!.pid, pool.rows[0]!.pid);
        assert.equal(mine.rows[0]!.schema, store.schema);
        await s.release();
        await s.ended;
      } finally {
        await store.drop();
      }
    });
  });
}

/** Kills the backend holding the leader lock `name` of this schema (as a server restart would). */
async function terminateHolder(store: Store, name: string): Promise<number> {
  const r = await store.query<{ n: number }>(
    `WITH k AS (SELECT hashtextextended($1, 0) AS key)
     SELECT count(pg_terminate_backend(l.pid))::int AS n
       FROM pg_locks l, k
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = oid((k.key >> 32) & 4294967295) AND l.objid = oid(k.key & 4294967295)`,
    [`cc-leader:${store.schema}:${name}`],
  );
  return r.rows[0]!.n;
}
