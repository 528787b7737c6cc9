import type { CCEvent } from '@commandcenter/protocol/client';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useClient } from './client.js';

/**
 * The live feed: one SSE connection per project (`GET /api/v1/events`). Each event invalidates
 * the cached queries it makes stale, so every page is current without polling. Invalidations are
 * coalesced for a short moment: a 200-step run finishing emits hundreds of events, which must
 * cause a handful of refetches, not hundreds.
 */
export type LiveStatus = 'connecting' | 'live' | 'offline';
type Listener = (e: CCEvent) => void;

interface LiveContextValue {
  status: LiveStatus;
  subscribe(listener: Listener): () => void;
}

const LiveContext = createContext<LiveContextValue>({
  status: 'connecting',
  subscribe: () => () => {},
});

const coalesceMs = 150;

/** The query-key prefixes an event makes stale. */
export function staleKeys(project: string, e: CCEvent): QueryKey[] {
  const out: QueryKey[] = [];
  const runId = e.runId;
  if (e.type.startsWith('workflow.run.')) {
    out.push([project, 'runs', 'list'], [project, 'workflows'], [project, 'overview']);
    if (e.type === 'workflow.run.queued') out.push([project, 'triggers']);
  }
  if (runId && (e.type.startsWith('workflow.') || e.type.startsWith('approval.'))) {
    out.push([project, 'runs', runId]);
  }
  if (e.type.startsWith('approval.')) out.push([project, 'approvals'], [project, 'overview']);
  if (e.type === 'workflow.step.failed' || e.type === 'workflow.step.succeeded') {
    out.push([project, 'agents']);
  }
  if (e.type === 'agent.registered') out.push([project, 'agents']);
  return out;
}

export function LiveProvider({ project, children }: { project: string; children: ReactNode }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    const abort = new AbortController();
    const pending = new Map<string, QueryKey>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      for (const key of pending.values()) void queryClient.invalidateQueries({ queryKey: key });
      pending.clear();
    };
    let opened = 0;
    (async () => {
      for (;;) {
        try {
          const stream = client.events(
            {},
            {
              signal: abort.signal,
              maxReconnects: Number.MAX_SAFE_INTEGER,
              onOpen: () => {
                setStatus('live');
                // After a reconnection the hub resends what was missed, but a fresh stream (the
                // first one, or after giving up) starts now: refresh what may have changed meanwhile.
                if (opened++ > 0) void queryClient.invalidateQueries({ queryKey: [project] });
              },
            },
          );
          for await (const { event: e } of stream) {
            for (const l of listeners.current) l(e);
            for (const key of staleKeys(project, e)) pending.set(JSON.stringify(key), key);
            timer ??= setTimeout(flush, coalesceMs);
          }
          return;
        } catch {
          if (abort.signal.aborted) return;
          setStatus('offline');
          await new Promise((r) => setTimeout(r, 3000));
        }
      }
    })();
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [client, project, queryClient]);

  const subscribe = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);
  const value = useMemo(() => ({ status, subscribe }), [status, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** The feed's connection state (shown in the header). */
export const useLiveStatus = (): LiveStatus => useContext(LiveContext).status;

/** Calls `listener` for every live event of the project while the component is mounted. */
export function useLiveEvents(listener: Listener): void {
  const { subscribe } = useContext(LiveContext);
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => subscribe((e) => ref.current(e)), [subscribe]);
}
