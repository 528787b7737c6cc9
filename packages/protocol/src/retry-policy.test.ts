import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeRetryDelay, hasAttemptsLeft } from './retry-policy.js';

const low = () => 0;
const high = () => 0.999999;

describe('computeRetryDelay', () => {
  it('grows exponentially, linearly or not at all before jitter', () => {
    const expo = { backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000 } as const;
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => computeRetryDelay(expo, n, high)),
      [1000, 2000, 4000, 8000],
    );
    const linear = { ...expo, backoff: 'linear' } as const;
    assert.deepEqual(
      [1, 2, 3].map((n) => computeRetryDelay(linear, n, high)),
      [1000, 2000, 3000],
    );
    const fixed = { ...expo, backoff: 'fixed' } as const;
    assert.deepEqual(
      [1, 5].map((n) => computeRetryDelay(fixed, n, high)),
      [1000, 1000],
    );
  });

  it('applies jitter in the top half [d/2, d]', () => {
    const policy = { backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000 } as const;
    assert.equal(computeRetryDelay(policy, 3, low), 2000);
    assert.equal(
      computeRetryDelay(policy, 3, () => 0.5),
      3000,
    );
    for (let i = 0; i < 200; i++) {
      const d = computeRetryDelay(policy, 3);
      assert.ok(d >= 2000 && d <= 4000, `delay ${d} out of [2000, 4000]`);
    }
  });

  it('caps at maxDelay, even for huge attempt numbers', () => {
    const policy = { backoff: 'exponential', delayMs: 1000, maxDelayMs: 30_000 } as const;
    assert.equal(computeRetryDelay(policy, 10, high), 30_000);
    assert.equal(computeRetryDelay(policy, 100, low), 15_000);
    assert.equal(computeRetryDelay(policy, 5000, high), 30_000);
  });

  it('handles a zero delay', () => {
    assert.equal(computeRetryDelay({ backoff: 'fixed', delayMs: 0, maxDelayMs: 0 }, 2, high), 0);
  });
});

describe('hasAttemptsLeft', () => {
  it('counts the first attempt', () => {
    assert.equal(hasAttemptsLeft({ attempts: 1 }, 1), false);
    assert.equal(hasAttemptsLeft({ attempts: 3 }, 2), true);
    assert.equal(hasAttemptsLeft({ attempts: 3 }, 3), false);
  });
});
