import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { V1, assertProblem, openApiHarness, type ApiHarness } from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

/** Requests over the rate limit get a problem of their own, and change nothing either. */

for (const kind of storeKinds()) {
  describe(`rate limiting on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind, { rateLimit: 5 });
    });
    after(async () => h?.close());

    test('the 6th request of a token within a minute gets 429 CC_E_RATE_LIMITED with Retry-After; nothing changes', async () => {
      const viewer = await h.token('viewer');
      for (let i = 0; i < 5; i++) {
        const r = await h.call('GET', `${V1}/runs`, { token: viewer });
        assert.equal(r.status, 200, r.text);
      }
      const before = await h.dump();
      const limited = await h.call('POST', `${V1}/runs`, {
        token: viewer,
        body: { workflow: 'whatever' },
      });
      assertProblem(limited, 429, 'CC_E_RATE_LIMITED');
      const retry = Number(limited.headers['retry-after']);
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retry-after ${retry}`);
      assert.equal(await h.dump(), before);
      // The limit is per token: another token is not limited; public routes never are.
      const other = await h.token('viewer');
      assert.equal((await h.call('GET', `${V1}/runs`, { token: other })).status, 200);
      for (let i = 0; i < 7; i++) {
        assert.equal((await h.call('GET', '/healthz', { token: null })).status, 200);
      }
    });
  });
}
