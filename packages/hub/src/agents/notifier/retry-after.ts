/** Reading how long a rate-limited service asks us to wait (the parser is the hub's own). */
export { parseRetryAfter } from '../../net/retry-after.js';

/** `1.5 s`, `250 ms`: a wait as people read it. */
export function formatWait(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
