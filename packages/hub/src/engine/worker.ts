import type { CCEvent, StepError } from '@commandcenter/protocol';
import { channelName, type Store } from '../store/port.js';
import type { EventHub } from './event-hub.js';
import { runTask, type StepRunnerDeps } from './step-runner.js';
import { taskId, type ClaimedTask, type Completion } from './task.js';

export interface WorkerOptions {
  workerId: string;
  /** Attempts executing at once in this worker. */
  concurrency: number;
  /** Lease length; heartbeats renew it every third of it. */
  leaseMs: number;
  /** Longest sleep of the timer loop when nothing is due (a safety net, not the hot path). */
  sweepMs: number;
  /** How long a graceful stop waits for running attempts before handing them back. */
  drainMs: number;
}

interface Running {
  task: ClaimedTask;
  controller: AbortController;
  /** Local monotonic deadline of the lease (performance.now() based). */
  leaseDeadline: number;
  /** Set once the lease is known lost: the result will not be reported. */
  lost: boolean;
}

interface CompleteResult {
  results: { runId: string; key: string; accepted: boolean }[];
  events: CCEvent[];
  tasks?: ClaimedTask[];
}

const LOST: StepError = {
  type: 'lost',
  code: 'CC_E_LEASE_LOST',
  retryable: true,
  message: 'this worker lost the lease of the attempt (the run was cancelled or the lease expired)',
};

/**
 * Claims ready steps and runs them. One claim and one completion flush are in flight at a time;
 * completions that finish while a flush is in flight go in the next batch, so load turns into
 * batching by itself and an idle worker answers at once. A completion flush also claims the next
 * tasks in the same round trip.
 */
