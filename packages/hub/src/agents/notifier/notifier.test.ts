import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileJsonSchema, validateAgentManifest } from '@commandcenter/protocol';
import { json, startLocalServer, type LocalTestServer } from '../../net/local-test-server.js';
import { createNotifierActions } from './actions.js';
import { manifest, type NotifierAction } from './manifest.js';
import { maskUrl, scrubUrl } from './mask-url.js';
import { parseRetryAfter } from './retry-after.js';
import { assertNotLeaked, assertOutput, failureOf, testContext } from './test-context.js';

const notifier = createNotifierActions();

describe('notifier manifest', () => {
  test('is a valid builtin agent manifest with low risk and one action per channel', () => {
    const result = validateAgentManifest(manifest);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.warnings, []);
    assert.equal(result.agent.type, 'builtin');
    assert.equal(result.agent.risk, 'low');
    assert.deepEqual(Object.keys(result.agent.actions).sort(), Object.keys(notifier).sort());
  });

  test('every action has input and output schemas that compile without warnings', () => {
    for (const [name, action] of Object.entries(manifest.actions)) {
      for (const which of ['input', 'output'] as const) {
        const compiled = compileJsonSchema(
          action[which],
          'CC_E_AGENT_ACTION_SCHEMA',
          `${name}.${which}`,
        );
        assert.ok(
          compiled.ok,
          `${name}.${which}: ${JSON.stringify(!compiled.ok && compiled.problems)}`,
        );
        assert.deepEqual(compiled.warnings, [], `${name}.${which}`);
      }
    }
  });
});

describe('notifier.log', () => {
  test('writes the notification to the step log and returns it', () => {
    const input = {
      title: 'Canary healthy',
      text: 'error rate 0.1%\nlatency p99 120 ms',
      severity: 'success',
      fields: [
        { title: 'Version', value: '1.4.2' },
        { title: 'Notes', value: 'line 1\nline 2' },
      ],
      links: [{ text: 'Run', url: 'https://cc.example.com/runs/run-0193' }],
    };
    const ctx = testContext('log', input);
    const out = notifier.log(input, ctx) as any;
    assertOutput('log', out);
    assert.deepEqual(ctx.logs, [
      '[SUCCESS] Canary healthy — error rate 0.1%',
      '  latency p99 120 ms',
      '  Version: 1.4.2',
      '  Notes: line 1',
      '    line 2',
      '  Run: https://cc.example.com/runs/run-0193',
    ]);
    assert.equal(out.lines, 6);
    assert.deepEqual(out.notification.fields[0], { title: 'Version', value: '1.4.2', short: true });
    assert.equal(out.notification.severity, 'success');
  });

  test('the severity defaults to info and null field values show as a dash', () => {
    const input = { text: 'hello', fields: [{ title: 'Owner', value: null }] };
    const ctx = testContext('log', input);
    const out = notifier.log(input, ctx) as any;
    assertOutput('log', out);
    assert.deepEqual(ctx.logs, ['[INFO] hello', '  Owner: —']);
  });
});

describe('notifier input checks', () => {
  const cases: [NotifierAction, Record<string, unknown>, RegExp][] = [
    ['log', {}, /nothing to send: give the node a non-empty `title` or `text`\.$/],
    ['log', { title: '', text: '' }, /nothing to send/],
    ['slack', { webhookUrl: 'ftp://hooks.example.com/services/SECRET1', text: 'x' }, /webhookUrl/],
    [
      'discord',
      { webhookUrl: 'https://discord.com/api/webhooks/1/SECRET1' },
      /non-empty `title`, `text` or `content`/,
    ],
    ['email', { to: 'a@example.com', text: 'x' }, /smtp/],
    [
      'webhook',
      { url: 'https://example.com/hook/SECRET1', text: 'x', severity: 'loud' },
      /severity/,
    ],
  ];
  for (const [action, input, pattern] of cases) {
    test(`${action}: a bad input fails for good before anything is sent`, async () => {
      const err = await failureOf(
        (async () => notifier[action](input, testContext(action, input)))(),
      );
      assert.equal(err.code, 'CC_E_STEP_INPUT_INVALID');
      assert.equal(err.retryable, false);
      assert.match(err.message, new RegExp(`^notifier\\.${action}: `));
      assert.match(err.message, pattern);
      assertNotLeaked('SECRET1', err.message, err.details);
    });
  }
});

describe('notifier egress', () => {
  let server: LocalTestServer;
  before(async () => {
    server = await startLocalServer((_req, res) => json(res, 200, {}));
  });
  after(() => server.close());

  for (const action of ['slack', 'discord'] as const) {
    test(`${action}: a private address is refused by the SSRF guard`, async () => {
      const input = { webhookUrl: 'http://10.20.30.40/api/webhooks/1/SECRET2', text: 'x' };
      const err = await failureOf(notifier[action](input, testContext(action, input, [])));
      assert.equal(err.code, 'CC_E_EGRESS_REFUSED');
      assert.equal(err.retryable, false);
      assert.match(err.message, /10\.20\.30\.40 is a private address.*egressAllowHosts/);
      assertNotLeaked('SECRET2', err.message, err.details);
    });
  }

  test('webhook: a loopback receiver is refused unless allowlisted, and never contacted', async () => {
    const input = { url: `${server.origin}/hook/SECRET3`, text: 'x' };
    const refused = await failureOf(notifier.webhook(input, testContext('webhook', input, [])));
    assert.equal(refused.code, 'CC_E_EGRESS_REFUSED');
    assert.equal(server.connections(), 0);
    assertNotLeaked('SECRET3', refused.message, refused.details);

    const out = await notifier.webhook(input, testContext('webhook', input, ['127.0.0.1']));
    assertOutput('webhook', out);
    assert.equal(server.requests.length, 1);
  });
});

describe('notifier helpers', () => {
  test('maskUrl hides everything after the host; scrubUrl replaces every form of the URL', () => {
    const url = 'https://hooks.slack.com/services/T1/B2/abc?x=1';
    assert.equal(maskUrl(url), 'https://hooks.slack.com/***');
    assert.equal(maskUrl('https://example.com'), 'https://example.com');
    assert.equal(maskUrl('not a url'), '(an invalid URL)');
    const text = `failed ${url} (path /services/T1/B2/abc)`;
    assert.equal(
      scrubUrl(text, url),
      'failed https://hooks.slack.com/*** (path https://hooks.slack.com/***)',
    );
  });

  test('parseRetryAfter reads seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter('0.25', now), 250);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});
