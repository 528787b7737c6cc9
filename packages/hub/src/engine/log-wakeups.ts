import { channelName, type Store } from '../store/port.js';
import { LOG_CHANNEL } from './log-writer.js';

/**
 * Wakes the live log streams of one process when lines of their run were stored, by any process:
 * one LISTEN on {@link LOG_CHANNEL} (opened with the first stream, kept until `close()`), whose
 * notifications (payload: the run id) are dispatched to the streams following that run.
 */
export class LogWakeups {
  private readonly byRun = new Map<string, Set<() => void>>();
  private listening: Promise<() => Promise<void>> | undefined;
  private closed = false;

  constructor(private readonly store: Store) {}

  /**
   * Calls `wake` after each batch of `runId`'s lines is committed. Resolves once the channel is
   * listened to, so no batch stored after that is missed; the returned function unsubscribes.
   */
  async subscribe(runId: string, wake: () => void): Promise<() => void> {
    if (this.closed) throw new Error('log wake-ups are closed');
    let set = this.byRun.get(runId);
    if (!set) this.byRun.set(runId, (set = new Set()));
    set.add(wake);
    const unsubscribe = () => {
      set.delete(wake);
      if (set.size === 0 && this.byRun.get(runId) === set) this.byRun.delete(runId);
    };
    this.listening ??= this.store.listen(channelName(this.store.schema, LOG_CHANNEL), (runId) =>
      this.dispatch(runId),
    );
    try {
      await this.listening;
    } catch (err) {
      // The next subscriber tries again.
      this.listening = undefined;
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** Stops listening (the app is closing). */
  async close(): Promise<void> {
    this.closed = true;
    this.byRun.clear();
    const listening = this.listening;
    this.listening = undefined;
    const unlisten = await listening?.catch(() => undefined);
    await unlisten?.();
  }

  private dispatch(runId: string): void {
    for (const wake of [...(this.byRun.get(runId) ?? [])]) wake();
  }
}