export class Worker {
  private readonly running = new Map<string, Running>();
  /** Attempts that finished executing and whose completion is not yet stored. */
  private readonly pending = new Map<string, Completion>();
  private queue: Completion[] = [];
  private flushing: Promise<void> | undefined;
  private claiming = false;
  private claimWanted = true;
  private stopping = false;
  private started = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private unlisten: (() => Promise<void>)[] = [];
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly store: Store,
    private readonly events: EventHub,
    private readonly deps: StepRunnerDeps,
    readonly opts: WorkerOptions,
    private readonly onError: (what: string, err: unknown) => void,
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const s = this.store.schema;
    this.unlisten.push(await this.store.listen(channelName(s, 'ready'), () => this.wake()));
    this.unlisten.push(
      await this.store.listen(channelName(s, 'timer'), () => this.scheduleTick(0)),
    );
    this.unlisten.push(
      await this.store.listen(channelName(s, 'cancel'), () => void this.heartbeat()),
    );
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat(),
      Math.max(50, this.opts.leaseMs / 3),
    );
    this.heartbeatTimer.unref();
    this.scheduleTick(0);
    this.wake();
  }

  /** Free execution slots. */
  free(): number {
    return this.stopping ? 0 : Math.max(0, this.opts.concurrency - this.running.size);
  }

  /** Something may be ready: claim as soon as possible. */
  wake(): void {
    this.claimWanted = true;
    if (this.started) void this.pump();
  }

  /** Starts tasks claimed elsewhere for this worker (e.g. by run creation in one transaction). */
  adopt(tasks: ClaimedTask[] | undefined, claimSentAt: number): void {
    for (const t of tasks ?? []) this.startTask(t, claimSentAt);
  }

  private async pump(): Promise<void> {
    if (this.claiming) return;
    this.claiming = true;
    try {
      while (this.claimWanted && this.free() > 0) {
        this.claimWanted = false;
        const n = this.free();
        const sentAt = performance.now();
        const r = await this.store.query<{ r: { tasks: ClaimedTask[]; events: CCEvent[] } }>(
          'SELECT cc_claim_async($1, $2, $3) AS r',
          [this.opts.workerId, n, this.opts.leaseMs],
        );
        const { tasks, events } = r.rows[0]!.r;
        this.events.publish(events);
        this.adopt(tasks, sentAt);
        if (tasks.length === n) this.claimWanted = true;
      }
    } catch (err) {
      if (!this.stopping) {
        this.onError('claim', err);
        setTimeout(() => this.wake(), 500).unref();
      }
    } finally {
      this.claiming = false;
      this.notifyIdle();
    }
  }

  private startTask(task: ClaimedTask, claimSentAt: number): void {
    const id = taskId(task);
    const controller = new AbortController();
    const entry: Running = {
      task,
      controller,
      leaseDeadline: claimSentAt + this.opts.leaseMs,
      lost: false,
    };
    this.running.set(id, entry);
    const run = async () => {
      // Never start work on a lease that may already have expired (a paused or slow worker).
      if (performance.now() >= entry.leaseDeadline) throw LOST;
      return runTask(task, controller.signal, this.deps);
    };
    run().then(
      (completion) => this.finish(id, entry, completion),
      (err: unknown) => {
        if (err === LOST) entry.lost = true;
        else this.onError(this.describe(task), err);
        this.finish(id, entry, undefined);
      },
    );
  }

  /** What log lines about a task name: its run, step and attempt, and its trace when traced. */
  private describe(task: ClaimedTask): string {
    const trace = this.deps.attempts ? ` traceId=${this.deps.attempts.traceId(task)}` : '';
    return `task runId=${task.runId} step=${task.key} attempt=${task.attempt}${trace}`;
  }

  private finish(id: string, entry: Running, completion: Completion | undefined): void {
    this.running.delete(id);
    if (completion && !entry.lost) {
      this.pending.set(id, completion);
      this.queue.push(completion);
      this.flushing ??= this.flush();
    } else {
      this.wake();
    }
    this.notifyIdle();
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 500);
        await this.deps.flushLogs?.();
        const n = this.free();
        const sentAt = performance.now();
        let out: CompleteResult;
        try {
          const r = await this.store.query<{ r: CompleteResult }>(
            'SELECT cc_complete_and_claim($1::jsonb, $2, $3, $4) AS r',
            [JSON.stringify(batch), this.opts.workerId, n, this.opts.leaseMs],
          );
          out = r.rows[0]!.r;
        } catch (err) {
          // Keep the completions: a repeat of one that did commit is answered "not accepted".
          this.queue.unshift(...batch);
          this.onError('complete', err);
          await new Promise((r) => setTimeout(r, 250));
          if (this.stopping && this.pending.size === 0) return;
          continue;
        }
        for (const c of batch) this.pending.delete(taskId(c));
        this.events.publish(out.events);
        this.adopt(out.tasks, sentAt);
        if (n > 0 && (out.tasks?.length ?? 0) === n) this.claimWanted = true;
        if (this.claimWanted && this.free() > 0) void this.pump();
      }
    } finally {
      this.flushing = undefined;
      this.notifyIdle();
    }
  }

  /** Renews leases; aborts attempts the store no longer considers ours. */
  private async heartbeat(): Promise<void> {
    const entries = [...this.running.values()].filter((e) => !e.lost);
    const held = [...entries.map((e) => e.task), ...[...this.pending.values()]];
    if (held.length === 0) return;
    const sentAt = performance.now();
    try {
      const r = await this.store.query<{ lost: { runId: string; key: string; attempt: number }[] }>(
        'SELECT cc_heartbeat($1, $2, $3::jsonb) AS lost',
        [
          this.opts.workerId,
          this.opts.leaseMs,
          JSON.stringify(held.map((t) => ({ runId: t.runId, key: t.key, attempt: t.attempt }))),
        ],
      );
      const lost = new Set(r.rows[0]!.lost.map(taskId));
      for (const e of entries) {
        if (lost.has(taskId(e.task))) {
          e.lost = true;
          e.controller.abort(LOST);
        } else {
          e.leaseDeadline = sentAt + this.opts.leaseMs;
        }
      }
    } catch (err) {
      if (!this.stopping) this.onError('heartbeat', err);
    }
  }

  /** Runs durable timers (expired leases, deadlines, approval expiry, delayed retries). */
  private scheduleTick(delayMs: number): void {
    if (this.stopping) return;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = setTimeout(() => void this.tick(), delayMs);
    this.tickTimer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    let next = this.opts.sweepMs;
    try {
      const r = await this.store.query<{ r: { events: CCEvent[]; nextDueMs: number | null } }>(
        'SELECT cc_tick(200) AS r',
      );
      const { events, nextDueMs } = r.rows[0]!.r;
      this.events.publish(events);
      if (nextDueMs !== null) next = Math.min(next, Math.max(5, nextDueMs + 2));
      this.wake();
    } catch (err) {
      if (!this.stopping) this.onError('timers', err);
    } finally {
      this.ticking = false;
      this.scheduleTick(next);
    }
  }

  /** Number of attempts executing or waiting to be recorded. */
  get busy(): number {
    return this.running.size + this.pending.size;
  }

  private notifyIdle(): void {
    if (this.running.size === 0 && this.queue.length === 0 && !this.flushing && !this.claiming) {
      for (const w of this.idleWaiters) w();
      this.idleWaiters.clear();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.running.size === 0 && this.queue.length === 0 && !this.flushing && !this.claiming) {
      return Promise.resolve();
    }
    return new Promise((r) => this.idleWaiters.add(r));
  }

  /**
   * Stops claiming, lets running attempts finish for up to `drainMs`, hands the rest back
   * (`release`: the attempt does not count), and records everything before returning.
   */
  async stop(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    const drained = await Promise.race([
      this.whenIdle().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), this.opts.drainMs).unref()),
    ]);
    if (!drained) {
      for (const e of this.running.values()) {
        const c: Completion = {
          runId: e.task.runId,
          key: e.task.key,
          attempt: e.task.attempt,
          worker: this.opts.workerId,
          outcome: 'release',
        };
        e.lost = true; // its own result will be dropped; the release goes instead
        this.pending.set(taskId(c), c);
        this.queue.push(c);
        e.controller.abort({
          type: 'cancelled',
          code: 'CC_E_STEP_CANCELLED',
          retryable: true,
          message: 'the worker is shutting down; the step will run again elsewhere',
        } satisfies StepError);
      }
      this.flushing ??= this.flush();
    }
    while (this.flushing) await this.flushing;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const u of this.unlisten) await u().catch(() => {});
  }
}
