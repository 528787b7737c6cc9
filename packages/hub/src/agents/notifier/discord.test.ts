import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { json, startLocalServer, type LocalTestServer } from '../../net/local-test-server.js';
import { createNotifierActions } from './actions.js';
import { severityColors } from './notification.js';
import { assertNotLeaked, assertOutput, failureOf, testContext } from './test-context.js';

const webhookToken = 'aSECRETwebhookTOKEN-value';
const path = `/api/webhooks/1100223344/${webhookToken}`;

type Answer = (res: ServerResponse, query: URLSearchParams) => void;

/** Discord's answer to a good message: 200 with the message when `wait=true`, else 204. */
const created: Answer = (res, query) => {
  if (query.get('wait') === 'true') return json(res, 200, { id: '1234567890', type: 0 });
  res.writeHead(204);
  res.end();
};

/** Discord's own checks of an execute-webhook body (the subset the notifier can break). */
function discordProblems(p: any): string[] {
  const problems: string[] = [];
  const embeds: any[] = p.embeds ?? [];
  if (!p.content && embeds.length === 0) return ['empty'];
  if (p.content && p.content.length > 2000) problems.push('content');
  let total = 0;
  for (const e of embeds) {
    if (e.title && e.title.length > 256) problems.push('embed.title');
    if (e.description && e.description.length > 4096) problems.push('embed.description');
    if (!Number.isInteger(e.color)) problems.push('embed.color');
    if ((e.fields ?? []).length > 25) problems.push('embed.fields');
    for (const f of e.fields ?? []) {
      if (!f.name || f.name.length > 256) problems.push('field.name');
      if (!f.value || f.value.length > 1024) problems.push('field.value');
      total += f.name.length + f.value.length;
    }
    if (e.footer?.text?.length > 2048) problems.push('footer');
    if (e.timestamp && Number.isNaN(Date.parse(e.timestamp))) problems.push('timestamp');
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text?.length ?? 0);
  }
  if (total > 6000) problems.push('embeds total');
  return problems;
}

let server: LocalTestServer;
let script: Answer[] = [];
before(async () => {
  server = await startLocalServer((req, res) => {
    const [reqPath, query = ''] = req.path.split('?');
    if (reqPath !== path) return json(res, 404, { message: 'Unknown Webhook', code: 10015 });
    const problems = discordProblems(JSON.parse(req.body));
    if (problems[0] === 'empty') {
      return json(res, 400, { message: 'Cannot send an empty message', code: 50006 });
    }
    if (problems.length > 0) {
      return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: problems });
    }
    return (script.shift() ?? created)(res, new URLSearchParams(query));
  });
});
after(() => server.close());
beforeEach(() => {
  script = [];
  server.requests.length = 0;
});

const notifier = createNotifierActions();

function send(input: Record<string, unknown>) {
  const full = { webhookUrl: `${server.origin}${path}`, ...input };
  const ctx = testContext('discord', full);
  return { ctx, run: () => notifier.discord(full, ctx) as Promise<any> };
}

function last(): { query: URLSearchParams; body: any } {
  const req = server.requests.at(-1);
  assert.ok(req, 'the receiver got no request');
  return {
    query: new URLSearchParams(req.path.split('?')[1] ?? ''),
    body: JSON.parse(req.body),
  };
}

