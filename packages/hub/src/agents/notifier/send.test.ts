import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
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

const slackPath = '/services/T0SECRET/B0SECRET/sendSECRET';
const hookSecret = 'whsec-send-5d1e';
const smtpPassword = 'smtp-send-pass-77';

let http: LocalTestServer;
let smtpPort = 0;
let mails: { user: unknown; from: string; to: string[]; raw: string }[] = [];
const smtp = new SMTPServer({
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  logger: false,
  authOptional: true,
  onAuth(auth, _session, cb) {
    if (auth.username === 'alerts' && auth.password === smtpPassword) cb(null, { user: 'alerts' });
    else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
  },
  onData(stream, session, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const env = session.envelope;
      mails.push({
        user: session.user,
        from: env.mailFrom ? env.mailFrom.address : '',
        to: env.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      cb(null);
    });
  },
});

before(async () => {
  http = await startLocalServer((req, res) => {
    // Slack answers `ok` as text; anything but its webhook path is `no_service`.
    if (req.path === slackPath) {
      const payload = JSON.parse(req.body) as { text?: unknown; attachments?: unknown };
      const ok = typeof payload.text === 'string' && Array.isArray(payload.attachments);
      res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html' });
      return void res.end(ok ? 'ok' : 'invalid_payload');
    }
    if (req.path === '/hooks/cc') {
      const ts = String(req.headers['x-cc-timestamp']);
      const mac = createHmac('sha256', hookSecret).update(`${ts}.${req.body}`).digest('hex');
      const good = req.headers['x-cc-signature'] === `sha256=${mac}`;
      res.writeHead(good ? 204 : 401);
      return void res.end();
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('no_service');
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
after(async () => {
  await http.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});
beforeEach(() => {
  http.requests.length = 0;
  mails = [];
});

const notifier = createNotifierActions();

/** A `send` attempt whose project has `secrets`; `asked` lists the names looked up. */
function sendWith(input: Record<string, unknown>, secrets: Record<string, string>) {
  const asked: string[] = [];
  const ctx: TestContext = testContext('send', input);
  ctx.lookupSecret = (name) => {
    asked.push(name);
    return Promise.resolve(secrets[name]);
  };
  return { ctx, asked, run: () => notifier.send(input, ctx) as Promise<any> };
}

describe('notifier.send', () => {
  test('slack: the SPEC example posts `message` to SLACK_WEBHOOK_URL from the secrets', async () => {
    const url = `${http.origin}${slackPath}`;
    const input = { channel: 'slack', message: '3 critical findings in shop/api' };
    const { ctx, asked, run } = sendWith(input, { SLACK_WEBHOOK_URL: url });
    const out = await run();
    assertOutput('send', out);
    assertOutput('slack', out);
    assert.equal(out.channel, 'slack');
    assert.equal(out.status, 200);
    assert.equal(out.target, `${http.origin}/***`);
    assert.deepEqual(asked, ['SLACK_WEBHOOK_URL']);
    const posted = JSON.parse(http.requests[0]?.body ?? '{}');
    assert.equal(posted.text, '[INFO] 3 critical findings in shop/api');
    assert.equal(posted.attachments[0].color, severityColors.info);
    assertNotLeaked('sendSECRET', ctx.logs, out);
  });

  test('webhook: WEBHOOK_SECRET signs the request and the receiver verifies it', async () => {
    const input = { channel: 'webhook', title: 'Scan done', text: 'no findings' };
    const { run } = sendWith(input, {
      WEBHOOK_URL: `${http.origin}/hooks/cc`,
      WEBHOOK_SECRET: hookSecret,
    });
    const out = await run();
    assertOutput('send', out);
    assert.equal(out.channel, 'webhook');
    assert.equal(out.status, 204);
    const body = JSON.parse(http.requests[0]?.body ?? '{}');
    assert.equal(body.title, 'Scan done');
    assert.equal(body.text, 'no findings');
  });

  test('email: SMTP_* secrets and EMAIL_TO send an authenticated mail', async () => {
    const input = { channel: 'email', title: 'Nightly scan', message: 'all clear' };
    const { ctx, run } = sendWith(input, {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_USER: 'alerts',
      SMTP_PASSWORD: smtpPassword,
      SMTP_FROM: 'CommandCenter <cc@example.com>',
      EMAIL_TO: 'oncall@example.com, lead@example.com',
    });
    const out = await run();
    assertOutput('send', out);
    assertOutput('email', out);
    assert.deepEqual(out.accepted, ['oncall@example.com', 'lead@example.com']);
    assert.equal(out.target, `smtp://127.0.0.1:${smtpPort}`);
    assert.equal(mails[0]?.from, 'cc@example.com');
    assert.equal(mails[0]?.user, 'alerts');
    assert.match(mails[0]?.raw ?? '', /^INFO: Nightly scan\r\n\r\nall clear\r\n/m);
    assertNotLeaked(smtpPassword, ctx.logs, out);
  });

  test('email: the node’s `to` wins over EMAIL_TO', async () => {
    const input = { channel: 'email', text: 'x', to: ['dev@example.com'] };
    const { run } = sendWith(input, {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_FROM: 'cc@example.com',
      EMAIL_TO: 'oncall@example.com',
    });
    assertOutput('send', await run());
    assert.deepEqual(mails[0]?.to, ['dev@example.com']);
  });

  test('log: writes to the step log and reads no secret', async () => {
    const input = { channel: 'log', title: 'Dry run', message: 'would page on-call' };
    const { ctx, asked, run } = sendWith(input, {});
    const out = await run();
    assertOutput('send', out);
    assert.equal(out.channel, 'log');
    assert.deepEqual(ctx.logs, ['[INFO] Dry run — would page on-call']);
    assert.deepEqual(asked, []);
  });

  test('a missing secret fails for good, names it and says how to set it; nothing is sent', async () => {
    const { run } = sendWith({ channel: 'slack', message: 'x' }, {});
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_SECRET_MISSING');
    assert.equal(err.retryable, false);
    assert.deepEqual(err.details, { channel: 'slack', missing: ['SLACK_WEBHOOK_URL'] });
    assert.match(
      err.message,
      /needs the project secret SLACK_WEBHOOK_URL .* not set in project shop/,
    );
    assert.match(
      err.message,
      /`printf %s "\$VALUE" \| commandcenter secrets set SLACK_WEBHOOK_URL --from-stdin --project shop`/,
    );
    assert.equal(http.requests.length, 0);
  });

  test('email: every missing secret is named at once', async () => {
    const err = await failureOf(sendWith({ channel: 'email', text: 'x' }, {}).run());
    assert.equal(err.code, 'CC_E_SECRET_MISSING');
    assert.deepEqual(err.details?.missing, ['SMTP_HOST', 'EMAIL_TO', 'SMTP_FROM']);
    assert.match(err.message, /secrets SMTP_HOST \(.*\), EMAIL_TO \(.*\) and SMTP_FROM \(/);
  });

  test('without access to project secrets the failure says so', async () => {
    const input = { channel: 'discord', text: 'x' };
    const err = await failureOf(notifier.send(input, testContext('send', input)));
    assert.equal(err.code, 'CC_E_SECRET_MISSING');
    assert.match(err.message, /DISCORD_WEBHOOK_URL .*but project secrets cannot be read here/);
  });

  test('a secret that is not a URL fails without showing its value', async () => {
    const { ctx, run } = sendWith({ channel: 'webhook', text: 'x' }, { WEBHOOK_URL: 'hunter2' });
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_STEP_INPUT_INVALID');
    assert.match(err.message, /the project secret WEBHOOK_URL is not an http\(s\) URL/);
    assertNotLeaked('hunter2', ctx.logs, err.message, err.details);
  });

  test('bad input fails before any secret is read', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ channel: 'sms', text: 'x' }, /channel/],
      [{ channel: 'log' }, /non-empty `title`, `text` or `message`/],
      [{ channel: 'log', message: 'a', text: 'b' }, /give one of them, not both/],
    ];
    for (const [input, pattern] of cases) {
      const { asked, run } = sendWith(input, {});
      const err = await failureOf(run());
      assert.equal(err.code, 'CC_E_STEP_INPUT_INVALID', err.message);
      assert.match(err.message, /^notifier\.send: /);
      assert.match(err.message, pattern);
      assert.deepEqual(asked, []);
    }
  });
});
