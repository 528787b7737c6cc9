import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createNotifierActions } from './actions.js';
import { severityColors } from './notification.js';
import { assertNotLeaked, assertOutput, failureOf, testContext } from './test-context.js';

const password = 'smtp-pass-9f2c';

/** A received message, as the SMTP server saw it. */
interface Received {
  from: string;
  to: string[];
  raw: string;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

let received: Received[] = [];
let connections = 0;
const server = new SMTPServer({
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  logger: false,
  onConnect(_session, cb) {
    connections++;
    cb();
  },
  onAuth(auth, _session, cb) {
    if (auth.username === 'notifier' && auth.password === password) cb(null, { user: 'notifier' });
    else cb(smtpError('Invalid username or password', 535));
  },
  onRcptTo(address, _session, cb) {
    if (address.address.startsWith('nobody@')) cb(smtpError('No such user here', 550));
    else if (address.address.startsWith('later@')) cb(smtpError('Mailbox busy, try later', 451));
    else cb();
  },
  onData(stream, session, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const env = session.envelope;
      received.push({
        from: env.mailFrom ? env.mailFrom.address : '',
        to: env.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      cb(null);
    });
  },
});
let port = 0;
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
  connections = 0;
});

/** The decoded text of every MIME part, by content type, plus the top-level headers. */
function parseMessage(raw: string): { headers: string; parts: Record<string, string> } {
  const [headers = '', ...rest] = raw.split('\r\n\r\n');
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(headers)?.[1];
  assert.ok(boundary, 'expected a multipart message');
  const parts: Record<string, string> = {};
  for (const chunk of rest.join('\r\n\r\n').split(`--${boundary}`)) {
    const [head = '', ...bodyLines] = chunk.split('\r\n\r\n');
    const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1];
    if (!type) continue;
    const body = bodyLines.join('\r\n\r\n');
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
    parts[type] =
      encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : encoding === 'quoted-printable'
          ? decodeQuotedPrintable(body)
          : body;
  }
  return { headers, parts };
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

const notifier = createNotifierActions();

function mail(input: Record<string, unknown>, allowHosts?: string[]) {
  const full = {
    to: 'oncall@example.com',
    from: 'CommandCenter <cc@example.com>',
    smtp: { host: '127.0.0.1', port, user: 'notifier', password },
    ...input,
  };
  const ctx = testContext('email', full, allowHosts);
  return { ctx, run: () => notifier.email(full, ctx) as Promise<any> };
}

describe('notifier.email', () => {
  test('sends a text and HTML message with fields and links through SMTP with auth', async () => {
    const { ctx, run } = mail({
      cc: ['lead@example.com'],
      subject: 'Disk almost full',
      title: 'Disk <almost> full',
      text: 'db-1 is at 91%',
      severity: 'warning',
      fields: [{ title: 'Host', value: 'db-1' }],
      links: [{ text: 'Dashboard', url: 'https://grafana.example.com/d/disk' }],
    });
    const out = await run();
    assertOutput('email', out);
    assert.equal(out.channel, 'email');
    assert.equal(out.status, 250);
    assert.deepEqual(out.accepted, ['oncall@example.com', 'lead@example.com']);
    assert.deepEqual(out.rejected, []);
    assert.match(out.messageId, /^<.+@.+>$/);
    assert.equal(out.target, `smtp://127.0.0.1:${port}`);

    const [msg] = received;
    assert.ok(msg);
    assert.equal(msg.from, 'cc@example.com');
    assert.deepEqual(msg.to, ['oncall@example.com', 'lead@example.com']);
    const { headers, parts } = parseMessage(msg.raw);
    assert.match(headers, /^Subject: Disk almost full$/m);
    assert.match(headers, /^To: oncall@example\.com$/m);
    assert.match(headers, /^X-CC-Run: run-0193$/im);
    const text = parts['text/plain'] ?? '';
    assert.match(text, /^WARNING: Disk <almost> full\r?\n\r?\ndb-1 is at 91%/);
    assert.match(text, /Host: db-1/);
    assert.match(text, /Dashboard: https:\/\/grafana\.example\.com\/d\/disk/);
    assert.match(text, /Sent by CommandCenter · shop\/deploy v4 · step notify · run run-0193/);
    const html = parts['text/html'] ?? '';
    assert.ok(html.includes(`border-left:4px solid ${severityColors.warning}`));
    assert.ok(html.includes('Disk &lt;almost&gt; full'));
    assert.ok(html.includes('<a href="https://grafana.example.com/d/disk">Dashboard</a>'));
    assertNotLeaked(password, ctx.logs, out);
  });

  test('the subject defaults to severity and title', async () => {
    const { run } = mail({ title: 'Backup done', severity: 'success' });
    assertOutput('email', await run());
    assert.match(received[0]?.raw ?? '', /^Subject: \[SUCCESS\] Backup done$/m);
  });

  test('a rejected recipient among accepted ones is reported, and the mail is sent', async () => {
    const { ctx, run } = mail({ to: ['oncall@example.com', 'nobody@example.com'], text: 'x' });
    const out = await run();
    assertOutput('email', out);
    assert.deepEqual(out.accepted, ['oncall@example.com']);
    assert.deepEqual(out.rejected, ['nobody@example.com']);
    assert.deepEqual(received[0]?.to, ['oncall@example.com']);
    assert.ok(ctx.logs.includes('email: the server rejected nobody@example.com'));
  });

  test('every recipient rejected permanently (550) is a failed step, not retried', async () => {
    const { run } = mail({ to: 'nobody@example.com', text: 'x' });
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_DELIVERY_FAILED');
    assert.equal(err.retryable, false);
    assert.equal(err.details?.status, 550);
    assert.deepEqual(err.details?.rejected, ['nobody@example.com']);
    assert.match(err.message, /all recipients were rejected.*check `to`, `cc` and `from`/);
    assert.equal(received.length, 0);
  });

  test('a temporary rejection (451) is retryable', async () => {
    const { run } = mail({ to: 'later@example.com', text: 'x' });
    const err = await failureOf(run());
    assert.equal(err.retryable, true);
    assert.equal(err.details?.status, 451);
  });

  test('a wrong password fails for good and says to check the credentials', async () => {
    const { ctx, run } = mail({
      text: 'x',
      smtp: { host: '127.0.0.1', port, user: 'notifier', password: 'not-it' },
    });
    const err = await failureOf(run());
    assert.equal(err.retryable, false);
    assert.equal(err.details?.smtpCode, 'EAUTH');
    assert.match(
      err.message,
      /SMTP authentication failed: check smtp\.user and the password secret/,
    );
    assertNotLeaked('not-it', ctx.logs, err.message, err.details);
    assert.equal(received.length, 0);
  });

  test('an SMTP host that is not allowlisted is refused before connecting', async () => {
    const { run } = mail({ text: 'x' }, []);
    const err = await failureOf(run());
    assert.equal(err.code, 'CC_E_EGRESS_REFUSED');
    assert.equal(err.retryable, false);
    assert.match(err.message, /127\.0\.0\.1 is a loopback address.*egressAllowHosts/);
    assert.equal(connections, 0);
  });

  test('without any sender the step fails before connecting', async () => {
    const full = { to: 'a@example.com', text: 'x', smtp: { host: '127.0.0.1', port } };
    const err = await failureOf(notifier.email(full, testContext('email', full)));
    assert.equal(err.code, 'CC_E_STEP_INPUT_INVALID');
    assert.match(err.message, /set the node’s `from`/);
    assert.equal(connections, 0);
  });
});
