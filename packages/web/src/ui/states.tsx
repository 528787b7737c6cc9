import { isCCError } from '@commandcenter/protocol/client';
import type { ReactNode } from 'react';

/** Loading, error and empty states: every page shows one of these instead of a blank area. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** A failed request: the hub's problem detail and what to do about it. */
export function ErrorView({ error, retry }: { error: unknown; retry?: () => void }) {
  const detail = isCCError(error)
    ? error.detail
    : error instanceof Error
      ? error.message
      : String(error);
  const fix = isCCError(error) ? error.fix : undefined;
  return (
    <div className="state state-error" role="alert">
      <strong>Something went wrong</strong>
      <p>{detail}</p>
      {fix && <p className="muted">{fix}</p>}
      {retry && (
        <button type="button" className="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What {@link QueryView} reads of a query (a `useQuery` or `useInfiniteQuery` result). */
interface QueryLike<T> {
  isPending: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => Promise<unknown>;
}

/**
 * The place of a query's data: the spinner (saying `loading`) while it loads, the hub's problem
 * with "Try again" when it failed, then what `children` makes of the data.
 */
export function QueryView<T>({
  query,
  loading,
  children,
}: {
  query: QueryLike<T>;
  loading?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.error) return <ErrorView error={query.error} retry={() => void query.refetch()} />;
  return query.data === undefined ? <Loading label={loading} /> : children(query.data);
}

/** An empty list that teaches what to do next. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children && <div className="muted">{children}</div>}
      {action}
    </div>
  );
}
