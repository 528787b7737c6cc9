import type { ReactNode } from 'react';

/** What {@link LoadMore} needs of a cursor-paged query (a `useInfiniteQuery` result). */
interface Paged {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * The footer of a cursor-paged list: a `summary` of what is shown, and while there is a next
 * page, the button that fetches it (and says so while it loads).
 */
export function LoadMore({
  list,
  summary,
  label = 'Load more',
  small = false,
}: {
  list: Paged;
  summary?: ReactNode;
  label?: string;
  small?: boolean;
}) {
  if (summary === undefined && !list.hasNextPage) return null;
  return (
    <div className="load-more">
      <span className="muted">{summary}</span>
      {list.hasNextPage && (
        <button
          type="button"
          className={small ? 'btn btn-small' : 'btn'}
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {list.isFetchingNextPage ? 'Loading…' : label}
        </button>
      )}
    </div>
  );
}
