import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  json,
  startLocalServer,
  type LocalTestServer,
  type RecordedRequest,
} from '../../net/local-test-server.js';
import { createNotifierActions } from './actions.js';
import { assertNotLeaked, assertOutput, failureOf, testContext } from './test-context.js';

const secret = 'whsec-test-3b1f0c9e';

/** Verifies a request the way a receiver of CommandCenter's signed webhooks does (SPEC §6). */
function verify(req: RecordedRequest, key: string, now = Date.now()): string | undefined {
  const timestamp = String(req.headers['x-cc-timestamp'] ?? '');
  const signature = String(req.headers['x-cc-signature'] ?? '');
  if (!/^\d+$/.test(timestamp)) return 'missing timestamp';
  if (Math.abs(now / 1000 - Number(timestamp)) > 300) return 'timestamp outside the replay window';
  const expected = `sha256=${createHmac('sha256', key).update(`${timestamp}.${req.body}`).digest('hex')}`;
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : 'bad signature';
}

let server: LocalTestServer;
const stalled: (() => void)[] = [];
before(async () => {
  server = await startLocalServer(async (req, res) => {
    switch (req.path) {
      case '/hooks/signed': {
        const problem = verify(req, secret);
        return problem ? json(res, 401, { error: problem }) : json(res, 202, { accepted: true });
      }
      case '/hooks/open':
        return json(res, 200, { ok: true });
      case '/hooks/busy':
        return json(res, 503, { error: 'maintenance until 03:00' });
      case '/hooks/moved':
        res.writeHead(301, { location: '/hooks/new-secret-path' });
        return void res.end();
      case '/hooks/stall':
        await new Promise<void>((resolve) => stalled.push(resolve));
        return json(res, 200, {});
      default:
        return json(res, 404, { error: 'no such hook' });
    }
  });
});
after(async () => {
  for (const release of stalled) release();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const notifier = createNotifierActions();

function call(input: Record<string, unknown>, actions = notifier) {
  const ctx = testContext('webhook', input);
  return { ctx, run: () => actions.webhook(input, ctx) as Promise<any> };
}

describe('notifier.webhook', () => {
  test('posts the notification as JSON with a signature the receiver verifies', async () => {
    const { ctx, run } = call({
      url: `${server.origin}/hooks/signed`,
      secret,
      event: 'deploy.failed',
      title: 'Deploy failed',
      text: 'api is down',
      severity: 'critical',
      fields: [{ title: 'Region', value: 'eu-west-1' }],
      links: [{ text: 'Run', url: 'https://cc.example.com/runs/run-0193' }],
      headers: { 'X-Team': 'payments' },
      data: { ticket: 'OPS-12' },
    });
    const out = await run();
    assertOutput('webhook', out);
    assert.equal(out.status, 202);
    const [req] = server.requests;
    assert.ok(req);
    assert.equal(req.headers['x-team'], 'payments');
    assert.equal(req.headers['x-cc-event'], 'deploy.failed');
    assert.equal(req.headers['x-cc-delivery'], 'run-0193:notify');
    assert.match(String(req.headers['content-type']), /^application\/json/);
    const body = JSON.parse(req.body);
    assert.deepEqual(
      { ...body, timestamp: undefined },
      {
        event: 'deploy.failed',
        title: 'Deploy failed',
        text: 'api is down',
        severity: 'critical',
        fields: [{ title: 'Region', value: 'eu-west-1', short: true }],
        links: [{ text: 'Run', url: 'https://cc.example.com/runs/run-0193' }],
        run: { id: 'run-0193', project: 'shop', workflow: 'deploy', version: 4, step: 'notify' },
        timestamp: undefined,
        data: { ticket: 'OPS-12' },
      },
    );
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    assertNotLeaked(secret, ctx.logs, out);
  });

  test('a signature made with another secret is refused by the receiver (401, not retried)', async () => {
    const { ctx, run } = call({ url: `${server.origin}/hooks/signed`, secret: 'wrong', text: 'x' });
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_DELIVERY_FAILED');
    assert.equal(err.retryable, false);
    assert.equal(err.details?.status, 401);
    assert.match(String(err.details?.response), /bad signature/);
    assert.match(err.message, /check that `secret` is the receiver’s signing secret/);
    assertNotLeaked('wrong', ctx.logs);
  });

  test('without a secret the request is unsigned and the log says so', async () => {
    const { ctx, run } = call({ url: `${server.origin}/hooks/open`, text: 'plain' });
    const out = await run();
    assertOutput('webhook', out);
    assert.equal(server.requests[0]?.headers['x-cc-signature'], undefined);
    assert.equal(ctx.logs[0], 'webhook: no secret given; sending unsigned');
  });

  test('a node may not override the signature headers; nothing is sent', async () => {
    const { run } = call({
      url: `${server.origin}/hooks/open`,
      text: 'x',
      headers: { 'X-CC-Signature': 'sha256=forged' },
    });
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_STEP_INPUT_INVALID');
    assert.equal(err.retryable, false);
    assert.match(err.message, /X-CC-Signature are set by the notifier/);
    assert.equal(server.requests.length, 0);
  });

  test('503 is retryable and the response excerpt is kept', async () => {
    const { run } = call({ url: `${server.origin}/hooks/busy`, text: 'x' });
    const err = await failureOf(run());
    assert.equal(err.retryable, true);
    assert.equal(err.details?.status, 503);
    assert.equal(err.details?.response, '{"error":"maintenance until 03:00"}');
  });

  test('a redirect is not followed: the step fails and names the masked target', async () => {
    const { run } = call({ url: `${server.origin}/hooks/moved`, text: 'x' });
    const err = await failureOf(run());
    assert.equal(err.retryable, false);
    assert.equal(err.details?.status, 301);
    assert.match(
      err.message,
      /The URL redirects to http:\/\/127\.0\.0\.1:\d+\/\*\*\*; use the final/,
    );
    assertNotLeaked('new-secret-path', err.message, err.details);
    assert.equal(server.requests.length, 1);
  });

  test('a receiver that does not answer in time is a retryable timeout', async () => {
    const impatient = createNotifierActions({ requestTimeoutMs: 200 });
    const { run } = call({ url: `${server.origin}/hooks/stall`, text: 'x' }, impatient);
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_DELIVERY_FAILED');
    assert.equal(err.retryable, true);
    assert.equal(err.details?.reason, 'timeout');
    assert.match(err.message, /^webhook delivery to http:\/\/127\.0\.0\.1:\d+\/\*\*\* timed out/);
    assertNotLeaked('/hooks/stall', err.message);
  });
});
