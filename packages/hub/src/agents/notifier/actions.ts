/**
 * The `notifier` agent's actions. Each one validates its input against the manifest, renders
 * the notification for its channel and delivers it; a delivery that is not confirmed throws a
 * `StepFailure`, so the step fails instead of succeeding silently. `send` fills in a channel
 * action's input from the project's secrets and calls that action.
 */
import { validateAgainstSchema } from '@commandcenter/protocol';
import type { BuiltinContext, BuiltinHandler } from '../../executors/builtin.js';
import { StepFailure } from '../../executors/builtin.js';
import { discordMessageId, discordPayload, discordUrl, readDiscordFailure } from './discord.js';
import { sendEmail } from './email.js';
import { deliverHttp, type DeliverySettings, type HttpDelivery } from './http-delivery.js';
import { notificationLines } from './log-lines.js';
import {
  manifest,
  type DeliveryOutput,
  type DiscordInput,
  type EmailInput,
  type LogInput,
  type LogOutput,
  type NotifierAction,
  type NotifierChannel,
  type SendInput,
  type SendOutput,
  type SlackInput,
  type WebhookInput,
} from './manifest.js';
import { scrubUrl } from './mask-url.js';
import { normalizeNotification, runInfo, Truncations } from './notification.js';
import { channelCall } from './send.js';
import { readSlackFailure, slackPayload } from './slack.js';
import { readWebhookFailure, webhookHeaders, webhookPayload } from './webhook.js';

/** Hub-level settings of the notifier; every field has a production default. */
export interface NotifierOptions {
  /** Timeout of one HTTP request. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /**
   * Longest `Retry-After` waited inside one attempt after a 429; a longer one fails the attempt
   * (retryable, with `details.retryAfterMs`) and leaves the wait to the node's retry policy.
   * Default 30 000 ms.
   */
  maxRateLimitWaitMs?: number;
  /** 429 answers retried inside one attempt. Default 3. */
  maxRateLimitRetries?: number;
  /** Largest response body read from a webhook. Default 1 MiB. */
  maxResponseBytes?: number;
  /** SMTP connection and greeting timeout. Default 30 000 ms. */
  smtpConnectionTimeoutMs?: number;
  /** SMTP inactivity timeout. Default 60 000 ms. */
  smtpSocketTimeoutMs?: number;
  /** Sender of e-mails whose node gives no `from`. Default: none (then `from` is required). */
  defaultFrom?: string;
}

const userAgent = 'CommandCenter-Notifier/1.0';

/** The notifier's actions by name, for `BuiltinRegistry.register('notifier', …)`. */
export function createNotifierActions(
  opts: NotifierOptions = {},
): Record<NotifierAction, BuiltinHandler> {
  const http: DeliverySettings = {
    requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    maxRateLimitWaitMs: opts.maxRateLimitWaitMs ?? 30_000,
    maxRateLimitRetries: opts.maxRateLimitRetries ?? 3,
    maxResponseBytes: opts.maxResponseBytes ?? 1024 * 1024,
  };
  const email = {
    connectionTimeoutMs: opts.smtpConnectionTimeoutMs ?? 30_000,
    socketTimeoutMs: opts.smtpSocketTimeoutMs ?? 60_000,
    ...(opts.defaultFrom !== undefined ? { defaultFrom: opts.defaultFrom } : {}),
  };
  const jsonHeaders = () => ({
    'content-type': 'application/json; charset=utf-8',
    'user-agent': userAgent,
  });

  const channels: Record<NotifierChannel, BuiltinHandler> = {
    async slack(raw, ctx): Promise<DeliveryOutput> {
      const input = parseInput<SlackInput>('slack', raw, 'webhookUrl');
      const n = normalizeNotification(input);
      const cut = new Truncations();
      const payload = slackPayload(input, n, runInfo(ctx.request), cut);
      logTruncations('slack', cut, ctx);
      const body = JSON.stringify(payload);
      const read = readSlackFailure;
      const url = input.webhookUrl;
      const d = await deliverHttp(
        { channel: 'slack', url, body, headers: jsonHeaders, read },
        ctx,
        http,
      );
      return output('slack', d, cut);
    },

    async discord(raw, ctx): Promise<DeliveryOutput> {
      const input = parseInput<DiscordInput>('discord', raw, 'webhookUrl');
      const n = normalizeNotification(input);
      const cut = new Truncations();
      const payload = discordPayload(input, n, runInfo(ctx.request), cut);
      logTruncations('discord', cut, ctx);
      const d = await deliverHttp(
        {
          channel: 'discord',
          url: discordUrl(input),
          body: JSON.stringify(payload),
          headers: jsonHeaders,
          read: readDiscordFailure,
        },
        ctx,
        http,
      );
      const messageId = discordMessageId(d.response);
      return { ...output('discord', d, cut), ...(messageId ? { messageId } : {}) };
    },

    async webhook(raw, ctx): Promise<DeliveryOutput> {
      const input = parseInput<WebhookInput>('webhook', raw, 'url');
      const n = normalizeNotification(input);
      const body = JSON.stringify(webhookPayload(input, n, runInfo(ctx.request)));
      const deliveryId = ctx.request.idempotencyKey;
      // Checked before sending so that bad headers fail without a request.
      webhookHeaders(input, body, deliveryId);
      if (input.secret === undefined) ctx.log('webhook: no secret given; sending unsigned');
      const headers = () => webhookHeaders(input, body, deliveryId);
      const read = readWebhookFailure;
      const d = await deliverHttp(
        { channel: 'webhook', url: input.url, body, headers, read },
        ctx,
        http,
      );
      return output('webhook', d, new Truncations());
    },

    async email(raw, ctx): Promise<DeliveryOutput> {
      const input = parseInput<EmailInput>('email', raw);
      return sendEmail(input, normalizeNotification(input), runInfo(ctx.request), ctx, email);
    },

    log(raw, ctx): LogOutput {
      const input = parseInput<LogInput>('log', raw);
      const n = normalizeNotification(input);
      const lines = notificationLines(n);
      for (const line of lines) ctx.log(line);
      return { delivered: true, channel: 'log', lines: lines.length, notification: n };
    },
  };

  return {
    ...channels,
    async send(raw, ctx): Promise<SendOutput> {
      const input = parseInput<SendInput>('send', raw);
      const call = await channelCall(input, ctx, { defaultFrom: opts.defaultFrom });
      return (await channels[call.action](call.input, ctx)) as SendOutput;
    },
  };
}

