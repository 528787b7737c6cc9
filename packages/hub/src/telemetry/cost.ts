import type { AttemptUsage, CostSummary } from '@commandcenter/protocol';

export type { CostSummary } from '@commandcenter/protocol';

/** What turns attempts into money (config: CC_COMPUTE_COST_PER_SECOND). */
export interface CostRates {
  /** USD per second of attempt wall time. */
  computePerSecond: number;
}

/** Compute is free (the default of CC_COMPUTE_COST_PER_SECOND): only LLM usage costs. */
export const NO_COST: CostRates = Object.freeze({ computePerSecond: 0 });

/** One finished attempt as the cost needs it: its wall time and what it reported. */
export interface SpentAttempt {
  durationMs: number | null;
  usage: AttemptUsage | null | undefined;
}

/**
 * The cost of a set of finished attempts (a run's, an agent's recent ones): compute = wall time
 * of every attempt (succeeded, failed, lost or cancelled alike: the time was spent) × the rate;
 * LLM = the cost the attempts reported from their agents' token prices. The same definitions as
 * `cc_compute_seconds_total` and `cc_cost_usd_total`, read from the store.
 */
export function costOf(attempts: Iterable<SpentAttempt>, rates: CostRates): CostSummary {
  let ms = 0;
  let llmUsd = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  for (const a of attempts) {
    if (a.durationMs !== null && a.durationMs > 0) ms += a.durationMs;
    const u = a.usage;
    if (!u) continue;
    llmUsd += finite(u.costUsd);
    tokensIn += finite(u.tokensIn);
    tokensOut += finite(u.tokensOut);
  }
  const computeSeconds = ms / 1000;
  const computeUsd = computeSeconds * rates.computePerSecond;
  return {
    computeSeconds: round(computeSeconds),
    computeUsd: round(computeUsd),
    llmUsd: round(llmUsd),
    totalUsd: round(computeUsd + llmUsd),
    tokensIn,
    tokensOut,
  };
}

const finite = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

/** Nine decimals: exact enough for micro-dollars, free of float noise. */
const round = (n: number) => Math.round(n * 1e9) / 1e9;
