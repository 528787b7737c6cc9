import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startLocalServer, type LocalTestServer } from '../../net/local-test-server.js';
import { createNotifierActions } from './actions.js';
import { severityColors } from './notification.js';
import {
  assertNotLeaked,
  assertOutput,
  failureOf,
  testContext,
  type TestContext,
} from './test-context.js';

/** The webhook's secret part; it must never show up in logs, errors or outputs. */
const token = 'T0SECRET/B0SECRET/xoxSECRETTOKEN';
const path = `/services/${token}`;

type Answer = (res: ServerResponse) => void;
const text = (status: number, body: string, headers: Record<string, string> = {}): Answer => {
  return (res) => {
    res.writeHead(status, { 'content-type': 'text/html', ...headers });
    res.end(body);
  };
};

/** What Slack checks before it answers `ok` (Block Kit limits), as problems. */
function slackProblems(payload: any): string[] {
  const problems: string[] = [];
  const checkBlocks = (blocks: any[], where: string) => {
    for (const [i, b] of blocks.entries()) {
      const at = `${where}[${i}]`;
      if (b.type === 'header') {
        if (b.text?.type !== 'plain_text') problems.push(`${at}: header needs plain_text`);
        if (!(b.text?.text?.length > 0 && b.text.text.length <= 150))
          problems.push(`${at}: header length`);
      } else if (b.type === 'section') {
        if (!b.text && !b.fields) problems.push(`${at}: section needs text or fields`);
        if (b.text && !(b.text.text.length <= 3000)) problems.push(`${at}: section text length`);
        if (b.fields && !(b.fields.length >= 1 && b.fields.length <= 10))
          problems.push(`${at}: fields count`);
        for (const f of b.fields ?? [])
          if (f.text.length > 2000) problems.push(`${at}: field length`);
      } else if (b.type === 'context') {
        if (!(b.elements?.length >= 1 && b.elements.length <= 10))
          problems.push(`${at}: context elements`);
      } else if (b.type === 'actions') {
        if (!(b.elements?.length >= 1 && b.elements.length <= 25))
          problems.push(`${at}: actions elements`);
        for (const e of b.elements ?? []) {
          if (e.type !== 'button' || e.text?.type !== 'plain_text' || e.text.text.length > 75)
            problems.push(`${at}: button text`);
          if (typeof e.url !== 'string' || e.url.length > 3000) problems.push(`${at}: button url`);
        }
      } else problems.push(`${at}: unexpected block type ${b.type}`);
    }
    if (blocks.length > 50) problems.push(`${where}: more than 50 blocks`);
  };
  if (typeof payload.text !== 'string' || payload.text === '')
    problems.push('text: fallback missing');
  checkBlocks(payload.blocks ?? [], 'blocks');
  for (const [i, a] of (payload.attachments ?? []).entries()) {
    if (!/^#[0-9A-F]{6}$/i.test(a.color)) problems.push(`attachments[${i}].color`);
    checkBlocks(a.blocks ?? [], `attachments[${i}].blocks`);
  }
  return problems;
}

let server: LocalTestServer;
let script: Answer[] = [];
before(async () => {
  server = await startLocalServer((req, res) => {
    let payload: unknown;
    try {
      payload = JSON.parse(req.body);
    } catch {
      return text(400, 'invalid_payload')(res);
    }
    if (req.method !== 'POST' || req.path !== path) return text(404, 'no_service')(res);
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return text(400, 'invalid_payload')(res);
    const problems = slackProblems(payload);
    if (problems.length > 0) return text(400, `invalid_blocks: ${problems.join(', ')}`)(res);
    return (script.shift() ?? text(200, 'ok'))(res);
  });
});
after(() => server.close());
beforeEach(() => {
  script = [];
  server.requests.length = 0;
});

const notifier = createNotifierActions();

function send(input: Record<string, unknown>, actions = notifier) {
  const full = { webhookUrl: `${server.origin}${path}`, ...input };
  const ctx = testContext('slack', full);
  return { ctx, run: () => actions.slack(full, ctx) as Promise<any> };
}

function posted(i = -1): any {
  const req = server.requests.at(i);
  assert.ok(req, 'the receiver got no request');
  return JSON.parse(req.body);
}

function allLeakChecks(ctx: TestContext, ...more: unknown[]) {
  assertNotLeaked(token, ctx.logs, ...more);
  assertNotLeaked('xoxSECRETTOKEN', ctx.logs, ...more);
}

describe('notifier.slack', () => {
  test('posts a coloured Block Kit message and reports the delivery', async () => {
    const { ctx, run } = send({
      title: 'Deploy failed',
      text: 'Rollback of *api* started <!channel>',
      severity: 'error',
      fields: [
        { title: 'Service', value: 'api' },
        { title: 'Pods', value: 3 },
        { title: 'Reason', value: 'CrashLoopBackOff in a long explanation', short: false },
      ],
      links: [{ text: 'Open run', url: 'https://cc.example.com/runs/run-0193' }],
      channel: '#ops',
      username: 'CommandCenter',
      iconEmoji: ':robot_face:',
    });
    const out = await run();
    assertOutput('slack', out);
    assert.equal(out.delivered, true);
    assert.equal(out.channel, 'slack');
    assert.equal(out.status, 200);
    assert.equal(out.attempts, 1);
    assert.equal(out.target, `${server.origin}/***`);

    const p = posted();
    assert.match(
      p.text,
      /^\[ERROR\] Deploy failed — Rollback of \*api\* started &lt;!channel&gt;$/,
    );
    assert.deepEqual(p.blocks, [
      { type: 'header', text: { type: 'plain_text', text: 'Deploy failed', emoji: true } },
    ]);
    assert.equal(p.channel, '#ops');
    assert.equal(p.username, 'CommandCenter');
    assert.equal(p.icon_emoji, ':robot_face:');
    const [att] = p.attachments;
    assert.equal(att.color, severityColors.error);
    const types = att.blocks.map((b: any) => b.type);
    assert.deepEqual(types, ['section', 'section', 'section', 'context', 'actions']);
    // Mentions from upstream text are escaped, formatting is kept.
    assert.equal(att.blocks[0].text.text, 'Rollback of *api* started &lt;!channel&gt;');
    assert.deepEqual(
      att.blocks[1].fields.map((f: any) => f.text),
      ['*Service*\napi', '*Pods*\n3'],
    );
    assert.equal(att.blocks[2].text.text, '*Reason*\nCrashLoopBackOff in a long explanation');
    assert.match(
      att.blocks[3].elements[0].text,
      /ERROR\* · shop\/deploy v4 · step notify · run run-0193/,
    );
    assert.equal(att.blocks[4].elements[0].url, 'https://cc.example.com/runs/run-0193');
    assert.equal(att.blocks[4].elements[0].text.text, 'Open run');
    assert.deepEqual(ctx.logs, [`slack: delivered to ${server.origin}/*** (HTTP 200, 1 request)`]);
    allLeakChecks(ctx, out);
  });

  test('waits out a short 429 Retry-After inside the attempt, then delivers', async () => {
    script = [text(429, 'rate_limited', { 'retry-after': '1' }), text(200, 'ok')];
    const { ctx, run } = send({ text: 'build green', severity: 'success' });
    const out = await run();
    assertOutput('slack', out);
    assert.equal(out.attempts, 2);
    assert.equal(server.requests.length, 2);
    assert.equal(ctx.logs[0], 'slack: rate limited (HTTP 429); retrying in 1 s (1/3)');
    assert.equal(posted().attachments[0].color, severityColors.success);
  });

  test('a Retry-After longer than the in-attempt limit fails retryable with retryAfterMs', async () => {
    script = [text(429, 'rate_limited', { 'retry-after': '120' })];
    const { ctx, run } = send({ text: 'hello' });
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_DELIVERY_FAILED');
    assert.equal(err.retryable, true);
    assert.equal(err.details?.retryAfterMs, 120_000);
    assert.equal(err.details?.status, 429);
    assert.equal(server.requests.length, 1);
    allLeakChecks(ctx, err.message, err.details);
  });

  test('gives up after the configured number of rate-limit retries', async () => {
    const fast = createNotifierActions({ maxRateLimitRetries: 1 });
    script = [0, 1].map(() => text(429, 'rate_limited', { 'retry-after': '0' }));
    const { run } = send({ text: 'hello' }, fast);
    const err = await failureOf(run());
    assert.equal(err.retryable, true);
    assert.equal(err.details?.attempts, 2);
    assert.equal(server.requests.length, 2);
  });

  test('a 500 is a retryable delivery failure', async () => {
    script = [text(500, 'rollup_error')];
    const { ctx, run } = send({ text: 'hello' });
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_DELIVERY_FAILED');
    assert.equal(err.retryable, true);
    assert.equal(err.details?.status, 500);
    assert.equal(err.details?.response, 'rollup_error');
    assert.match(
      err.message,
      /^slack delivery to http:\/\/127\.0\.0\.1:\d+\/\*\*\* failed: HTTP 500/,
    );
    allLeakChecks(ctx, err.message, err.details);
  });

  test('404 no_service fails for good with a hint about the webhook URL', async () => {
    script = [text(404, 'no_service')];
    const { ctx, run } = send({ text: 'hello' });
    const err = await failureOf(run());
    assert.equal(err.retryable, false);
    assert.equal(err.details?.status, 404);
    assert.match(err.message, /HTTP 404 no_service\. The webhook URL is wrong or was revoked/);
    allLeakChecks(ctx, err.message, err.details);
  });

  test('410 channel_is_archived says to unarchive the channel', async () => {
    script = [text(410, 'channel_is_archived')];
    const { run } = send({ text: 'hello' });
    const err = await failureOf(run());
    assert.equal(err.retryable, false);
    assert.match(err.message, /channel is archived: unarchive it/);
  });

  test('long titles are cut to Slack’s header limit, logged and reported', async () => {
    const { ctx, run } = send({ title: 'x'.repeat(200) });
    const out = await run();
    assertOutput('slack', out);
    const header = posted().blocks[0].text.text;
    assert.equal(header.length, 150);
    assert.ok(header.endsWith('…'));
    assert.deepEqual(out.truncated, ['header (200 > 150 characters)']);
    assert.match(ctx.logs[0] ?? '', /^slack: shortened to fit the channel's limits: header/);
  });

  test('many short fields are split into sections of at most ten', async () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ title: `f${i}`, value: i }));
    const { run } = send({ text: 'x', fields });
    await run();
    const sections = posted().attachments[0].blocks.filter((b: any) => b.fields);
    assert.deepEqual(
      sections.map((s: any) => s.fields.length),
      [10, 10, 3],
    );
  });

  test('a cancelled attempt stops waiting out a rate limit', async () => {
    const patient = createNotifierActions({ maxRateLimitWaitMs: 600_000 });
    script = [text(429, 'rate_limited', { 'retry-after': '300' })];
    const { ctx, run } = send({ text: 'hello' }, patient);
    const pending = run();
    await server.nextRequest();
    ctx.controller.abort();
    const err = await failureOf(pending);
    assert.equal(err.retryable, false);
    // Depending on timing the abort lands in the request or in the wait; both stop the step.
    assert.match(err.message, /cancelled/);
    assert.equal(server.requests.length, 1);
  });
});
