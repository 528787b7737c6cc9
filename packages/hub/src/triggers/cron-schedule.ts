import { Cron } from 'croner';

/** What a cron trigger says about time: its expression and the zone it is read in. */
export interface CronSpec {
  /** 5 fields, 6 with seconds first, or a macro (`@hourly`, `@daily`…). */
  cron: string;
  /** IANA time zone the expression is read in (default UTC). */
  timezone?: string;
}

/** A cron expression or time zone the scheduler cannot use (the message says which and why). */
export class CronScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

/**
 * The ticks of one cron trigger, as instants (epoch milliseconds, whole seconds), computed by
 * croner in the trigger's time zone — so `0 9 * * *` in Europe/Paris is 08:00Z in winter and
 * 07:00Z in summer. Day-of-month and day-of-week combine with OR, as in Vixie cron.
 */
export class CronSchedule {
  private readonly job: Cron;

  /** @throws CronScheduleError when the expression or the time zone cannot be used. */
  constructor(readonly spec: CronSpec) {
    const zone = spec.timezone ?? 'UTC';
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      throw new CronScheduleError(
        `time zone "${zone}" is not a known IANA time zone (e.g. Europe/Paris, America/New_York)`,
      );
    }
    const text = spec.cron.trim();
    try {
      // No callback: croner only computes dates, it never starts a timer of its own.
      this.job = new Cron(text.startsWith('@') ? text.toLowerCase() : text, {
        timezone: zone,
        mode: '5-or-6-parts',
      });
    } catch (err) {
      throw new CronScheduleError(
        `cron expression "${spec.cron}" cannot be scheduled: ${(err as Error).message}`,
      );
    }
  }

  /** The first tick strictly after `afterMs`, or null when the expression has no later tick. */
  next(afterMs: number): number | null {
    return this.job.nextRun(new Date(afterMs))?.getTime() ?? null;
  }

  /** The latest tick at or before `atMs`, or null when there is none. */
  latest(atMs: number): number | null {
    // croner's previousRuns includes a run earlier in the reference's second, never the reference
    // instant itself: one millisecond later makes a tick exactly at `atMs` count.
    return this.job.previousRuns(1, new Date(atMs + 1))[0]?.getTime() ?? null;
  }

  /**
   * The ticks in (`afterMs`, `upToMs`], oldest first — or null when there are more than `limit`
   * (the caller then does not want them one by one).
   */
  between(afterMs: number, upToMs: number, limit: number): number[] | null {
    const ticks: number[] = [];
    for (let t = this.next(afterMs); t !== null && t <= upToMs; t = this.next(t)) {
      if (ticks.length === limit) return null;
      ticks.push(t);
    }
    return ticks;
  }
}
