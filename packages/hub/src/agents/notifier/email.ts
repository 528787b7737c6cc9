/**
 * E-mail through SMTP (nodemailer). The server's host goes through the same SSRF guard as HTTP
 * deliveries, and the connection is made to the address the guard checked. SMTP errors become
 * step failures: permanent (5xx) rejections are not retried, connection trouble is.
 */
import { isIP } from 'node:net';
import { createTransport, type SMTPSentMessageInfo } from 'nodemailer';
import type { BuiltinContext } from '../../executors/builtin.js';
import { StepFailure } from '../../executors/builtin.js';
import { compileAllowHosts } from '../../net/allow-hosts.js';
import { EgressRefusedError, GuardedFetchError } from '../../net/egress-errors.js';
import { checkEgressUrl, systemResolver } from '../../net/egress-guard.js';
import { defaultSubject, emailHtml, emailText } from './email-body.js';
import type { DeliveryOutput, EmailInput } from './manifest.js';
import type { Notification, RunInfo } from './notification.js';

/** Hub-level SMTP settings (see `NotifierOptions`). */
export interface EmailSettings {
  /** Sender when the node gives no `from` (and `smtp.user` is not an address). */
  defaultFrom?: string;
  connectionTimeoutMs: number;
  /** Inactivity limit of the SMTP conversation. */
  socketTimeoutMs: number;
}

/** Sends the e-mail; resolves with the delivery output or throws a `StepFailure`. */
export async function sendEmail(
  input: EmailInput,
  n: Notification,
  run: RunInfo,
  ctx: BuiltinContext,
  settings: EmailSettings,
): Promise<DeliveryOutput> {
  const started = performance.now();
  const { smtp } = input;
  const secure = smtp.secure ?? smtp.port === 465;
  const port = smtp.port ?? (secure ? 465 : 587);
  const target = `smtp://${smtp.host}:${port}`;
  const from =
    input.from ?? settings.defaultFrom ?? (smtp.user?.includes('@') ? smtp.user : undefined);
  if (from === undefined) {
    throw new StepFailure(
      'e-mail has no sender: set the node’s `from` (e.g. "CommandCenter <alerts@example.com>").',
      { code: 'CC_E_STEP_INPUT_INVALID', retryable: false },
    );
  }
  const address = await checkSmtpHost(smtp.host, port, ctx, target);
  const transport = createTransport({
    host: address,
    port,
    secure,
    requireTLS: smtp.requireTLS ?? false,
    // TLS checks the certificate against the name the node gave, not the address.
    ...(isIP(smtp.host) === 0 ? { servername: smtp.host } : {}),
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.connectionTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
  });
  let info: SMTPSentMessageInfo;
  try {
    info = await transport.sendMail({
      from,
      to: input.to,
      ...(input.cc !== undefined ? { cc: input.cc } : {}),
      ...(input.bcc !== undefined ? { bcc: input.bcc } : {}),
      ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
      subject: input.subject ?? defaultSubject(n),
      text: emailText(n, run),
      html: input.html ?? emailHtml(n, run),
      headers: { 'X-CC-Run': run.id, 'X-CC-Severity': n.severity },
      // The message is built from the node's text only: never read files or URLs into it.
      disableFileAccess: true,
      disableUrlAccess: true,
      signal: ctx.signal,
    });
  } catch (err) {
    throw smtpFailure(err, target);
  } finally {
    transport.close();
  }
  const accepted = info.accepted.map(String);
  const rejected = info.rejected.map(String);
  const status = Number.parseInt(info.response, 10);
  ctx.log(
    `email: delivered to ${accepted.length} recipient(s) via ${target} (${info.response.slice(0, 120)})`,
  );
  if (rejected.length > 0) ctx.log(`email: the server rejected ${rejected.join(', ')}`);
  return {
    delivered: true,
    channel: 'email',
    status: Number.isFinite(status) ? status : 250,
    ...(info.messageId ? { messageId: info.messageId } : {}),
    target,
    attempts: 1,
    durationMs: Math.round(performance.now() - started),
    accepted,
    rejected,
  };
}

/** The SSRF guard's verdict on the SMTP host: the checked address to connect to. */
async function checkSmtpHost(
  host: string,
  port: number,
  ctx: BuiltinContext,
  target: string,
): Promise<string> {
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  try {
    // The guard checks http(s) URLs; the host and port are all that matter here.
    const checked = await checkEgressUrl(`https://${bracketed}:${port}/`, {
      allowHosts: compileAllowHosts(ctx.allowHosts ?? []),
      resolve: systemResolver,
      signal: ctx.signal,
    });
    const [first] = checked.addresses;
    if (!first) throw new GuardedFetchError('network', target, `${host} has no address`);
    return first.address;
  } catch (err) {
    if (err instanceof EgressRefusedError) {
      throw new StepFailure(
        `email delivery to ${target} refused by the SSRF guard: ${err.reason}. Use a public ` +
          'SMTP server, or have a project admin add the host to the project’s egressAllowHosts.',
        { code: 'CC_E_EGRESS_REFUSED', retryable: false, details: { target } },
      );
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new StepFailure(`email delivery to ${target} failed: ${why}`, {
      code: 'CC_E_DELIVERY_FAILED',
      retryable: true,
      details: { target },
    });
  }
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  rejected?: unknown[];
}

const hints: Record<string, string> = {
  EAUTH: 'SMTP authentication failed: check smtp.user and the password secret.',
  ENOAUTH: 'The server requires authentication: set smtp.user and smtp.password.',
  ETLS: 'TLS failed: use secure: true for port 465, or secure: false (STARTTLS) for 587, and check the server certificate.',
  EREQUIRETLS: 'The server does not offer STARTTLS but smtp.requireTLS is set.',
  EENVELOPE: 'The server rejected every recipient (or the sender): check `to`, `cc` and `from`.',
  EMESSAGE: 'The server refused the message.',
  ECONNECTION: 'Could not keep a connection to the SMTP server: check smtp.host, port and secure.',
  ETIMEDOUT: 'The SMTP server did not answer in time.',
  ESOCKET: 'Could not connect to the SMTP server: check smtp.host and smtp.port.',
  EDNS: 'The SMTP host name does not resolve.',
};

function smtpFailure(err: unknown, target: string): StepFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  const code = e.code ?? 'ERROR';
  const message = e.message ?? String(err);
  const reply = e.response && !message.includes(e.response) ? ` (${e.response.slice(0, 200)})` : '';
  // 5xx replies are permanent (RFC 5321) except 503, a session-state error; so are bad
  // credentials and TLS set-up mistakes. Connection trouble and 4xx replies are transient.
  const permanent =
    (e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode !== 503) ||
    ['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS', 'ECONFIG'].includes(code);
  const hint = hints[code] ?? '';
  return new StepFailure(
    `email delivery via ${target} failed: ${message}${reply}. ${hint}`.trim(),
    {
      code: 'CC_E_DELIVERY_FAILED',
      retryable: !permanent && code !== 'EABORT',
      details: {
        target,
        smtpCode: code,
        ...(e.responseCode !== undefined ? { status: e.responseCode } : {}),
        ...(Array.isArray(e.rejected) ? { rejected: e.rejected.map(String) } : {}),
      },
    },
  );
}
