import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/**
 * The query of the current address, read when a change is made rather than at the last render:
 * two quick changes (typing in a search box, then picking a filter before React re-rendered)
 * must not undo each other.
 */
export function currentParams(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}

/**
 * A page's filters and selection kept in the URL's query, so a view can be shared and survives a
 * reload. `set` replaces one parameter (an empty value removes it), `clear` removes them all;
 * both replace the history entry unless `push` asks for a new one (e.g. opening a drawer).
 */
export function useUrlParams() {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (name: string, value: string | null, opts: { push?: boolean } = {}) => {
      const next = currentParams();
      if (value) next.set(name, value);
      else next.delete(name);
      setParams(next, { replace: !opts.push });
    },
    [setParams],
  );
  const clear = useCallback(() => setParams(new URLSearchParams(), { replace: true }), [setParams]);
  return { params, set, clear };
}
