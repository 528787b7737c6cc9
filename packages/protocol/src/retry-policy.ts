/**
 * Retry delays. Pure functions: the engine stores the resulting due time, never a timer.
 */
import type { RetryPolicy } from './workflow-types.js';

/**
 * Delay in milliseconds before the next attempt, after attempt number `attempt` (1-based) failed.
 *
 * The base delay is `delayMs` (fixed), `delayMs * attempt` (linear) or
 * `delayMs * 2^(attempt-1)` (exponential), capped at `maxDelayMs`. Jitter then picks a value in
 * the top half, `[d/2, d]`, so simultaneous failures spread out while the delay never drops
 * below half of the planned one. `random` must return a number in `[0, 1)`.
 */
export function computeRetryDelay(
  policy: Pick<RetryPolicy, 'backoff' | 'delayMs' | 'maxDelayMs'>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  let base: number;
  switch (policy.backoff) {
    case 'fixed':
      base = policy.delayMs;
      break;
    case 'linear':
      base = policy.delayMs * n;
      break;
    case 'exponential':
      base = policy.delayMs * 2 ** (n - 1);
      break;
  }
  const capped = Math.max(0, Math.min(base, policy.maxDelayMs));
  const half = capped / 2;
  return Math.min(capped, Math.round(half + random() * half));
}

/** Whether another attempt is allowed after attempt number `attempt` (1-based) failed. */
export function hasAttemptsLeft(policy: Pick<RetryPolicy, 'attempts'>, attempt: number): boolean {
  return attempt < policy.attempts;
}
