import type { LogLine } from '@commandcenter/protocol/client';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useClient } from '../../api/client.js';

export type LogState = 'connecting' | 'live' | 'ended' | 'error';

export interface LogSnapshot {
  lines: readonly LogLine[];
  state: LogState;
  error: unknown;
}

/**
 * The lines of one run, as they stream in. Lines arrive one SSE message each; subscribers are
 * told at most once per animation frame, so 1,000 lines arriving at once cost a few renders.
 */
class LogBuffer {
  private snapshot: LogSnapshot = { lines: [], state: 'connecting', error: null };
  private incoming: LogLine[] = [];
  private frame: number | null = null;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };
  readonly get = () => this.snapshot;

  push(line: LogLine): void {
    this.incoming.push(line);
    this.frame ??= requestAnimationFrame(() => this.flush());
  }

  setState(state: LogState, error: unknown = null): void {
    this.flush();
    this.snapshot = { ...this.snapshot, state, error };
    this.emit();
  }

  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
  }

  private flush(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.incoming.length === 0) return;
    this.snapshot = { ...this.snapshot, lines: this.snapshot.lines.concat(this.incoming) };
    this.incoming = [];
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * Every log line of run `runId`, streamed live (`HubClient.followLogs`: stored lines, then new
 * ones, until the run ends). One stream serves every step of the page, so switching steps shows
 * their lines at once. `attempt` restarts the stream after an error (the retry button).
 */
export function useRunLogs(runId: string, attempt = 0): LogSnapshot {
  const client = useClient();
  const [buffer, setBuffer] = useState(() => new LogBuffer());
  useEffect(() => {
    const b = new LogBuffer();
    setBuffer(b);
    const abort = new AbortController();
    void (async () => {
      try {
        for await (const line of client.followLogs(runId, {
          signal: abort.signal,
          onOpen: () => b.setState('live'),
        })) {
          b.push(line);
        }
        if (!abort.signal.aborted) b.setState('ended');
      } catch (err) {
        if (!abort.signal.aborted) b.setState('error', err);
      }
    })();
    return () => {
      abort.abort();
      b.dispose();
    };
  }, [client, runId, attempt]);
  return useSyncExternalStore(buffer.subscribe, buffer.get);
}

/** The lines of one step: its own, and its items' (`node[3]`) for a forEach node. */
export function linesOfStep(lines: readonly LogLine[], key: string): LogLine[] {
  const prefix = `${key}[`;
  return lines.filter((l) => l.stepKey === key || l.stepKey.startsWith(prefix));
}