describe('notifier.discord', () => {
  test('posts an embed with wait=true and returns the message id', async () => {
    const { ctx, run } = send({
      title: 'Nightly scan',
      text: 'No secrets found',
      severity: 'success',
      content: '@everyone scan done',
      fields: [
        { title: 'Files', value: 1200 },
        { title: 'Duration', value: '42 s', short: false },
      ],
      links: [{ text: 'Report [full]', url: 'https://cc.example.com/runs/run-0193' }],
      username: 'CommandCenter',
    });
    const out = await run();
    assertOutput('discord', out);
    assert.equal(out.status, 200);
    assert.equal(out.messageId, '1234567890');
    assert.equal(out.target, `${server.origin}/***`);
    const { query, body } = last();
    assert.equal(query.get('wait'), 'true');
    assert.equal(body.content, '@everyone scan done');
    assert.equal(body.username, 'CommandCenter');
    assert.deepEqual(body.allowed_mentions, { parse: [] });
    const [embed] = body.embeds;
    assert.equal(embed.title, 'Nightly scan');
    assert.equal(embed.description, 'No secrets found');
    assert.equal(embed.url, 'https://cc.example.com/runs/run-0193');
    assert.equal(embed.color, parseInt(severityColors.success.slice(1), 16));
    assert.deepEqual(embed.fields, [
      { name: 'Files', value: '1200', inline: true },
      { name: 'Duration', value: '42 s', inline: false },
      {
        name: 'Links',
        value: '[Report \\[full\\]](https://cc.example.com/runs/run-0193)',
        inline: false,
      },
    ]);
    assert.equal(embed.footer.text, 'SUCCESS · shop/deploy v4 · step notify · run run-0193');
    assert.ok(!Number.isNaN(Date.parse(embed.timestamp)));
    assertNotLeaked(webhookToken, ctx.logs, out);
  });

  test('wait: false gets 204 and no message id; threadId goes into the query', async () => {
    const { run } = send({ text: 'hi', wait: false, threadId: '998877', allowMentions: true });
    const out = await run();
    assertOutput('discord', out);
    assert.equal(out.status, 204);
    assert.equal(out.messageId, undefined);
    const { query, body } = last();
    assert.equal(query.get('wait'), null);
    assert.equal(query.get('thread_id'), '998877');
    assert.deepEqual(body.allowed_mentions, { parse: ['everyone', 'roles', 'users'] });
  });

  test('429 with retry_after in the body is waited out (the body wins over the header)', async () => {
    script = [
      (res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(
          JSON.stringify({
            message: 'You are being rate limited.',
            retry_after: 0.05,
            global: false,
          }),
        );
      },
    ];
    const { ctx, run } = send({ text: 'hi' });
    const out = await run();
    assertOutput('discord', out);
    assert.equal(out.attempts, 2);
    assert.equal(out.messageId, '1234567890');
    assert.equal(ctx.logs[0], 'discord: rate limited (HTTP 429); retrying in 50 ms (1/3)');
  });

  test('400 "Cannot send an empty message" (50006) fails for good with Discord’s words', async () => {
    script = [(res) => json(res, 400, { message: 'Cannot send an empty message', code: 50006 })];
    const { ctx, run } = send({ text: 'hi' });
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_DELIVERY_FAILED');
    assert.equal(err.retryable, false);
    assert.equal(err.details?.status, 400);
    assert.match(
      err.message,
      /HTTP 400 Cannot send an empty message \(code 50006\)\. The message was empty/,
    );
    assertNotLeaked(webhookToken, ctx.logs, err.message, err.details);
  });

  test('a deleted webhook (404, 10015) says to create a new one', async () => {
    const full = { webhookUrl: `${server.origin}/api/webhooks/1/gone`, text: 'hi' };
    const err = await failureOf(notifier.discord(full, testContext('discord', full)));
    assert.equal(err.retryable, false);
    assert.match(err.message, /Unknown Webhook \(code 10015\)\. The webhook was deleted/);
    assertNotLeaked('/gone', err.message, err.details);
  });

  test('text beyond Discord’s limits is cut with an ellipsis, logged and reported', async () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ title: `f${i}`, value: 'v' }));
    fields[0] = { title: 'big', value: 'y'.repeat(2000) };
    // Three more long fields push the embed past Discord's 6000-character total.
    for (const i of [1, 2, 3]) fields[i] = { title: `long${i}`, value: 'z'.repeat(1000) };
    const { ctx, run } = send({ title: 't'.repeat(300), text: 'd'.repeat(5000), fields });
    const out = await run();
    assertOutput('discord', out);
    const [embed] = last().body.embeds;
    assert.equal(embed.title.length, 256);
    assert.ok(embed.title.endsWith('…'));
    assert.equal(embed.fields.length, 25);
    assert.equal(embed.fields[0].value.length, 1024);
    assert.ok(embed.description.length <= 4096);
    assert.ok(embed.description.endsWith('…'));
    assert.deepEqual(
      out.truncated.map((t: string) => t.split(' ')[0]),
      ['field', 'fields', 'title', 'description', 'description'],
    );
    assert.match(
      ctx.logs[0] ?? '',
      /^discord: shortened to fit the channel's limits: field "big" value/,
    );
  });
});
