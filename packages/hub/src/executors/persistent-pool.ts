import type { PersistentProcess } from './persistent-process.js';

/** What {@link PersistentPool.acquire} hands out. */
export type Acquired =
  | { kind: 'process'; process: PersistentProcess; fresh: boolean }
  | { kind: 'aborted'; reason: unknown }
  | { kind: 'closed' };

/** Settings of one pool; `size` may change between attempts (the manifest's concurrency). */
export interface PoolOptions {
  size: number;
  idleTimeoutMs: number;
  /** Starts a new process (not yet ready). */
  start(): PersistentProcess;
  /** Called once the pool holds no process and nobody waits: the owner may forget it. */
  onEmpty(): void;
}

interface Waiter {
  resolve(acquired: Acquired): void;
  signal: AbortSignal;
  onAbort(): void;
}

/**
 * The warm processes of one agent configuration: at most `size` processes, each lent to one
 * attempt at a time. Attempts beyond wait in order (until their signal aborts). The most recently
 * used idle process is lent first, so under light load the extra ones reach the idle timeout and
 * stop. A process counts against `size` until its group is gone.
 */
export class PersistentPool {
  private readonly all = new Set<PersistentProcess>();
  /** Idle processes, most recently used last, with their idle timers. */
  private readonly idle = new Map<PersistentProcess, NodeJS.Timeout>();
  private readonly waiters: Waiter[] = [];
  private retired = false;
  private closed = false;

  constructor(private readonly opts: PoolOptions) {}

  /** Sets the most processes (a smaller size takes effect as processes idle out). */
  resize(size: number): void {
    this.opts.size = size;
    this.serveWaiters();
  }

  /** A usable process for one attempt: idle, newly started, or the next one released. */
  acquire(signal: AbortSignal): Promise<Acquired> {
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    if (signal.aborted) return Promise.resolve({ kind: 'aborted', reason: signal.reason });
    const ready = this.takeNow(!this.retired);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve({ kind: 'aborted', reason: signal.reason });
          this.checkEmpty();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Returns a process after its attempt: lent on, kept idle, or stopped. */
  release(process: PersistentProcess): void {
    if (!this.all.has(process) || !process.usable) return; // it is ending: `ended` cleans up
    const waiter = this.waiters.shift();
    if (waiter) {
      this.handOver(waiter, { kind: 'process', process, fresh: false });
    } else if (this.retired || this.all.size > this.opts.size) {
      void process.stop({ kind: 'recycle', reason: 'no longer needed' });
    } else {
      const timer = setTimeout(() => {
        this.idle.delete(process);
        void process.stop({ kind: 'recycle', reason: 'idle timeout' });
      }, this.opts.idleTimeoutMs);
      timer.unref();
      this.idle.set(process, timer);
    }
  }

  /** Replaced by a newer configuration: stops idle processes now, busy ones when released. */
  retire(): void {
    this.retired = true;
    for (const [process, timer] of this.idle) {
      clearTimeout(timer);
      void process.stop({ kind: 'recycle', reason: 'the agent configuration changed' });
    }
    this.idle.clear();
    this.checkEmpty();
  }

  /** SIGKILLs every process (attempts in flight end as `shutdown`); resolves once all are gone. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) this.handOver(waiter, { kind: 'closed' });
    for (const timer of this.idle.values()) clearTimeout(timer);
    this.idle.clear();
    await Promise.all([...this.all].map((p) => p.stop({ kind: 'shutdown' }, true)));
  }

  /** An idle process, else a new one if `mayStart` and there is room. */
  private takeNow(mayStart: boolean): Acquired | undefined {
    for (const [process, timer] of [...this.idle].reverse()) {
      clearTimeout(timer);
      this.idle.delete(process);
      if (process.usable) return { kind: 'process', process, fresh: false };
    }
    if (!mayStart || this.all.size >= this.opts.size) return undefined;
    const process = this.opts.start();
    this.all.add(process);
    void process.ended.then(() => this.forget(process));
    return { kind: 'process', process, fresh: true };
  }

  private forget(process: PersistentProcess): void {
    this.all.delete(process);
    clearTimeout(this.idle.get(process));
    this.idle.delete(process);
    this.serveWaiters();
    this.checkEmpty();
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0 && !this.closed) {
      // A retired pool still serves the attempts that were already waiting for it.
      const acquired = this.takeNow(true);
      if (!acquired) return;
      this.handOver(this.waiters.shift()!, acquired);
    }
  }

  private handOver(waiter: Waiter, acquired: Acquired): void {
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(acquired);
  }

  private checkEmpty(): void {
    if (this.all.size === 0 && this.waiters.length === 0) this.opts.onEmpty();
  }
}
