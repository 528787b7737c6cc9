import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { isCCError, validateWorkflow } from '@commandcenter/protocol';
import { signWebhook } from '../agents/notifier/webhook.js';
import {
  WEBHOOK_TOLERANCE_SECONDS,
  verifyWebhookSignature,
  webhookSignature,
  type SignedDelivery,
} from './webhook-signature.js';

const NOW = 1_718_000_000_000;
const ts = String(NOW / 1000);
const body = Buffer.from('{"repo":"cc","n":1}');
const secret = 'ccwh_current';

/** The code and problem paths of what `fn` throws. */
function refusal(fn: () => void): { code: string; paths: string[]; detail: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(isCCError(err), String(err));
    return { code: err.code, paths: err.problems.map((p) => p.path), detail: err.detail };
  }
  assert.fail('expected a refusal');
}

const signed = (over: Partial<SignedDelivery> = {}): SignedDelivery => ({
  timestamp: ts,
  signature: webhookSignature(secret, ts, body),
  body,
  ...over,
});

describe('webhook signatures', () => {
  test('the notifier’s webhook signature verifies here (one scheme both ways)', () => {
    const fromNotifier = signWebhook(secret, ts, body.toString('utf8'));
    assert.equal(fromNotifier, webhookSignature(secret, ts, body));
    verifyWebhookSignature(signed({ signature: fromNotifier }), [secret], NOW);
  });

  test('the documented openssl one-liner computes the same signature', (t) => {
    let hex: string;
    try {
      hex = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-hex', '-r'], {
        input: Buffer.concat([Buffer.from(`${ts}.`), body]),
      })
        .toString()
        .split(' ')[0]!;
    } catch {
      t.skip('openssl is not installed');
      return;
    }
    assert.equal(`sha256=${hex}`, webhookSignature(secret, ts, body));
  });

  test('either of two valid secrets verifies (a rotation in progress); the hex case does not matter', () => {
    verifyWebhookSignature(signed(), ['ccwh_next', secret], NOW);
    const upper = `sha256=${webhookSignature(secret, ts, body).slice(7).toUpperCase()}`;
    verifyWebhookSignature(signed({ signature: upper }), [secret], NOW);
  });

  test('a wrong secret, a changed body or a changed timestamp is refused', () => {
    for (const [what, d, secrets] of [
      ['wrong secret', signed(), ['ccwh_other']],
      ['changed body', signed({ body: Buffer.from('{"repo":"cc","n":2}') }), [secret]],
      ['changed timestamp', signed({ timestamp: String(Number(ts) + 1) }), [secret]],
    ] as const) {
      const r = refusal(() => verifyWebhookSignature(d, secrets, NOW));
      assert.equal(r.code, 'CC_E_WEBHOOK_SIGNATURE', what);
      assert.deepEqual(r.paths, ['headers["x-cc-signature"]'], what);
    }
  });

  test('missing and malformed headers are named, all at once', () => {
    const none = refusal(() =>
      verifyWebhookSignature(signed({ timestamp: undefined, signature: undefined }), [secret], NOW),
    );
    assert.equal(none.code, 'CC_E_WEBHOOK_SIGNATURE');
    assert.deepEqual(none.paths, ['headers["x-cc-timestamp"]', 'headers["x-cc-signature"]']);
    const ms = refusal(() =>
      verifyWebhookSignature(signed({ timestamp: String(NOW) + '0' }), [secret], NOW),
    );
    assert.deepEqual(ms.paths, ['headers["x-cc-timestamp"]']);
    assert.match(ms.detail, /unix time in whole seconds/);
    const bare = refusal(() =>
      verifyWebhookSignature(signed({ signature: 'deadbeef' }), [secret], NOW),
    );
    assert.deepEqual(bare.paths, ['headers["x-cc-signature"]']);
    assert.match(bare.detail, /sha256=/);
  });

  test('the replay window is 5 minutes in both directions, and only checked for a valid signature', () => {
    for (const skew of [-WEBHOOK_TOLERANCE_SECONDS, 0, WEBHOOK_TOLERANCE_SECONDS]) {
      const at = String(Number(ts) + skew);
      verifyWebhookSignature(
        signed({ timestamp: at, signature: webhookSignature(secret, at, body) }),
        [secret],
        NOW,
      );
    }
    for (const [skew, words] of [
      [-WEBHOOK_TOLERANCE_SECONDS - 1, '301 s in the past'],
      [WEBHOOK_TOLERANCE_SECONDS + 1, '301 s in the future'],
    ] as const) {
      const at = String(Number(ts) + skew);
      const good = refusal(() =>
        verifyWebhookSignature(
          signed({ timestamp: at, signature: webhookSignature(secret, at, body) }),
          [secret],
          NOW,
        ),
      );
      assert.equal(good.code, 'CC_E_WEBHOOK_STALE');
      assert.deepEqual(good.paths, ['headers["x-cc-timestamp"]']);
      assert.match(good.detail, new RegExp(words));
      const forged = refusal(() =>
        verifyWebhookSignature(signed({ timestamp: at }), ['ccwh_other'], NOW),
      );
      assert.equal(forged.code, 'CC_E_WEBHOOK_SIGNATURE', 'a forged request learns nothing more');
    }
  });
});

describe('the webhook trigger’s auth option', () => {
  const doc = (trigger: Record<string, unknown>) => ({
    name: 'hooked',
    triggers: [trigger],
    nodes: [{ id: 'a', agent: 'x', action: 'y' }],
  });

  test('defaults to hmac and accepts token', () => {
    for (const [trigger, auth] of [
      [{ webhook: 'deploy' }, 'hmac'],
      [{ webhook: 'deploy', auth: 'hmac' }, 'hmac'],
      [{ webhook: 'deploy', auth: 'token', when: '{{ event.body.ok }}' }, 'token'],
    ] as const) {
      const r = validateWorkflow(doc(trigger));
      assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
      assert.deepEqual(r.workflow.triggers[0], { kind: 'webhook', index: 0, ...trigger, auth });
    }
  });

  test('an unknown mode, or auth on another kind, is a problem at its path', () => {
    const bad = validateWorkflow(doc({ webhook: 'deploy', auth: 'basic' }));
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.problems.map((p) => [p.code, p.path]),
      [['CC_E_WORKFLOW_TRIGGER', 'triggers[0].auth']],
    );
    assert.match(bad.problems[0]!.message, /must be one of "hmac", "token"/);
    const cron = validateWorkflow(doc({ cron: '0 3 * * *', auth: 'token' }));
    assert.ok(!cron.ok);
    assert.deepEqual(
      cron.problems.map((p) => [p.code, p.path]),
      [['CC_E_WORKFLOW_TRIGGER', 'triggers[0].auth']],
    );
    assert.match(cron.problems[0]!.message, /applies to webhook triggers only/);
  });
});
