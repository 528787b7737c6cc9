import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  alertIdempotencyKey,
  alertLabelsMatch,
  alertNotificationHash,
  alertRunInput,
} from './alert-payload.js';
import { REPLAY_WINDOW_SECONDS, signAlertBody, verifyAlertSignature } from './alert-signature.js';
import { firingGroup, resolvedGroup } from './alert-test-payloads.js';

describe('alert notifications', () => {
  test('labels select on commonLabels: every named label equal; {} selects all', () => {
    const n = firingGroup();
    assert.equal(alertLabelsMatch({}, n), true);
    assert.equal(alertLabelsMatch({ severity: 'critical', service: 'checkout' }, n), true);
    assert.equal(alertLabelsMatch({ severity: 'warning' }, n), false);
    // `instance` differs between the two alerts, so it is not a common label.
    assert.equal(alertLabelsMatch({ instance: 'checkout-1:8080' }, n), false);
    assert.equal(alertLabelsMatch({ toString: 'x' }, n), false, 'own labels only');
  });

  test('one hash per notification: repeats and reordering hash the same, changes do not', () => {
    const a = firingGroup();
    const again = firingGroup();
    const reordered = { ...a, alerts: [...a.alerts].reverse() };
    assert.equal(alertNotificationHash(a), alertNotificationHash(again));
    assert.equal(alertNotificationHash(a), alertNotificationHash(reordered));
    assert.notEqual(alertNotificationHash(a), alertNotificationHash(resolvedGroup()));
    const oneResolved = {
      ...a,
      alerts: [
        { ...a.alerts[0]!, status: 'resolved' as const, endsAt: '2024-05-14T10:00:00Z' },
        a.alerts[1]!,
      ],
    };
    assert.notEqual(alertNotificationHash(a), alertNotificationHash(oneResolved));
    const restarted = {
      ...a,
      alerts: [{ ...a.alerts[0]!, startsAt: '2024-05-14T11:00:00Z' }, a.alerts[1]!],
    };
    assert.notEqual(alertNotificationHash(a), alertNotificationHash(restarted));
    const third = { ...a, alerts: [...a.alerts, { ...a.alerts[0]!, fingerprint: 'ffff' }] };
    assert.notEqual(alertNotificationHash(a), alertNotificationHash(third));
  });

  test('idempotency key: alert:<groupKey>:<status>:<hash>:<workflow>; long group keys hashed', () => {
    const n = firingGroup();
    assert.equal(
      alertIdempotencyKey('wf', n),
      `alert:${n.groupKey}:firing:${alertNotificationHash(n)}:wf`,
    );
    assert.notEqual(alertIdempotencyKey('wf', n), alertIdempotencyKey('other', n));
    const long = { ...n, groupKey: `{}:{${'x="y",'.repeat(200)}}` };
    const key = alertIdempotencyKey('wf', long);
    assert.match(key, /^alert:sha256:[0-9a-f]{32}:firing:[0-9a-f]{32}:wf$/);
    assert.notEqual(key, alertIdempotencyKey('wf', { ...long, groupKey: `${long.groupKey}z` }));
  });

  test('run input: the notification without version and bookkeeping; defaults filled', () => {
    const n = firingGroup();
    assert.deepEqual(alertRunInput(n), {
      status: 'firing',
      receiver: 'commandcenter',
      groupKey: n.groupKey,
      groupLabels: n.groupLabels,
      commonLabels: n.commonLabels,
      commonAnnotations: n.commonAnnotations,
      externalURL: n.externalURL,
      alerts: n.alerts,
    });
    const { commonAnnotations: _a, externalURL: _u, ...bare } = n;
    const input = alertRunInput(bare as typeof n);
    assert.deepEqual([input.commonAnnotations, input.externalURL], [{}, '']);
  });
});

describe('alert signatures', () => {
  const secret = 'topsecret';
  const body = Buffer.from(JSON.stringify(firingGroup()));
  const now = 1_715_680_000_000;
  const ts = String(now / 1000);

  test('a fresh signature of the raw body passes', () => {
    verifyAlertSignature({
      secret,
      timestamp: ts,
      signature: signAlertBody(secret, ts, body),
      body,
      nowMs: now,
    });
  });

  test('refusals say what is wrong', () => {
    const check = (o: Partial<Parameters<typeof verifyAlertSignature>[0]>, re: RegExp) =>
      assert.throws(
        () =>
          verifyAlertSignature({
            secret,
            timestamp: ts,
            signature: signAlertBody(secret, ts, body),
            body,
            nowMs: now,
            ...o,
          }),
        (err: Error & { code?: string }) =>
          err.code === 'CC_E_UNAUTHORIZED' && re.test(err.message),
      );
    check({ timestamp: undefined }, /x-cc-timestamp header must be the unix time/);
    check({ timestamp: '2024-05-14' }, /unix time in seconds/);
    check({ nowMs: now + (REPLAY_WINDOW_SECONDS + 1) * 1000 }, /301 s away .*at most 300 s/);
    check({ signature: 'md5=abc' }, /must be sha256=<64 hex digits>/);
    check({ body: Buffer.from(`${body.toString()} `) }, /does not match the body/);
    check({ secret: 'other' }, /does not match the body/);
    const old = String(now / 1000 - 10);
    check({ signature: signAlertBody(secret, old, body) }, /does not match/);
  });
});
