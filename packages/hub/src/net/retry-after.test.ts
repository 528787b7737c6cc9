import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRetryableStatus, parseRetryAfter } from './retry-after.js';

test('Retry-After: delay-seconds, HTTP dates (never negative) and garbage', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 1.5 ', now), 1500);
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('retryable statuses: 5xx, 429 and 408 only', () => {
  assert.deepEqual([500, 503, 429, 408, 400, 404, 409, 302].map(isRetryableStatus), [
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});
