import type { LeaderLock } from '../cluster/leader.js';
import type { Queryable } from '../store/port.js';
import { systemClock, type CronClock, type CronTimer } from './cron-clock.js';
import { planCron } from './cron-plan.js';
import { CronSchedule, CronScheduleError } from './cron-schedule.js';
import { CronState } from './cron-state.js';
import type { TriggerFirer } from './trigger-firer.js';
import type { StatefulTrigger } from './trigger-key.js';
import type { TriggerRow, TriggerStore } from './trigger-store.js';

/** Settings of the cron scheduler; every one has a production default. */
export interface CronSchedulerOptions {
  /** The database (the scheduler's own columns of the `triggers` rows). */
  store: Queryable;
  triggers: TriggerStore;
  firer: TriggerFirer;
  /** Only the leader fires; the other processes watch, ready to take over. */
  leader: Pick<LeaderLock, 'isLeader'>;
  /** Default the system clock. */
  clock?: CronClock;
  /**
   * How often the triggers table is read again when no tick is due sooner: new, changed,
   * paused and resumed triggers, and leadership changes, are seen within this (default 5000).
   */
  pollMs?: number;
  /**
   * A tick at most this late still fires, one run per tick, whatever `catchUp` says: a restart
   * or a leader handover loses no tick. Older unhandled ticks were missed (default 60 000).
   */
  graceMs?: number;
  /** At most this many late ticks fire one by one; more count as missed (default 60). */
  maxLateTicks?: number;
  /** Where catch-ups, skips, rejections and errors are reported (default console.log). */
  log?: (line: string) => void;
}

/** The defaults of {@link CronSchedulerOptions}. */
export const cronSchedulerDefaults = { pollMs: 5000, graceMs: 60_000, maxLateTicks: 60 } as const;

type CronTrigger = TriggerRow & { spec: Extract<StatefulTrigger, { kind: 'cron' }> };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Fires the `cron:` triggers of every project (SPEC §6). It runs in every hub process; only the
 * leader (`leader.isLeader`) fires, and each tick goes through `TriggerFirer` with the key
 * `cron:<trigger id>:<tick ISO>`, so a tick creates one run even when two processes fire it (an
 * old leader that has not yet noticed it lost the lock): the second gets `duplicate`.
 *
 * One loop: read the active cron triggers, carry out {@link planCron} for each (fire due ticks,
 * catch up or skip missed ones, let paused ones pass), store `last_fire_at`/`next_fire_at`, and
 * sleep until the earliest next tick or `pollMs`. Passes never overlap, and a tick handled in
 * this process is never fired by it again.
 */
export class CronScheduler {
  private readonly clock: CronClock;
  private readonly state: CronState;
  private readonly pollMs: number;
  private readonly graceMs: number;
  private readonly maxLateTicks: number;
  private readonly log: (line: string) => void;
  /** Parsed schedules by trigger id (the key holds the expression: a new key, a new parse). */
  private readonly schedules = new Map<
    string,
    { key: string; schedule?: CronSchedule; error?: string; recorded?: boolean }
  >();
  /** The latest tick handled in this process, by trigger id. */
  private readonly handled = new Map<string, number>();
  /** The last problem reported per trigger, so that a repeated one is logged once. */
  private readonly reported = new Map<string, string>();
  private timer: CronTimer | undefined;
  private queue: Promise<void> = Promise.resolve();
  private running = false;

  constructor(private readonly opts: CronSchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.state = new CronState(opts.store);
    this.pollMs = opts.pollMs ?? cronSchedulerDefaults.pollMs;
    this.graceMs = opts.graceMs ?? cronSchedulerDefaults.graceMs;
    this.maxLateTicks = opts.maxLateTicks ?? cronSchedulerDefaults.maxLateTicks;
    this.log = opts.log ?? ((line) => console.log(line));
  }

  /** Starts the loop; resolves after the first pass (missed ticks are then caught up). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.wake();
  }

  /** Stops the loop: clears the timer and waits for a pass in progress to end. */
  async stop(): Promise<void> {
    this.running = false;
    this.disarm();
    await this.queue;
  }

  /** Runs a pass now (after the one in progress), e.g. when a workflow changed. */
  wake(): Promise<void> {
    if (!this.running) return this.queue;
    const p = this.queue.then(() => this.pass());
    this.queue = p;
    return p;
  }

