/**
 * `send`: the channel is named by the node and configured from the project's secrets by
 * convention (`SLACK_WEBHOOK_URL`, `SMTP_HOST`, …). This file only turns a `send` input into
 * the input of the channel's own action; delivering it stays that action's job.
 */
import type { BuiltinContext } from '../../executors/builtin.js';
import { StepFailure } from '../../executors/builtin.js';
import type {
  DiscordInput,
  EmailInput,
  LogInput,
  NotificationContent,
  NotifierChannel,
  SendInput,
  SlackInput,
  WebhookInput,
} from './manifest.js';

/** The project secrets each channel reads, and what each one holds (for error messages). */
export const channelSecrets: Readonly<Record<NotifierChannel, Readonly<Record<string, string>>>> = {
  slack: { SLACK_WEBHOOK_URL: 'the Slack incoming webhook URL' },
  discord: { DISCORD_WEBHOOK_URL: 'the Discord webhook URL' },
  webhook: {
    WEBHOOK_URL: 'the receiver’s URL',
    WEBHOOK_SECRET: 'the HMAC-SHA256 signing key (optional)',
  },
  email: {
    SMTP_HOST: 'the SMTP server’s host name',
    SMTP_PORT: 'the SMTP port (optional; default 587, 465 means TLS)',
    SMTP_USER: 'the SMTP user name (optional)',
    SMTP_PASSWORD: 'the SMTP password (optional)',
    SMTP_FROM: 'the sender, e.g. "CommandCenter <alerts@example.com>"',
    EMAIL_TO: 'comma-separated recipients, used when the node gives no `to`',
  },
  log: {},
};

/** The channel action to call and its input. */
export type ChannelCall =
  | { action: 'slack'; input: SlackInput }
  | { action: 'discord'; input: DiscordInput }
  | { action: 'webhook'; input: WebhookInput }
  | { action: 'email'; input: EmailInput }
  | { action: 'log'; input: LogInput };

/** Hub-level settings `send` needs to decide what is missing. */
export interface SendSettings {
  /** The notifier's `defaultFrom`: makes `SMTP_FROM` optional. */
  defaultFrom?: string;
}

type Secrets = Record<string, string | undefined>;

/**
 * The channel action and its input for a `send` input (already checked against its schema).
 * Throws a non-retryable `StepFailure` `CC_E_SECRET_MISSING` naming every required secret that
 * is not set, and `CC_E_STEP_INPUT_INVALID` for a secret that holds something unusable.
 */
export async function channelCall(
  input: SendInput,
  ctx: BuiltinContext,
  settings: SendSettings = {},
): Promise<ChannelCall> {
  const { channel } = input;
  const content = notificationContent(input);
  if (input.to !== undefined && channel !== 'email') {
    ctx.log(`send: \`to\` is ignored: channel ${channel} has no recipients`);
  }
  const secrets = await readSecrets(Object.keys(channelSecrets[channel]), ctx, channel);
  const need = (names: string[]) => requireSecrets(names, channel, ctx, secrets);
  switch (channel) {
    case 'log':
      return { action: 'log', input: content };
    case 'slack':
    case 'discord': {
      const name = channel === 'slack' ? 'SLACK_WEBHOOK_URL' : 'DISCORD_WEBHOOK_URL';
      need([name]);
      const webhookUrl = httpUrlSecret(name, secrets, ctx);
      return channel === 'slack'
        ? { action: 'slack', input: { webhookUrl, ...content } }
        : { action: 'discord', input: { webhookUrl, ...content } };
    }
    case 'webhook': {
      need(['WEBHOOK_URL']);
      const url = httpUrlSecret('WEBHOOK_URL', secrets, ctx);
      const secret = secrets.WEBHOOK_SECRET;
      return { action: 'webhook', input: { url, ...content, ...(secret ? { secret } : {}) } };
    }
    case 'email':
      return { action: 'email', input: emailInput(input, content, secrets, ctx, settings) };
  }
}

/** The shared content, with `message` as `text`. */
function notificationContent(input: SendInput): NotificationContent {
  const { message, text } = input;
  if (message && text && message !== text) {
    throw new StepFailure(
      'notifier.send: `message` and `text` are the same field: give one of them, not both.',
      { code: 'CC_E_STEP_INPUT_INVALID', retryable: false },
    );
  }
  const body = text || message;
  return {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(body ? { text: body } : {}),
    ...(input.severity !== undefined ? { severity: input.severity } : {}),
    ...(input.fields !== undefined ? { fields: input.fields } : {}),
    ...(input.links !== undefined ? { links: input.links } : {}),
  };
}

