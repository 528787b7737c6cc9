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
