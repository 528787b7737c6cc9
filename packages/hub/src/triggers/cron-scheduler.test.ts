/**
 * The cron scheduler over a real engine and store (PGlite, and PostgreSQL when available), moved
 * by a manual clock: the test sets the time and waits for the pass the timer started.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LeaderLock } from '../cluster/leader.js';
import { startEngine, type Harness } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';
import type { CronClock } from './cron-clock.js';
import { CronSchedule } from './cron-schedule.js';
import { CronScheduler } from './cron-scheduler.js';
import { TriggerFirer } from './trigger-firer.js';
import { TriggerStore } from './trigger-store.js';

/** A clock that moves only when the test says so; due timers run as it moves. */
class ManualClock implements CronClock {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;
  constructor(private t: number) {}
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    this.timers.set(++this.seq, { at: this.t + ms, fn });
    return this.seq;
  }
  clearTimeout(id: unknown) {
    this.timers.delete(id as number);
  }
  /** Moves to `t` (epoch ms) and runs the timers due by then. */
  set(t: number) {
    this.t = t;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at > t) continue;
      this.timers.delete(id);
      timer.fn();
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

for (const kind of storeKinds()) {
  describe(`cron scheduler (${kind})`, () => {
    let h: Harness;
    let triggers: TriggerStore;
    let firer: TriggerFirer;
    let lock: LeaderLock;
    const logs: string[] = [];
    let n = 0;

    before(async () => {
      h = await startEngine(kind);
      triggers = new TriggerStore(h.store);
      firer = new TriggerFirer(h.engine, triggers);
      lock = new LeaderLock(h.store, 'cron', { retryMs: 60_000 });
      await lock.start();
      assert.equal(lock.isLeader, true, 'the only process leads');
    });
    after(async () => {
      await lock.stop();
      await h.close();
    });

    /** A workflow with one cron trigger (archived by the test's end) and its first tick. */
    async function cronWorkflow(trigger: Record<string, unknown>) {
      const name = `cron-${++n}`;
      await h.engine.applyWorkflow('default', {
        name,
        triggers: [trigger],
        nodes: [{ id: 'a', agent: 'test', action: 'noop' }],
      });
      const [row] = await triggers.list('default', name);
      assert.ok(row, 'the trigger row exists');
      const schedule = new CronSchedule(row.spec as { cron: string });
      return {
        name,
        row,
        first: schedule.next(row.createdAt.getTime())!,
        get: () => triggers.get('default', row.id),
        /** The ticks of the workflow's runs, in order. */
        ticks: async () =>
          (
            await h.store.query<{ tick: string; key: string }>(
              `SELECT trigger->>'tick' AS tick, idempotency_key AS key FROM runs
                WHERE workflow = $1 ORDER BY trigger->>'tick'`,
              [name],
            )
          ).rows,
        history: async () => (await triggers.history('default', row.id)).reverse(),
        archive: () => h.engine.catalog.archiveWorkflow('default', name),
      };
    }

    function scheduler(clock: CronClock, leader: { isLeader: boolean } = lock) {
      return new CronScheduler({
        store: h.store,
        triggers,
        firer,
        leader,
        clock,
        log: (l) => logs.push(l),
      });
    }

    /** Moves the clock and waits for the pass its timer started. */
    async function move(clock: ManualClock, s: CronScheduler, t: number) {
      clock.set(t);
      await s.idle();
    }

    test('a new trigger fires from its creation, once per tick; last and next fire are stored', async () => {
      const wf = await cronWorkflow({ cron: '* * * * *' });
      const T = wf.first;
      const clock = new ManualClock(T - 500);
      const s = scheduler(clock);
      try {
        await s.start();
        assert.deepEqual(await wf.ticks(), [], 'no tick before the first one');
        let row = await wf.get();
        assert.equal(row.nextFireAt?.getTime(), T);
        assert.equal(row.lastFireAt, null);

        await move(clock, s, T);
        await move(clock, s, T + 60_000 + 1500); // a timer that woke late
        await s.wake(); // and once more at the same time: nothing new
        assert.deepEqual(await wf.ticks(), [
          { tick: iso(T), key: `cron:${wf.row.id}:${iso(T)}` },
          { tick: iso(T + 60_000), key: `cron:${wf.row.id}:${iso(T + 60_000)}` },
        ]);
        row = await wf.get();
        assert.equal(row.lastFireAt?.getTime(), T + 60_000);
        assert.equal(row.nextFireAt?.getTime(), T + 120_000);
        const history = await wf.history();
        assert.deepEqual(
          history.map((e) => [e.outcome, e.source.tick]),
          [
            ['fired', iso(T)],
            ['fired', iso(T + 60_000)],
          ],
        );
        assert.equal(row.lastRunId, history[1]!.runId);
      } finally {
        await s.stop();
        await wf.archive();
      }
    });

    test('a second process firing a tick already fired creates no second run (duplicate)', async () => {
      const wf = await cronWorkflow({ cron: '* * * * *' });
      const T = wf.first;
      const clock = new ManualClock(T + 200);
      const first = scheduler(clock);
      // A process that still believes it leads (it has not yet noticed losing the lock).
      const second = scheduler(clock, { isLeader: true });
      try {
        await first.start();
        await first.stop();
        // As if the first had died after creating the run but before storing the tick handled.
        await h.store.query('UPDATE triggers SET last_fire_at = NULL WHERE id = $1', [wf.row.id]);
        await second.start();
        assert.equal((await wf.ticks()).length, 1);
        assert.deepEqual(
          (await wf.history()).map((e) => e.outcome),
          ['fired', 'duplicate'],
        );
        assert.equal((await wf.get()).lastFireAt?.getTime(), T);
      } finally {
        await second.stop();
        await wf.archive();
      }
    });

    test('ticks missed while down, catchUp run (default): one run, for the latest missed tick', async () => {
      const wf = await cronWorkflow({ cron: '* * * * *' });
      const T = wf.first;
      const clock = new ManualClock(T);
      const before = scheduler(clock);
      await before.start();
      await before.stop();
      // Down for ten and a half minutes: T+1 min … T+10 min were missed.
      const later = T + 10 * 60_000 + 30_000;
      const after = scheduler(new ManualClock(later));
      try {
        await after.start();
        assert.deepEqual(
          (await wf.ticks()).map((r) => r.tick),
          [iso(T), iso(T + 600_000)],
        );
        const last = (await wf.history()).at(-1)!;
        assert.equal(last.outcome, 'fired');
        assert.deepEqual(last.source, {
          tick: iso(T + 600_000),
          catchUp: 'run',
          missedSince: iso(T + 60_000),
        });
        const row = await wf.get();
        assert.equal(row.lastFireAt?.getTime(), T + 600_000);
        assert.equal(row.nextFireAt?.getTime(), T + 660_000);
        assert.ok(logs.some((l) => l.includes(`ran the tick ${iso(T + 600_000)} once`)));
      } finally {
        await after.stop();
        await wf.archive();
      }
    });

    test('ticks missed while down, catchUp skip: recorded as skipped; the next tick fires', async () => {
      const wf = await cronWorkflow({ cron: '* * * * *', catchUp: 'skip' });
      const T = wf.first;
      const before = scheduler(new ManualClock(T));
      await before.start();
      await before.stop();
      const clock = new ManualClock(T + 10 * 60_000 + 30_000);
      const after = scheduler(clock);
      try {
        await after.start();
        assert.deepEqual(
          (await wf.ticks()).map((r) => r.tick),
          [iso(T)],
        );
        const skipped = (await wf.history()).at(-1)!;
        assert.equal(skipped.outcome, 'skipped');
        assert.equal(skipped.runId, null);
        assert.match(skipped.reason ?? '', /^missed while the hub was down/);
        assert.equal((await wf.get()).lastFireAt?.getTime(), T + 600_000);

        await move(clock, after, T + 660_000);
        assert.deepEqual(
          (await wf.ticks()).map((r) => r.tick),
          [iso(T), iso(T + 660_000)],
        );
      } finally {
        await after.stop();
        await wf.archive();
      }
    });

    test('a handover within the grace loses no tick: every late tick fires, oldest first', async () => {
      const wf = await cronWorkflow({ cron: '*/1 * * * * *', catchUp: 'skip' });
      const T = wf.first;
      const before = scheduler(new ManualClock(T));
      await before.start();
      await before.stop();
      const after = scheduler(new ManualClock(T + 5500));
      try {
        await after.start();
        assert.deepEqual(
          (await wf.ticks()).map((r) => r.tick),
          [0, 1, 2, 3, 4, 5].map((i) => iso(T + i * 1000)),
        );
        assert.equal((await wf.get()).nextFireAt?.getTime(), T + 6000);
      } finally {
        await after.stop();
        await wf.archive();
      }
    });

    test('paused: no run and no history, next fire kept up to date; resuming catches nothing up', async () => {
      const wf = await cronWorkflow({ cron: '* * * * *' });
      const T = wf.first;
      const clock = new ManualClock(T);
      const s = scheduler(clock);
      try {
        await s.start();
        await triggers.setPaused('default', wf.row.id, true);
        await move(clock, s, T + 60_000);
        let row = await wf.get();
        assert.equal(row.nextFireAt?.getTime(), T + 120_000);
        assert.equal(row.lastFireAt?.getTime(), T + 60_000, 'the tick passed (handled)');
        await move(clock, s, T + 20 * 60_000 + 10);
        await triggers.setPaused('default', wf.row.id, false);
        await s.wake();
        assert.deepEqual(
          (await wf.ticks()).map((r) => r.tick),
          [iso(T)],
          'nothing ran while paused, nothing caught up on resume',
        );
        await move(clock, s, T + 21 * 60_000);
        assert.deepEqual(
          (await wf.ticks()).map((r) => r.tick),
          [iso(T), iso(T + 21 * 60_000)],
        );
        row = await wf.get();
        assert.equal(row.nextFireAt?.getTime(), T + 22 * 60_000);
        assert.deepEqual(
          (await wf.history()).map((e) => e.outcome),
          ['fired', 'fired'],
        );
      } finally {
        await s.stop();
        await wf.archive();
      }
    });

    test('a process that does not lead neither fires nor writes; once it leads, it catches up', async () => {
      const wf = await cronWorkflow({ cron: '* * * * *' });
      const T = wf.first;
      const clock = new ManualClock(T + 500);
      const standby = new LeaderLock(h.store, 'cron-standby', { retryMs: 60_000 });
      const s = scheduler(clock, standby);
      try {
        await s.start();
        assert.deepEqual(await wf.ticks(), []);
        const row = await wf.get();
        assert.equal(row.nextFireAt, null);
        assert.equal(row.lastFireAt, null);
        await standby.start();
        assert.equal(standby.isLeader, true);
        await move(clock, s, T + 5500); // its next poll (5 s later): the tick is late, within the grace
        assert.deepEqual(
          (await wf.ticks()).map((r) => r.tick),
          [iso(T)],
        );
        assert.equal((await wf.get()).nextFireAt?.getTime(), T + 60_000);
      } finally {
        await s.stop();
        await standby.stop();
        await wf.archive();
      }
    });

    test('a schedule croner cannot use is recorded once as rejected and never fires', async () => {
      const wf = await cronWorkflow({ cron: '* * * * *' });
      // Apply-time checks refuse an unknown zone; a row stored before a check existed may not.
      await h.store.query(
        `UPDATE triggers SET spec = jsonb_set(spec, '{timezone}', '"Mars/Olympus"') WHERE id = $1`,
        [wf.row.id],
      );
      const clock = new ManualClock(wf.first + 500);
      const s = scheduler(clock);
      try {
        await s.start();
        await move(clock, s, wf.first + 60_500);
        assert.deepEqual(await wf.ticks(), []);
        const history = await wf.history();
        assert.deepEqual(
          history.map((e) => e.outcome),
          ['rejected'],
        );
        assert.match(history[0]!.reason ?? '', /time zone "Mars\/Olympus" is not a known IANA/);
        assert.match((await wf.get()).lastError ?? '', /apply the workflow again/);
      } finally {
        await s.stop();
        await wf.archive();
      }
    });
  });
}