/**
 * The input, checked against the action's schema (the engine checks too; this keeps direct
 * callers honest). `urlField` names a credential URL to keep out of the message.
 */
function parseInput<T>(action: NotifierAction, raw: unknown, urlField?: string): T {
  const problems = validateAgainstSchema(
    manifest.actions[action].input,
    raw,
    'CC_E_STEP_INPUT_INVALID',
    'input',
  );
  if (problems.length === 0) {
    requireSomething(action, raw as Record<string, unknown>);
    return raw as T;
  }
  const url = urlField ? (raw as Record<string, unknown>)[urlField] : undefined;
  const scrub = (text: string) =>
    typeof url === 'string' && url !== '' ? scrubUrl(text, url) : text;
  const described = problems.map((p) => ({ path: p.path, message: scrub(p.message) }));
  throw new StepFailure(`notifier.${action}: ${described.map((p) => p.message).join('; ')}`, {
    code: 'CC_E_STEP_INPUT_INVALID',
    retryable: false,
    details: { problems: described },
  });
}

/** Which inputs can carry the message of each action: one of them must be non-empty. */
const messageFields: Record<NotifierAction, string[]> = {
  slack: ['title', 'text'],
  discord: ['title', 'text', 'content'],
  webhook: ['title', 'text'],
  email: ['title', 'text', 'subject'],
  log: ['title', 'text'],
  send: ['title', 'text', 'message'],
};

function requireSomething(action: NotifierAction, input: Record<string, unknown>): void {
  const names = messageFields[action];
  if (names.some((k) => typeof input[k] === 'string' && input[k] !== '')) return;
  const list = names
    .map((k) => `\`${k}\``)
    .join(', ')
    .replace(/, ([^,]+)$/, ' or $1');
  throw new StepFailure(`notifier.${action}: nothing to send: give the node a non-empty ${list}.`, {
    code: 'CC_E_STEP_INPUT_INVALID',
    retryable: false,
  });
}

function logTruncations(channel: string, cut: Truncations, ctx: BuiltinContext): void {
  if (cut.parts.length > 0) {
    ctx.log(`${channel}: shortened to fit the channel's limits: ${cut.parts.join('; ')}`);
  }
}

function output(
  channel: 'slack' | 'discord' | 'webhook',
  d: HttpDelivery,
  cut: Truncations,
): DeliveryOutput {
  return {
    delivered: true,
    channel,
    status: d.response.status,
    target: d.target,
    attempts: d.attempts,
    durationMs: d.durationMs,
    ...(cut.parts.length > 0 ? { truncated: cut.parts } : {}),
  };
}
