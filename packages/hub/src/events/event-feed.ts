import { CCError, problem } from '@commandcenter/protocol';
import type { Store } from '../store/port.js';

/**
 * Which events a subscriber wants. Every given criterion must match.
 */
export interface FeedFilter {
  /** Projects the subscriber may see; `null` = all (a hub-wide token). `[]` matches nothing. */
  projects: string[] | null;
  /** Only events of this workflow (run, step and approval events carry it in `data.workflow`). */
  workflow?: string;
  /** Only events of this run (a UUID). */
  runId?: string;
  /** Only these event types (exact names, e.g. `workflow.run.succeeded`). */
  types?: string[];
}

/** One event of the feed: a stored event (as `CCEvent`) plus its resumable position. */
export interface FeedEvent {
  /** Opaque position of this event; the SSE `id:`, given back as `Last-Event-ID` to resume. */
  cursor: string;
  id: number;
  project: string;
  type: string;
  runId: string | null;
  data: unknown;
  time: string;
}

export interface EventFeedOptions {
  /** How often the shared tail re-reads the outbox while anyone is subscribed (default 250). */
  pollMs?: number;
  /** Rows per query, for the tail and for each catch-up page (default 500). */
  batch?: number;
  /** Where failed reads are reported (they are retried after `pollMs`); default console.error. */
  onError?: (err: unknown) => void;
}

/** Ends a subscription when called. */
export interface Subscription {
  (): void;
  /**
   * How far the subscription has read, matching events or not (null before it has a position):
   * resuming from it skips only events its filter would not have delivered. Lets a stream with a
   * rare filter advance its client's Last-Event-ID while nothing matches.
   */
  position(): string | null;
}

/** `(tx, id)`: the writing transaction's id (xid8) and the event's id. Totally ordered. */
interface Cursor {
  tx: bigint;
  id: bigint;
}

interface Subscriber {
  match: (e: FeedEvent) => boolean;
  sql: unknown[];
  onEvent: (e: FeedEvent) => void;
  /** Everything up to here has been handled; `null` = join the tail wherever it is ('now'). */
  cursor: Cursor | null;
  /** new: waits for the tail to start; catching: served by its own queries; live: by the tail. */
  state: 'new' | 'catching' | 'live';
  closed: boolean;
}

const MAX_XID8 = (1n << 64n) - 1n;
const MAX_ID = (1n << 63n) - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const cmp = (a: Cursor, b: Cursor) =>
  a.tx < b.tx ? -1 : a.tx > b.tx ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** The string form of a cursor: `<tx>-<id>`. */
const format = (c: Cursor) => `${c.tx}-${c.id}`;

/** Parses a cursor string; throws `CC_E_BAD_REQUEST` (about `Last-Event-ID`) when it is not one. */
export function parseCursor(value: string): { tx: bigint; id: bigint } {
  const m = /^(\d{1,20})-(\d{1,19})$/.exec(value);
  const c = m ? { tx: BigInt(m[1]!), id: BigInt(m[2]!) } : undefined;
  if (!c || c.tx > MAX_XID8 || c.id > MAX_ID) {
    const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    throw CCError.invalid('CC_E_BAD_REQUEST', [
      problem(
        'CC_E_BAD_REQUEST',
        'Last-Event-ID',
        `Last-Event-ID "${shown}" is not an event id of this stream.`,
        'Resume with the `id:` of the last event received from this stream, or connect without ' +
          'Last-Event-ID to start from now.',
      ),
    ]);
  }
  return c;
}

// Events of transactions older than every running transaction (pg_snapshot_xmin): nothing can
// still be inserted before the cursor. The row carrying xmin comes back even when none follow.
// (ORDER BY names columns of `x`/`e`: an output alias `tx` would sort as text.)
const EVENT_JSON = `jsonb_build_object('id', x.id, 'project', x.project, 'type', x.type,
  'runId', x.run_id, 'data', x.data, 'time', x.created_at)`;

const TAIL_SQL = `WITH w AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
SELECT w.xmin::text AS xmin, e.tx::text AS cur_tx, e.id::text AS cur_id, e.ev
  FROM w LEFT JOIN LATERAL (
    SELECT x.tx, x.id, ${EVENT_JSON} AS ev
      FROM events x
     WHERE (x.tx, x.id) > ($1::xid8, $2::bigint) AND x.tx < w.xmin
     ORDER BY x.tx, x.id
     LIMIT $3) e ON true
 ORDER BY e.tx, e.id`;

