import type { CronSchedule } from './cron-schedule.js';

/** What the scheduler knows about one cron trigger when it looks at the clock. */
export interface CronPlanInput {
  schedule: CronSchedule;
  /** The clock (epoch ms). */
  now: number;
  /**
   * The last tick handled (fired, skipped, or passed while paused), or the trigger's creation
   * when it never had one: only ticks after this instant are due.
   */
  since: number;
  paused: boolean;
  catchUp: 'run' | 'skip';
  /**
   * A tick at most this late is not "missed": it fires, one run per tick, whatever `catchUp`
   * says (a restart or a leader handover loses no tick). Older unhandled ticks are missed.
   */
  graceMs: number;
  /** At most this many late ticks fire one by one; more count as missed. */
  maxLateTicks: number;
}

/** A tick to fire, with what the trigger history and the run record about it. */
export interface PlannedFire {
  tick: number;
  /** Set when this one run stands for every tick missed since `missedSince`. */
  catchUp?: { missedSince: number };
}

/** The decision for one trigger at one moment. */
export interface CronPlan {
  /** Ticks to fire, oldest first. */
  fire: PlannedFire[];
  /** Missed ticks not run (`catchUp: skip`): one 'skipped' history entry for the latest. */
  skip?: { tick: number; missedSince: number };
  /** The latest due tick: handled once the plan is carried out (null: nothing was due). */
  handled: number | null;
  /** The next tick after now (null: the expression has no future tick). */
  next: number | null;
}

/**
 * Decides what one cron trigger does now (pure: the scheduler carries it out).
 *
 * - Nothing due: nothing to do but know the next tick.
 * - Paused: due ticks pass unfired (handled, so that resuming does not catch them up).
 * - Due ticks all within `graceMs` (and at most `maxLateTicks`): each fires — the normal case, a
 *   timer that woke late, a restart, a leader handover.
 * - Otherwise the hub was down: `catchUp: run` fires once, for the latest missed tick;
 *   `catchUp: skip` records the latest missed tick as skipped.
 */
export function planCron(p: CronPlanInput): CronPlan {
  const next = p.schedule.next(p.now);
  const first = p.schedule.next(p.since);
  if (first === null || first > p.now) return { fire: [], handled: null, next };
  const latest = p.schedule.latest(p.now) ?? first;
  if (p.paused) return { fire: [], handled: latest, next };
  if (p.now - first <= p.graceMs) {
    const late = p.schedule.between(p.since, p.now, p.maxLateTicks);
    if (late) return { fire: late.map((tick) => ({ tick })), handled: latest, next };
  }
  if (p.catchUp === 'skip') {
    return { fire: [], skip: { tick: latest, missedSince: first }, handled: latest, next };
  }
  return { fire: [{ tick: latest, catchUp: { missedSince: first } }], handled: latest, next };
}
