import { useEffect, useState } from 'react';

/**
 * The current time, refreshed every `intervalMs` while `active` (a live run's duration and its
 * growing timeline bars). It only re-renders; it fetches nothing.
 */
export function useNow(active: boolean, intervalMs = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [active, intervalMs]);
  return active ? now : Date.now();
}