function emailInput(
  input: SendInput,
  content: NotificationContent,
  secrets: Secrets,
  ctx: BuiltinContext,
  settings: SendSettings,
): EmailInput {
  const user = secrets.SMTP_USER;
  const from = secrets.SMTP_FROM;
  const listed = (secrets.EMAIL_TO ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const to = input.to ?? listed;
  requireSecrets(
    [
      'SMTP_HOST',
      ...(to.length === 0 ? ['EMAIL_TO'] : []),
      // The email action falls back to these; without any of them it could not send.
      ...(from || settings.defaultFrom || user?.includes('@') ? [] : ['SMTP_FROM']),
    ],
    'email',
    ctx,
    secrets,
  );
  const password = secrets.SMTP_PASSWORD;
  if (password && !user) {
    ctx.log('send: SMTP_PASSWORD is set but SMTP_USER is not; connecting without authentication');
  }
  return {
    to,
    ...(from ? { from } : {}),
    ...content,
    smtp: {
      host: secrets.SMTP_HOST!,
      ...(secrets.SMTP_PORT ? { port: smtpPort(secrets.SMTP_PORT, ctx) } : {}),
      ...(user ? { user, ...(password ? { password } : {}) } : {}),
    },
  };
}

/** Looks the names up in parallel; empty values count as unset. */
async function readSecrets(
  names: string[],
  ctx: BuiltinContext,
  channel: NotifierChannel,
): Promise<Secrets> {
  const lookup = ctx.lookupSecret?.bind(ctx);
  if (names.length === 0 || lookup === undefined) return {};
  try {
    const values = await Promise.all(names.map((name) => lookup(name)));
    return Object.fromEntries(names.map((name, i) => [name, values[i] || undefined]));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new StepFailure(
      `notifier.send: could not read the project secrets of channel ${channel}: ${why}`,
      { code: 'CC_E_INTERNAL', retryable: true },
    );
  }
}

/** Throws `CC_E_SECRET_MISSING` naming every one of `names` that is not set. */
function requireSecrets(
  names: string[],
  channel: NotifierChannel,
  ctx: BuiltinContext,
  secrets: Secrets,
): void {
  const missing = names.filter((name) => secrets[name] === undefined);
  if (missing.length === 0) return;
  const project = ctx.request.run.project;
  const described = missing.map((name) => `${name} (${channelSecrets[channel][name] ?? name})`);
  const list =
    described.length > 1
      ? `${described.slice(0, -1).join(', ')} and ${described.at(-1)!}`
      : described.join('');
  const many = missing.length > 1;
  const state =
    ctx.lookupSecret === undefined
      ? 'but project secrets cannot be read here'
      : `which ${many ? 'are' : 'is'} not set in project ${project}`;
  const example = many ? 'NAME' : missing[0]!;
  throw new StepFailure(
    `notifier.send: channel ${channel} needs the project secret${many ? 's' : ''} ${list}, ` +
      `${state}. Set ${many ? 'each' : 'it'} with \`printf %s "$VALUE" | commandcenter secrets ` +
      `set ${example} --from-stdin --project ${project}\`, then re-run from the failed step.`,
    {
      code: 'CC_E_SECRET_MISSING',
      retryable: false,
      details: { channel, missing },
    },
  );
}

/** The secret as an http(s) URL; a bad one fails without showing the value (a credential). */
function httpUrlSecret(name: string, secrets: Secrets, ctx: BuiltinContext): string {
  const value = secrets[name]!;
  let ok = false;
  try {
    const url = new URL(value);
    ok = url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    // Reported below.
  }
  if (ok) return value;
  throw secretInvalid(name, 'is not an http(s) URL', ctx);
}

function smtpPort(value: string, ctx: BuiltinContext): number {
  const port = Number(value.trim());
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  throw secretInvalid('SMTP_PORT', 'is not a port number (1–65535)', ctx);
}

function secretInvalid(name: string, problem: string, ctx: BuiltinContext): StepFailure {
  const project = ctx.request.run.project;
  return new StepFailure(
    `notifier.send: the project secret ${name} ${problem}. Replace it with ` +
      `\`printf %s "$VALUE" | commandcenter secrets set ${name} --from-stdin --project ` +
      `${project}\`, then re-run from the failed step.`,
    { code: 'CC_E_STEP_INPUT_INVALID', retryable: false, details: { secret: name } },
  );
}
