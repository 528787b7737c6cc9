/** A pending timer of a {@link CronClock} (whatever its `setTimeout` returned). */
export type CronTimer = unknown;

/**
 * Where the cron scheduler reads the time and arms its timer: the system clock in the hub, a
 * clock the test moves by hand in unit tests.
 */
export interface CronClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): CronTimer;
  clearTimeout(timer: CronTimer): void;
}

/** The longest delay `setTimeout` accepts (about 24.8 days). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** The real clock; its timers do not keep the process alive. */
export const systemClock: CronClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_DELAY_MS));
    t.unref();
    return t;
  },
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
};