// A subscriber behind the tail reads (its cursor, the tail's cursor] with its filter: that range
// is final (the tail only ever passes events whose transactions have ended).
const CATCH_UP_SQL = `SELECT x.tx::text AS cur_tx, x.id::text AS cur_id, ${EVENT_JSON} AS ev
  FROM events x
 WHERE (x.tx, x.id) > ($1::xid8, $2::bigint) AND (x.tx, x.id) <= ($3::xid8, $4::bigint)
   AND ($5::text[] IS NULL OR x.project = ANY ($5::text[]))
   AND ($6::text IS NULL OR x.data->>'workflow' = $6::text)
   AND ($7::uuid IS NULL OR x.run_id = $7::uuid)
   AND ($8::text[] IS NULL OR x.type = ANY ($8::text[]))
 ORDER BY x.tx, x.id
 LIMIT $9`;

interface Row {
  cur_tx: string | null;
  cur_id: string | null;
  ev: Omit<FeedEvent, 'cursor'> | null;
}

/**
 * An exact, resumable feed over the `events` outbox, written by any number of processes (the
 * source of `GET /api/v1/events`). See ARCHITECTURE.md, "Event feed".
 *
 * - Order: by `(tx, id)` — the writing transaction's id, then the event id. Events of one
 *   transaction keep their order; transactions that do not overlap come in commit order.
 * - Exactly once per subscription: an event is delivered only after every transaction that could
 *   still write an event before it has ended, so resuming from any delivered `cursor` neither
 *   misses nor repeats an event. The cost: a transaction that stays open on the database server
 *   delays (never loses) delivery until it ends.
 * - One shared tail per feed (one query per poll for every subscriber, only while there are
 *   subscribers), filtered in memory. A subscriber resuming from an older cursor is first served
 *   pages of its own filtered query, then joins the tail without gap or duplicate.
 * - `onEvent` is called synchronously and must not block: a slow client is the caller's to
 *   buffer (the SSE layer queues per connection and drops a client whose queue overflows; it
 *   can resume from its last id). A throwing `onEvent` is reported and kept.
 */
