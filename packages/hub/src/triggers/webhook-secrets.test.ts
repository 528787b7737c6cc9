import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEngine, type Harness } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';
import { TriggerStore } from './trigger-store.js';
import { WebhookSecrets } from './webhook-secrets.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const wf = (name: string, triggers: unknown[]) => ({
  name,
  triggers,
  nodes: [{ id: 'a', agent: 'test', action: 'noop' }],
});

for (const kind of storeKinds()) {
  describe(`webhook signing secrets (${kind})`, () => {
    let h: Harness;
    let triggers: TriggerStore;
    let clock = Date.parse('2025-01-01T00:00:00Z');
    let secrets: WebhookSecrets;
    const at = (ms: number) => (clock = Date.parse('2025-01-01T00:00:00Z') + ms);

    before(async () => {
      h = await startEngine(kind);
      triggers = new TriggerStore(h.store);
      secrets = new WebhookSecrets(h.store, h.secrets, () => new Date(clock));
    });
    after(() => h.close());

    test('none before the first; the first has no previous; stored encrypted', async () => {
      await h.engine.applyWorkflow('default', wf('first', [{ webhook: 'first' }]));
      assert.deepEqual(await secrets.valid('default', 'first'), []);
      assert.equal(await secrets.state('default', 'first'), null);
      at(0);
      const s = await secrets.rotate('default', 'first', 24 * HOUR);
      assert.match(s.secret, /^ccwh_[A-Za-z0-9_-]{43}$/);
      assert.equal(s.previousExpiresAt, null);
      const [t] = await triggers.byKey('default', 'webhook:first');
      assert.deepEqual(s.triggerIds, [t!.id]);
      assert.deepEqual(await secrets.valid('default', 'first'), [s.secret]);
      assert.deepEqual(await secrets.state('default', 'first'), {
        createdAt: new Date(clock),
        previousExpiresAt: null,
      });
      const raw = await h.store.query<{ ciphertext: Uint8Array }>(
        'SELECT ciphertext FROM webhook_secrets WHERE trigger_id = $1',
        [t!.id],
      );
      assert.equal(raw.rows.length, 1);
      assert.ok(!Buffer.from(raw.rows[0]!.ciphertext).toString('latin1').includes('ccwh_'));
      assert.equal(
        (await secrets.valid('other', 'first')).length,
        0,
        'another project has no such webhook',
      );
    });

    test('a rotation keeps the previous secret valid until it expires, then only the new one', async () => {
      await h.engine.applyWorkflow('default', wf('rotating', [{ webhook: 'rotating' }]));
      at(0);
      const s1 = await secrets.rotate('default', 'rotating', 24 * HOUR);
      at(10 * MINUTE);
      const s2 = await secrets.rotate('default', 'rotating', HOUR);
      assert.deepEqual(s2.previousExpiresAt, new Date(clock + HOUR));
      assert.deepEqual(
        new Set(await secrets.valid('default', 'rotating')),
        new Set([s1.secret, s2.secret]),
      );
      assert.deepEqual(
        (await secrets.state('default', 'rotating'))?.previousExpiresAt,
        s2.previousExpiresAt,
      );
      at(10 * MINUTE + HOUR - 1);
      assert.equal((await secrets.valid('default', 'rotating')).length, 2, 'still in the window');
      at(10 * MINUTE + HOUR);
      assert.deepEqual(await secrets.valid('default', 'rotating'), [s2.secret], 'expired');
      assert.deepEqual(await secrets.state('default', 'rotating'), {
        createdAt: new Date(Date.parse('2025-01-01T00:10:00Z')),
        previousExpiresAt: null,
      });
    });

    test('at most two are valid: rotating again revokes the one still in its grace period; 0s revokes now', async () => {
      await h.engine.applyWorkflow('default', wf('twice', [{ webhook: 'twice' }]));
      at(0);
      const s1 = await secrets.rotate('default', 'twice', 24 * HOUR);
      const s2 = await secrets.rotate('default', 'twice', 24 * HOUR);
      const s3 = await secrets.rotate('default', 'twice', 24 * HOUR);
      const valid = new Set(await secrets.valid('default', 'twice'));
      assert.deepEqual(valid, new Set([s2.secret, s3.secret]));
      assert.ok(!valid.has(s1.secret));
      const s4 = await secrets.rotate('default', 'twice', 0);
      assert.deepEqual(s4.previousExpiresAt, new Date(clock));
      assert.deepEqual(await secrets.valid('default', 'twice'), [s4.secret]);
      const rows = await h.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_secrets s JOIN triggers t ON t.id = s.trigger_id
          WHERE t.key = 'webhook:twice'`,
      );
      assert.equal(rows.rows[0]!.n, 1, 'revoked and expired secrets are deleted');
    });

    test('concurrent rotations of one webhook run one after the other', async () => {
      await h.engine.applyWorkflow('default', wf('racing', [{ webhook: 'racing' }]));
      at(0);
      const made = await Promise.all(
        [1, 2, 3].map(() => secrets.rotate('default', 'racing', HOUR)),
      );
      const current = await h.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_secrets s JOIN triggers t ON t.id = s.trigger_id
          WHERE t.key = 'webhook:racing' AND s.expires_at IS NULL`,
      );
      assert.equal(current.rows[0]!.n, 1, 'exactly one current secret');
      assert.equal(made.filter((m) => m.previousExpiresAt === null).length, 1, 'one was first');
      assert.equal((await secrets.valid('default', 'racing')).length, 2);
    });

    test('the secret belongs to the URL: workflows sharing a webhook share it, also one that leaves and comes back', async () => {
      await h.engine.applyWorkflow('default', wf('shared-a', [{ webhook: 'shared' }]));
      at(0);
      const s1 = await secrets.rotate('default', 'shared', 0);
      // A second workflow declares the same webhook: the URL's secret already verifies for it.
      await h.engine.applyWorkflow('default', wf('shared-b', [{ webhook: 'shared' }]));
      assert.deepEqual(await secrets.valid('default', 'shared'), [s1.secret]);
      const s2 = await secrets.rotate('default', 'shared', 0);
      assert.equal(s2.triggerIds.length, 2, 'rotated for both workflows');
      assert.deepEqual(await secrets.valid('default', 'shared'), [s2.secret]);
      // b drops the webhook, a rotation happens, b declares it again: no stale secret returns.
      await h.engine.applyWorkflow('default', wf('shared-b', [{ manual: {} }]));
      const s3 = await secrets.rotate('default', 'shared', 0);
      assert.equal(s3.triggerIds.length, 2, 'inactive triggers rotate too');
      await h.engine.applyWorkflow('default', wf('shared-b', [{ webhook: 'shared' }]));
      assert.deepEqual(await secrets.valid('default', 'shared'), [s3.secret]);
    });
  });
}
