import type { Store } from '../store/port.js';
import type { OutboxEvent } from './event-bus.js';

export interface OutboxReaderOptions {
  store: Store;
  /** The cursor's row in `event_bus_cursor`. */
  name: string;
  /** Hands a page of events on, in order; a rejection hands the same page again later. */
  handle: (events: OutboxEvent[]) => Promise<void>;
  /** Whether this process reads now (the bus leader); checked before every page. */
  active: () => boolean;
  /** Pause between reads when nothing is new (default 250 ms; `wake()` cuts it short). */
  pollMs?: number;
  /** Events per page (default 200). */
  batch?: number;
  /** Pause after a failed read or hand-over (default 2000 ms), doubled per failure up to 30 s. */
  retryMs?: number;
  onError: (err: unknown) => void;
}

interface Cursor {
  tx: bigint;
  id: bigint;
}

// The event feed's exact order (events/event-feed.ts): (tx, id), and only events of
// transactions older than every running one, so no event can still appear before the cursor.
const PAGE_SQL = `WITH w AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
SELECT w.xmin::text AS xmin, e.tx::text AS cur_tx, e.id::text AS cur_id, e.project, e.type,
       e.run_id, e.data, e.created_at
  FROM w LEFT JOIN LATERAL (
    SELECT x.tx, x.id, x.project, x.type, x.run_id, x.data, x.created_at
      FROM events x
     WHERE (x.tx, x.id) > ($1::xid8, $2::bigint) AND x.tx < w.xmin
     ORDER BY x.tx, x.id
     LIMIT $3) e ON true
 ORDER BY e.tx, e.id`;

interface PageRow {
  xmin: string;
  cur_tx: string | null;
  cur_id: string | null;
  project: string;
  type: string;
  run_id: string | null;
  data: unknown;
  created_at: Date;
}

/**
 * Reads the outbox from a cursor persisted in `event_bus_cursor` and hands the events on, page by
 * page, while `active()` (leadership): at least once, in feed order, resuming after a restart
 * where the last hand-over ended. The first start begins at the current head (history is not
 * replayed). The cursor is saved after each page was handed on, and only ever moves forward.
 */
export class OutboxReader {
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly retryMs: number;
  private cursor: Cursor | null = null;
  private loop: Promise<void> | undefined;
  private running = false;
  /** Ends a sleep that new events may cut short (the idle wait). */
  private sleeper: (() => void) | undefined;
  /** Ends any sleep (stop). */
  private cancel: (() => void) | undefined;
  private again = false;
  private positioned: (() => void) | undefined;

  constructor(private readonly opts: OutboxReaderOptions) {
    this.pollMs = opts.pollMs ?? 250;
    this.batch = opts.batch ?? 200;
    this.retryMs = opts.retryMs ?? 2000;
  }

  /**
   * Starts reading. Resolves once the reader knows where it starts (its saved cursor, or the head
   * on the very first start), so every event committed afterwards will be handed on; or at once
   * when this process is not the leader, or after a first failure (it keeps retrying).
   */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.cursor = null;
    const positioned = new Promise<void>((resolve) => (this.positioned = resolve));
    this.loop = this.run();
    return positioned;
  }

  /** Reads again now (new events were committed, or leadership changed). */
  wake(): void {
    if (this.sleeper) this.sleeper();
    else this.again = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancel?.();
    this.positioned?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.again = false;
      let more = false;
      try {
        if (!this.opts.active()) {
          this.cursor = null; // a future leadership starts from the saved cursor
          this.positioned?.();
        } else {
          this.cursor ??= await this.load();
          this.positioned?.();
          more = await this.page(this.cursor);
        }
        failures = 0;
      } catch (err) {
        this.positioned?.();
        this.opts.onError(err);
        // Not cut short by new events: a failing bus is retried at its own pace.
        await this.sleep(Math.min(30_000, this.retryMs * 2 ** failures++), false);
        continue;
      }
      if (!more && !this.again) await this.sleep(this.pollMs, true);
    }
  }

  /** Hands one page on; true when a full page came back (read again at once). */
  private async page(from: Cursor): Promise<boolean> {
    const r = await this.opts.store.query<PageRow>(PAGE_SQL, [
      from.tx.toString(),
      from.id.toString(),
      this.batch,
    ]);
    const rows = r.rows.filter((row) => row.cur_tx !== null && row.cur_id !== null);
    if (rows.length > 0) {
      await this.opts.handle(
        rows.map((row) => ({
          id: row.cur_id!,
          project: row.project,
          type: row.type,
          runId: row.run_id,
          data: row.data,
          time: new Date(row.created_at).toISOString(),
        })),
      );
      const last = rows[rows.length - 1]!;
      const next = { tx: BigInt(last.cur_tx!), id: BigInt(last.cur_id!) };
      await this.save(next);
      this.cursor = next;
    }
    if (rows.length < this.batch) {
      // Nothing of a transaction older than xmin is left after the cursor: skip ahead (in memory
      // only; a restart re-reads the empty range from the saved cursor).
      const xmin = BigInt(r.rows[0]!.xmin);
      if (this.cursor && xmin > this.cursor.tx) this.cursor = { tx: xmin, id: 0n };
      return false;
    }
    return true;
  }

  private async load(): Promise<Cursor> {
    const read = () =>
      this.opts.store.query<{ tx: string; event_id: string }>(
        'SELECT tx::text AS tx, event_id::text AS event_id FROM event_bus_cursor WHERE name = $1',
        [this.opts.name],
      );
    let r = await read();
    if (!r.rows[0]) {
      await this.opts.store.query(
        `INSERT INTO event_bus_cursor (name, tx, event_id)
         VALUES ($1, pg_snapshot_xmin(pg_current_snapshot()), 0) ON CONFLICT (name) DO NOTHING`,
        [this.opts.name],
      );
      r = await read();
    }
    const row = r.rows[0]!;
    return { tx: BigInt(row.tx), id: BigInt(row.event_id) };
  }

  private async save(c: Cursor): Promise<void> {
    await this.opts.store.query(
      `UPDATE event_bus_cursor SET tx = $2::xid8, event_id = $3::bigint, updated_at = now()
        WHERE name = $1 AND (tx, event_id) < ($2::xid8, $3::bigint)`,
      [this.opts.name, c.tx.toString(), c.id.toString()],
    );
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        this.cancel = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      if (wakeable) this.sleeper = done;
      this.cancel = done;
    });
  }
}