export class EventFeed {
  private readonly pollMs: number;
  private readonly batch: number;
  private readonly onError: (err: unknown) => void;
  private readonly subs = new Set<Subscriber>();
  private readonly catchUps = new Set<Promise<void>>();
  /** Everything up to here has been dispatched to live subscribers; null while the tail is off. */
  private tail: Cursor | null = null;
  private loop: Promise<void> | undefined;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly store: Store,
    opts: EventFeedOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 250;
    this.batch = opts.batch ?? 500;
    this.onError = opts.onError ?? ((err) => console.error('event feed: read failed', err));
  }

  /** Re-read soon (call after an in-process publish: the events are committed). */
  wake(): void {
    if (this.sleeper) this.sleeper.resolve();
    else if (this.loop) this.again = true;
  }

  /** The cursor of the current safe watermark: resuming from it = starting now. */
  async head(): Promise<string> {
    return format(await this.watermark());
  }

  /**
   * Delivers the events after `from` (a cursor, or 'now') that match `filter`, in order, until
   * the returned function is called. Throws `CC_E_BAD_REQUEST` for a malformed cursor or run id.
   */
  subscribe(
    filter: FeedFilter,
    from: string | 'now',
    onEvent: (e: FeedEvent) => void,
  ): Subscription {
    if (this.closed) throw new Error('the event feed is closed');
    const cursor = from === 'now' ? null : parseCursor(from);
    const sub: Subscriber = {
      ...compile(filter),
      onEvent,
      cursor,
      state: 'new',
      closed: false,
    };
    this.subs.add(sub);
    this.admit();
    this.start();
    const unsubscribe = () => {
      if (sub.closed) return;
      sub.closed = true;
      this.subs.delete(sub);
      // The last one out stops the tail promptly (it restarts at the head for the next one).
      if (this.subs.size === 0) this.sleeper?.resolve();
    };
    return Object.assign(unsubscribe, {
      position: () => (sub.cursor ? format(sub.cursor) : null),
    });
  }

  /** Stops the tail and every subscription; resolves when no read is in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.subs) s.closed = true;
    this.subs.clear();
    this.sleeper?.resolve();
    await this.loop;
    await Promise.all([...this.catchUps]);
  }

  private async watermark(): Promise<Cursor> {
    const r = await this.store.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    return { tx: BigInt(r.rows[0]!.xmin), id: 0n };
  }

  private start(): void {
    if (this.loop || this.closed || this.subs.size === 0) return;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      this.start(); // someone subscribed while the loop was on its way out
    });
  }

  private async run(): Promise<void> {
    while (this.subs.size > 0 && !this.closed) {
      let more = false;
      try {
        more = await this.poll();
        if (this.again) more = true;
      } catch (err) {
        this.report(err);
      }
      this.again = false;
      if (!more) await this.sleep(this.pollMs);
    }
    // Reset synchronously with the exit: a subscriber arriving now must wait for a fresh head.
    this.tail = null;
  }

  /** One read of the tail; true when a full batch came back (read again at once). */
  private async poll(): Promise<boolean> {
    if (!this.tail) {
      this.tail = await this.watermark();
      this.admit();
    }
    const from = this.tail;
    const r = await this.store.query<Row & { xmin: string }>(TAIL_SQL, [
      from.tx.toString(),
      from.id.toString(),
      this.batch,
    ]);
    let n = 0;
    for (const row of r.rows) {
      if (row.cur_tx === null || row.cur_id === null || !row.ev) continue;
      n++;
      const c = { tx: BigInt(row.cur_tx), id: BigInt(row.cur_id) };
      this.tail = c;
      this.dispatch(c, { cursor: format(c), ...row.ev });
    }
    if (n < this.batch) {
      // Every event of a transaction older than xmin has now been read.
      const w = { tx: BigInt(r.rows[0]!.xmin), id: 0n };
      if (cmp(w, this.tail) > 0) this.tail = w;
    }
    this.admit();
    return n >= this.batch;
  }

  private dispatch(c: Cursor, e: FeedEvent): void {
    for (const sub of [...this.subs]) {
      if (sub.state !== 'live' || sub.closed || cmp(c, sub.cursor!) <= 0) continue;
      sub.cursor = c;
      if (sub.match(e)) this.deliver(sub, e);
    }
  }

  private deliver(sub: Subscriber, e: FeedEvent): void {
    try {
      sub.onEvent(e);
    } catch (err) {
      this.report(err);
    }
  }

  /** Places new subscribers once the tail has a position: live at once, or catching up. */
  private admit(): void {
    const tail = this.tail;
    if (!tail) return;
    for (const sub of this.subs) {
      if (sub.state !== 'new') continue;
      if (sub.cursor === null || cmp(sub.cursor, tail) >= 0) {
        sub.cursor ??= tail;
        sub.state = 'live';
      } else {
        sub.state = 'catching';
        const p: Promise<void> = this.catchUp(sub).finally(() => this.catchUps.delete(p));
        this.catchUps.add(p);
      }
    }
  }

  /** Serves `sub` from its cursor up to the tail in pages, then hands it to the tail. */
  private async catchUp(sub: Subscriber): Promise<void> {
    while (!sub.closed && !this.closed) {
      const upto = this.tail;
      if (!upto) {
        sub.state = 'new';
        return;
      }
      const from = sub.cursor!;
      // Synchronously with reading `this.tail`: from here on the tail serves it.
      if (cmp(from, upto) >= 0) {
        sub.state = 'live';
        return;
      }
      try {
        const r = await this.store.query<Row>(CATCH_UP_SQL, [
          from.tx.toString(),
          from.id.toString(),
          upto.tx.toString(),
          upto.id.toString(),
          ...sub.sql,
          this.batch,
        ]);
        for (const row of r.rows) {
          if (sub.closed || this.closed) return;
          const c = { tx: BigInt(row.cur_tx!), id: BigInt(row.cur_id!) };
          sub.cursor = c;
          this.deliver(sub, { cursor: format(c), ...row.ev! });
        }
        if (r.rows.length < this.batch) sub.cursor = upto;
      } catch (err) {
        this.report(err);
        await delay(this.pollMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.sleeper = { timer, resolve: done };
    });
  }

  private report(err: unknown): void {
    try {
      this.onError(err);
    } catch {
      // a failing error handler must not stop the feed
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The in-memory predicate and the SQL parameters ($5..$8) of a filter. */
function compile(f: FeedFilter): Pick<Subscriber, 'match' | 'sql'> {
  const runId = f.runId?.toLowerCase();
  if (runId !== undefined && !UUID.test(runId)) {
    throw CCError.invalid('CC_E_BAD_REQUEST', [
      problem(
        'CC_E_BAD_REQUEST',
        'runId',
        `runId "${runId.slice(0, 60)}" is not a run id.`,
        'Pass the id of a run (a UUID, as returned when the run was created).',
      ),
    ]);
  }
  const projects = f.projects ? new Set(f.projects) : null;
  const types = f.types ? new Set(f.types) : null;
  const workflow = f.workflow;
  return {
    match: (e) =>
      (projects === null || projects.has(e.project)) &&
      (types === null || types.has(e.type)) &&
      (runId === undefined || e.runId === runId) &&
      (workflow === undefined ||
        (typeof e.data === 'object' &&
          e.data !== null &&
          (e.data as { workflow?: unknown }).workflow === workflow)),
    sql: [f.projects ?? null, workflow ?? null, runId ?? null, f.types ?? null],
  };
}
