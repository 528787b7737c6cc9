import type { TriggerOutcome } from '@commandcenter/protocol/client';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { formatRelative, formatTime, shortId } from '../../ui/format.js';
import { LoadMore } from '../../ui/load-more.js';
import { QueryView } from '../../ui/states.js';

const outcomeBadge: Record<TriggerOutcome, string> = {
  fired: 'badge-ok',
  duplicate: 'badge-idle',
  rejected: 'badge-bad',
  skipped: 'badge-off',
  filtered: 'badge-off',
};

/** Where a firing came from, in a few words (a tick, a delivery id, a subject…). */
function sourceText(source: Record<string, unknown>): string {
  return Object.entries(source)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .slice(0, 2)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}

/**
 * What a trigger did, newest first, 20 at a time. A run queued by a trigger invalidates the
 * triggers' queries (live feed), so a new firing appears without reloading.
 */
export function TriggerHistory({ id }: { id: string }) {
  const client = useClient();
  const { project } = useSession();
  const history = useInfiniteQuery({
    queryKey: [...keys.trigger(project, id), 'history'],
    queryFn: ({ pageParam }) => client.triggerHistory(id, { cursor: pageParam, limit: 20 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
  });
  const entries = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="trigger-history-title" className="trigger-history">
      <h3 id="trigger-history-title">History</h3>
      <QueryView query={history} loading="Loading the history…">
        {() =>
          entries.length === 0 ? (
            <p className="muted">
              It has not fired yet. Each firing is listed here: the run it started, or why it did
              not (paused, filtered by <code>when</code>, rejected input…).
            </p>
          ) : (
            <>
              <ol className="trigger-history-list">
                {entries.map((h) => (
                  <li key={h.id}>
                    <span className={`badge ${outcomeBadge[h.outcome]}`}>
                      <span className="badge-dot" aria-hidden="true" />
                      {h.outcome}
                    </span>
                    <time dateTime={h.at} title={formatTime(h.at)}>
                      {formatRelative(h.at)}
                    </time>
                    {h.runId && (
                      <Link to={`/runs/${h.runId}`} className="mono">
                        run {shortId(h.runId)}
                      </Link>
                    )}
                    {h.reason && <p className="trigger-history-reason">{h.reason}</p>}
                    {Object.keys(h.source).length > 0 && (
                      <p className="cell-sub mono">{sourceText(h.source)}</p>
                    )}
                  </li>
                ))}
              </ol>
              <LoadMore list={history} label="Older entries" small />
            </>
          )
        }
      </QueryView>
    </section>
  );
}
