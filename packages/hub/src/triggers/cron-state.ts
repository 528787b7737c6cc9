import type { Queryable } from '../store/port.js';

/**
 * The scheduler's columns of a cron trigger's row: `last_fire_at` (the last tick handled: fired,
 * skipped as missed, or passed while paused) and `next_fire_at` (the next tick, shown by the
 * API). Both only move forward, so a second process writing a little behind (an old leader that
 * has not yet noticed it lost the lock) cannot move them back.
 */
export class CronState {
  constructor(private readonly db: Queryable) {}

  /**
   * Stores the tick handled (when there is one) and the next tick (null: none to come).
   * Inactive rows (a workflow version dropped the trigger meanwhile) are left as they are.
   */
  async save(triggerId: string, state: { handled: number | null; next: number | null }) {
    await this.db.query(
      `UPDATE triggers
          SET last_fire_at = CASE WHEN $2::timestamptz IS NULL THEN last_fire_at
                                  ELSE GREATEST(last_fire_at, $2::timestamptz) END,
              next_fire_at = CASE WHEN $3::timestamptz IS NULL THEN NULL
                                  ELSE GREATEST(next_fire_at, $3::timestamptz) END
        WHERE id = $1 AND active AND kind = 'cron'`,
      [
        triggerId,
        state.handled === null ? null : new Date(state.handled),
        state.next === null ? null : new Date(state.next),
      ],
    );
  }
}
