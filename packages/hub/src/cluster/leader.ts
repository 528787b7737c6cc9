import type { Store, StoreSession } from '../store/port.js';

export interface LeaderLockOptions {
  /** Pause between attempts to become leader, and between checks of a held lock (default 5000). */
  retryMs?: number;
  /** Called on every change of leadership (synchronously, before the lock is released on stop). */
  onChange?: (leader: boolean) => void;
  /** Where failed attempts are reported (they are retried); default console.error. */
  onError?: (err: unknown) => void;
}

// A 64-bit key per schema and name: tests (schemas) and different roles never contend.
const LOCK_SQL = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok';
const UNLOCK_SQL = 'SELECT pg_advisory_unlock(hashtextextended($1, 0))';

/**
 * Leadership among the hub processes on one database (cron and other once-per-cluster duties):
 * a session-level advisory lock held on a dedicated connection (`Store.session()`).
 *
 * - Exactly one process holds the lock at a time; the others retry every `retryMs`.
 * - Losing the connection loses the lock: `onChange(false)` as soon as the connection is seen to
 *   be gone (an error, or a check of the held lock every `retryMs` that fails or does not answer
 *   within `retryMs`), then retries. The server frees the lock when it notices the session died,
 *   so a network partition can leave an old leader active until it notices: leader duties must be
 *   safe to overlap briefly (e.g. cron fires once per slot through a unique key).
 * - PGlite is one process: the lock is always granted, so its hub is always leader.
 */
export class LeaderLock {
  private readonly retryMs: number;
  private readonly key: string;
  private session: StoreSession | undefined;
  private leader = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    readonly name: string,
    private readonly opts: LeaderLockOptions = {},
  ) {
    this.retryMs = opts.retryMs ?? 5000;
    this.key = `cc-leader:${store.schema}:${name}`;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Starts competing; resolves after the first attempt (`isLeader` then tells its outcome). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.run();
  }

  /** Gives up leadership (`onChange(false)` first) and the connection; stops retrying. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.attempt;
    const s = this.session;
    this.session = undefined;
    const held = this.leader;
    this.setLeader(false);
    if (!s) return;
    // PGlite's session is the shared connection: unlock explicitly. On PostgreSQL closing the
    // connection would do, but the explicit unlock frees it without waiting for the close.
    if (held) await s.query(UNLOCK_SQL, [this.key]).catch(() => {});
    await s.release().catch(() => {});
  }

  private run(): Promise<void> {
    const p = this.tryOnce().finally(() => {
      if (this.attempt === p) this.attempt = undefined;
      if (!this.running) return;
      this.timer = setTimeout(() => void this.run(), this.retryMs);
      this.timer.unref();
    });
    this.attempt = p;
    return p;
  }

  private async tryOnce(): Promise<void> {
    try {
      let s = this.session;
      if (!s) {
        s = await this.store.session();
        if (!this.running) {
          await s.release();
          return;
        }
        this.session = s;
        const mine = s;
        void s.ended.then(() => this.lost(mine));
      }
      if (this.leader) {
        // The lock lives as long as the session: check that the connection still answers.
        await within(s.query('SELECT 1'), this.retryMs);
        return;
      }
      const r = await s.query<{ ok: boolean }>(LOCK_SQL, [this.key]);
      if (r.rows[0]?.ok !== true) return;
      if (this.running && this.session === s) this.setLeader(true);
      else await s.query(UNLOCK_SQL, [this.key]).catch(() => {});
    } catch (err) {
      this.report(err);
      const s = this.session;
      if (!s) return;
      const held = this.leader;
      this.lost(s);
      // Best effort, not awaited: a dead socket may never answer nor finish closing.
      void (async () => {
        if (held) await within(s.query(UNLOCK_SQL, [this.key]), this.retryMs).catch(() => {});
        await s.release().catch(() => {});
      })();
    }
  }

  /** The session ended or failed: whatever it held is gone (or will be, server-side). */
  private lost(s: StoreSession): void {
    if (this.session !== s) return;
    this.session = undefined;
    this.setLeader(false);
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    try {
      this.opts.onChange?.(leader);
    } catch (err) {
      this.report(err);
    }
  }

  private report(err: unknown): void {
    try {
      (this.opts.onError ?? ((e) => console.error(`leader lock ${this.name}:`, e)))(err);
    } catch {
      // a failing error handler must not stop the retries
    }
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