  /** Resolves when the passes started so far have ended (tests moving a manual clock). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async pass(): Promise<void> {
    if (!this.running) return;
    this.disarm();
    let wakeAt = this.clock.now() + this.pollMs;
    try {
      wakeAt = await this.check();
    } catch (err) {
      this.log(`cron: reading the cron triggers failed (retrying in ${this.pollMs} ms): ${err}`);
    }
    if (!this.running) return;
    const delay = Math.max(0, wakeAt - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.wake();
    }, delay);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One look at every cron trigger; returns when to look again. */
  private async check(): Promise<number> {
    const now = this.clock.now();
    const rows = (await this.opts.triggers.active('cron')) as CronTrigger[];
    let wakeAt = now + this.pollMs;
    const seen = new Set<string>();
    for (const t of rows) {
      seen.add(t.id);
      // Asked trigger by trigger: a process that loses the lock mid-pass stops firing at once.
      const leading = this.opts.leader.isLeader;
      const schedule = await this.scheduleOf(t, leading);
      if (!schedule) continue;
      if (leading) {
        try {
          await this.handle(t, schedule, now);
        } catch (err) {
          this.log(`cron: ${describe(t)}: ${err} (tried again at the next pass)`);
        }
      }
      const next = schedule.next(now);
      if (next !== null) wakeAt = Math.min(wakeAt, next);
    }
    for (const map of [this.schedules, this.handled, this.reported]) {
      for (const id of map.keys()) if (!seen.has(id)) map.delete(id);
    }
    return wakeAt;
  }

  private async handle(t: CronTrigger, schedule: CronSchedule, now: number): Promise<void> {
    const mine = this.handled.get(t.id);
    // What the row says, kept up to date as this pass stores the trigger's state.
    let stored = t.lastFireAt?.getTime();
    let storedNext = t.nextFireAt?.getTime() ?? null;
    // A trigger that never fired starts from its creation: it has no missed ticks before that.
    const since = Math.max(stored ?? t.createdAt.getTime(), mine ?? -Infinity);
    const plan = planCron({
      schedule,
      now,
      since,
      paused: t.paused,
      catchUp: t.spec.catchUp,
      graceMs: this.graceMs,
      maxLateTicks: this.maxLateTicks,
    });
    const save = async () => {
      const latest = this.handled.get(t.id);
      const handled =
        latest !== undefined && (stored === undefined || latest > stored) ? latest : null;
      if (handled === null && storedNext === plan.next) return;
      await this.state.save(t.id, { handled, next: plan.next });
      if (handled !== null) stored = handled;
      storedNext = plan.next;
    };
    for (const f of plan.fire) {
      const result = await this.opts.firer.fire(t, {
        idempotencyKey: `cron:${t.id}:${iso(f.tick)}`,
        input: {},
        source: f.catchUp
          ? { tick: iso(f.tick), catchUp: 'run', missedSince: iso(f.catchUp.missedSince) }
          : { tick: iso(f.tick) },
      });
      this.handled.set(t.id, f.tick);
      // Stored tick by tick: a process that takes over after a crash repeats as few as it can.
      await save();
      if (f.catchUp && result.outcome === 'fired') {
        this.log(
          `cron: ${describe(t)}: ran the tick ${iso(f.tick)} once for the ticks missed since ` +
            `${iso(f.catchUp.missedSince)} (catchUp: run)`,
        );
      }
      if (result.outcome === 'rejected') {
        this.reportOnce(t, `a tick was rejected: ${result.reason}`);
      }
    }
    if (plan.skip) {
      const { tick, missedSince } = plan.skip;
      const reason =
        `missed while the hub was down: the ticks from ${iso(missedSince)} to ${iso(tick)} ` +
        'did not run (catchUp: skip)';
      await this.opts.triggers.record(t, {
        outcome: 'skipped',
        reason,
        source: { tick: iso(tick), catchUp: 'skip', missedSince: iso(missedSince) },
      });
      this.log(`cron: ${describe(t)}: ${reason}`);
    }
    if (plan.handled !== null) this.handled.set(t.id, Math.max(mine ?? 0, plan.handled));
    await save();
  }

  /** The trigger's schedule, or undefined (reported once) when it cannot be scheduled. */
  private async scheduleOf(t: CronTrigger, leading: boolean): Promise<CronSchedule | undefined> {
    let entry = this.schedules.get(t.id);
    if (entry?.key !== t.key) {
      try {
        entry = { key: t.key, schedule: new CronSchedule(t.spec) };
      } catch (err) {
        if (!(err instanceof CronScheduleError)) throw err;
        entry = {
          key: t.key,
          error: `${err.message}; fix the trigger and apply the workflow again`,
        };
        this.reportOnce(t, entry.error!);
      }
      this.schedules.set(t.id, entry);
    }
    if (entry.error !== undefined && leading && !entry.recorded) {
      // Once per process that leads: the trigger's state and history say why it never fires.
      await this.opts.triggers.record(t, { outcome: 'rejected', reason: entry.error, source: {} });
      entry.recorded = true;
    }
    return entry.schedule;
  }

  private reportOnce(t: CronTrigger, problem: string): void {
    if (this.reported.get(t.id) === problem) return;
    this.reported.set(t.id, problem);
    this.log(`cron: ${describe(t)}: ${problem}`);
  }
}

function describe(t: CronTrigger): string {
  const zone = t.spec.timezone ? ` ${t.spec.timezone}` : '';
  return `${t.project}/${t.workflow} trigger ${t.id} (${t.spec.cron}${zone})`;
}
