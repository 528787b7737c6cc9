import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BODY_LIMIT,
  at,
  good,
  signed,
  webhookBattery,
  withoutHistory,
  without,
  type WebhookBadCase,
} from '../triggers/webhook-battery.js';
import { signedWebhookHeaders, webhookSignature } from '../triggers/webhook-signature.js';

/**
 * Bad webhook deliveries: signatures, the replay window, headers, project and webhook, bodies,
 * inputs and token auth. Runner and fixtures: `triggers/webhook-battery.ts`.
 */

const now = () => Date.now();

const cases: WebhookBadCase[] = [
  {
    name: 'bad signature (well-formed, wrong digest)',
    request: (f) =>
      signed(f.secret, good, (h) => (h['x-cc-signature'] = `sha256=${'0'.repeat(64)}`)),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-signature"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'signed with a wrong secret',
    request: () => signed('ccwh_not-the-secret'),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-signature"]'],
    detail: /does not match/,
    recordedOn: ['hooked'],
  },
  {
    name: 'signed with the secret revoked by a 0s rotation',
    request: (f) => signed(f.revoked),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-signature"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'body changed after signing',
    request: (f) => ({ ...signed(f.secret), body: JSON.stringify({ repo: 'evil', n: 1 }) }),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-signature"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'signature without the sha256= prefix',
    request: (f) =>
      signed(f.secret, good, (h) => (h['x-cc-signature'] = h['x-cc-signature']!.slice(7))),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-signature"]'],
    detail: /sha256=/,
    recordedOn: ['hooked'],
  },
  {
    name: 'stale timestamp (signed 6 minutes ago: a captured request replayed)',
    request: (f) => signed(f.secret, good, () => {}, at(-360)),
    status: 401,
    code: 'CC_E_WEBHOOK_STALE',
    paths: ['headers["x-cc-timestamp"]'],
    detail: /in the past/,
    recordedOn: ['hooked'],
  },
  {
    name: 'timestamp 6 minutes in the future',
    request: (f) => signed(f.secret, good, () => {}, at(360)),
    status: 401,
    code: 'CC_E_WEBHOOK_STALE',
    paths: ['headers["x-cc-timestamp"]'],
    detail: /in the future/,
    recordedOn: ['hooked'],
  },
  {
    name: 'timestamp in milliseconds',
    request: (f) => {
      const ms = String(now());
      return signed(f.secret, good, (h) => {
        h['x-cc-timestamp'] = ms;
        h['x-cc-signature'] = webhookSignature(f.secret, ms, Buffer.from(good));
      });
    },
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-timestamp"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'missing X-CC-Timestamp',
    request: (f) => signed(f.secret, good, without('x-cc-timestamp')),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-timestamp"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'missing X-CC-Signature',
    request: (f) => signed(f.secret, good, without('x-cc-signature')),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-signature"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'missing timestamp and signature: both named',
    request: (f) => signed(f.secret, good, without('x-cc-timestamp', 'x-cc-signature')),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-timestamp"]', 'headers["x-cc-signature"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'missing X-CC-Delivery',
    request: (f) => signed(f.secret, good, without('x-cc-delivery')),
    status: 400,
    code: 'CC_E_WEBHOOK_DELIVERY_ID',
    paths: ['headers["x-cc-delivery"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'X-CC-Delivery with a space',
    request: (f) => signed(f.secret, good, (h) => (h['x-cc-delivery'] = 'two words')),
    status: 400,
    code: 'CC_E_WEBHOOK_DELIVERY_ID',
    paths: ['headers["x-cc-delivery"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'a bearer token instead of a signature (hmac webhook)',
    request: (f) => ({ ...signed(f.secret, good, without('x-cc-signature')), token: f.admin }),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    paths: ['headers["x-cc-signature"]'],
    recordedOn: ['hooked'],
  },
  {
    name: 'wrong project (the webhook exists in default only)',
    request: (f) => ({ ...signed(f.secret), url: '/hooks/alpha/deploy' }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
    detail: /^webhook deploy in project alpha not found$/,
  },
  {
    name: 'unknown project',
    request: (f) => ({ ...signed(f.secret), url: '/hooks/nope/deploy' }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
    detail: /^webhook deploy in project nope not found$/,
  },
  {
    name: 'unknown webhook',
    request: (f) => ({ ...signed(f.secret), url: '/hooks/default/deploy-typo' }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
    detail: /^webhook deploy-typo in project default not found$/,
  },
  {
    name: 'webhook of an archived workflow',
    request: (f) => ({ ...signed(f.secret), url: '/hooks/default/gone' }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'oversized body (signed)',
    request: (f) => signed(f.secret, JSON.stringify({ repo: 'x'.repeat(BODY_LIMIT) })),
    status: 413,
    code: 'CC_E_PAYLOAD_TOO_LARGE',
    detail: new RegExp(`${BODY_LIMIT} bytes`),
    recordedOn: ['hooked'],
  },
  {
    name: 'malformed JSON (correctly signed)',
    request: (f) => signed(f.secret, '{"repo": "x",'),
    status: 400,
    code: 'CC_E_PARSE',
    paths: [''],
    recordedOn: ['hooked'],
  },
  {
    name: 'malformed JSON with a bad signature: the signature is checked first',
    request: () => signed('ccwh_wrong', '{"repo": "x",'),
    status: 401,
    code: 'CC_E_WEBHOOK_SIGNATURE',
    recordedOn: ['hooked'],
  },
  {
    name: 'empty body declared as JSON',
    request: (f) => signed(f.secret, ''),
    status: 400,
    code: 'CC_E_PARSE',
    paths: [''],
    detail: /empty/,
    recordedOn: ['hooked'],
  },
  {
    name: 'non-JSON content type (text/plain)',
    request: (f) => signed(f.secret, good, (h) => (h['content-type'] = 'text/plain')),
    status: 415,
    code: 'CC_E_UNSUPPORTED_MEDIA_TYPE',
    detail: /are JSON \(Content-Type: application\/json\), not text\/plain/,
    recordedOn: ['hooked'],
  },
  {
    name: 'a body without Content-Type',
    request: (f) => signed(f.secret, good, without('content-type')),
    status: 415,
    code: 'CC_E_UNSUPPORTED_MEDIA_TYPE',
    recordedOn: ['hooked'],
  },
  {
    name: 'form-encoded body',
    request: (f) =>
      signed(f.secret, 'repo=x', (h) => (h['content-type'] = 'application/x-www-form-urlencoded')),
    status: 415,
    code: 'CC_E_UNSUPPORTED_MEDIA_TYPE',
    recordedOn: ['hooked'],
  },
  {
    name: 'input missing a required field of the workflow’s inputs',
    request: (f) => signed(f.secret, JSON.stringify({ n: 1 })),
    status: 422,
    code: 'CC_E_INPUT_INVALID',
    paths: ['input.repo'],
    detail: /workflow hooked/,
    recordedOn: ['hooked'],
    reason: /repo/,
  },
  {
    name: 'input with a wrong type and an unknown field',
    request: (f) => signed(f.secret, JSON.stringify({ repo: 'x', n: 'one', extra: true })),
    status: 422,
    code: 'CC_E_INPUT_INVALID',
    paths: ['input.n', 'input.extra'],
    recordedOn: ['hooked'],
    reason: /input/,
  },
  {
    name: 'a JSON array where the inputs are an object',
    request: (f) => signed(f.secret, '[1, 2]'),
    status: 422,
    code: 'CC_E_INPUT_INVALID',
    paths: ['input'],
    recordedOn: ['hooked'],
    reason: /input/,
  },
  {
    name: 'hmac webhook without any secret yet',
    request: () => ({ ...signed('ccwh_guess'), url: '/hooks/default/fresh' }),
    status: 401,
    code: 'CC_E_WEBHOOK_NO_SECRET',
    detail: /no signing secret yet/,
    recordedOn: ['unsecured'],
  },
  {
    name: 'auth: token — no token',
    request: () => ({
      url: '/hooks/default/ci',
      body: good,
      headers: { 'content-type': 'application/json' },
    }),
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
    detail: /auth: token/,
    recordedOn: ['tokened'],
  },
  {
    name: 'auth: token — a viewer token',
    request: (f) => ({
      url: '/hooks/default/ci',
      body: good,
      headers: { 'content-type': 'application/json' },
      token: f.viewer,
    }),
    status: 403,
    code: 'CC_E_FORBIDDEN',
    detail: /operator role/,
    recordedOn: ['tokened'],
  },
  {
    name: 'auth: token — an operator token of another project',
    request: (f) => ({
      url: '/hooks/default/ci',
      body: good,
      headers: { 'content-type': 'application/json' },
      token: f.alphaOperator,
    }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
    detail: /^webhook ci in project default not found$/,
    recordedOn: ['tokened'],
  },
  {
    name: 'auth: token — a token that does not exist',
    request: () => ({
      url: '/hooks/default/ci',
      body: good,
      headers: { 'content-type': 'application/json' },
      token: 'cc_nope',
    }),
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
    recordedOn: ['tokened'],
  },
  {
    name: 'auth: token — Basic instead of Bearer',
    request: () => ({
      url: '/hooks/default/ci',
      body: good,
      headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
    }),
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
    detail: /Bearer/,
    recordedOn: ['tokened'],
  },
  {
    name: 'auth: token — an HMAC signature does not replace the token',
    request: (f) => ({ ...signed(f.secret), url: '/hooks/default/ci' }),
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
    recordedOn: ['tokened'],
  },
];

webhookBattery('webhooks', cases, {
  atLeast: 30,
  more: ({ h: harness, f: fixtures, history }) => {
    test('a replayed delivery is answered with the first run (200), starts nothing and records a duplicate', async () => {
      const raw = JSON.stringify({ repo: 'replayed' });
      const first = signedWebhookHeaders(fixtures().secret, raw, 'replay-1');
      const a = await harness().call('POST', '/hooks/default/deploy', {
        token: null,
        body: raw,
        headers: first,
      });
      assert.equal(a.status, 202, a.text);
      assert.equal(await harness().waitForRun(a.json.runs[0].runId), 'succeeded');
      const before = await harness().dump();
      const runs = await harness().store.query('SELECT id FROM runs');
      for (const headers of [first, signedWebhookHeaders(fixtures().secret, raw, 'replay-1')]) {
        const b = await harness().call('POST', '/hooks/default/deploy', {
          token: null,
          body: raw,
          headers,
        });
        assert.equal(b.status, 200, b.text);
        assert.equal(b.json.runs[0].runId, a.json.runs[0].runId);
        assert.equal(b.json.runs[0].created, false);
      }
      assert.equal(
        (await harness().store.query('SELECT id FROM runs')).rows.length,
        runs.rows.length,
      );
      assert.ok(withoutHistory(before) === withoutHistory(await harness().dump()));
      assert.deepEqual(
        (await history()).slice(-2).map((e) => e.outcome),
        ['duplicate', 'duplicate'],
      );
    });
  },
});
