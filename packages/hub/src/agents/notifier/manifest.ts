/**
 * Manifest of the built-in `notifier` agent: one action per channel (`slack`, `discord`,
 * `webhook`, `email`, `log`), all sharing the same notification content (title, text,
 * severity, fields, links) and the same output shape, plus `send`, which picks the channel by
 * name and reads its credentials from the project's secrets.
 */

/** How urgent a notification is; decides colours and labels. */
export type Severity = 'info' | 'success' | 'warning' | 'error' | 'critical';

/** What every action sends: a title and/or a text, plus optional severity, fields and links. */
export interface NotificationContent {
  title?: string;
  text?: string;
  /** Default `info`. */
  severity?: Severity;
  /** Key/value facts; `short` fields sit side by side (default `true`). */
  fields?: { title: string; value: string | number | boolean | null; short?: boolean }[];
  /** Buttons (Slack), links (Discord, e-mail, webhook). */
  links?: { text: string; url: string }[];
}

/** Input of `slack`. */
export interface SlackInput extends NotificationContent {
  /** Incoming webhook URL (a credential: pass `{{ secrets.SLACK_WEBHOOK_URL }}`). */
  webhookUrl: string;
  channel?: string;
  username?: string;
  iconEmoji?: string;
  iconUrl?: string;
}

/** Input of `discord`. */
export interface DiscordInput extends NotificationContent {
  /** Webhook URL (a credential: pass `{{ secrets.DISCORD_WEBHOOK_URL }}`). */
  webhookUrl: string;
  /** Plain message text above the embed (e.g. a role mention), up to 2000 characters. */
  content?: string;
  username?: string;
  avatarUrl?: string;
  /** Post into this thread of a forum or text channel. */
  threadId?: string;
  /** Let `@everyone`, `@here`, user and role mentions ping (default `false`). */
  allowMentions?: boolean;
  /** Ask Discord to confirm with the created message (`?wait=true`), default `true`. */
  wait?: boolean;
}

/** Input of `webhook`. */
export interface WebhookInput extends NotificationContent {
  url: string;
  /** HMAC-SHA256 key for `X-CC-Signature` (pass `{{ secrets.X }}`); unsigned when absent. */
  secret?: string;
  /** Event name in the payload and in `X-CC-Event`; default `notification`. */
  event?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Extra JSON passed through as `data`. */
  data?: unknown;
}

/** SMTP connection of `email`. */
export interface SmtpSettings {
  host: string;
  /** Default 587, or 465 when `secure`. */
  port?: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when offered. */
  secure?: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. */
  requireTLS?: boolean;
  user?: string;
  /** Pass `{{ secrets.SMTP_PASSWORD }}`. */
  password?: string;
}

/** Input of `email`. */
export interface EmailInput extends NotificationContent {
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  from?: string;
  replyTo?: string;
  /** Default: the summary line built from severity and title. */
  subject?: string;
  /** Replaces the generated HTML body. */
  html?: string;
  smtp: SmtpSettings;
}

/** Input of `log`. */
export type LogInput = NotificationContent;

/** The channels `send` can deliver to. */
export type NotifierChannel = 'slack' | 'discord' | 'webhook' | 'email' | 'log';

/**
 * Input of `send`: the notification and the channel; the channel's URL or SMTP server comes
 * from the project's secrets (`SLACK_WEBHOOK_URL`, `SMTP_HOST`, …).
 */
export interface SendInput extends NotificationContent {
  channel: NotifierChannel;
  /** The text (an alias of `text`; give one of them). */
  message?: string;
  /** E-mail recipients; default: the project secret `EMAIL_TO` (comma-separated). */
  to?: string | string[];
}

/** Output of every delivering action. */
export interface DeliveryOutput {
  delivered: true;
  channel: 'slack' | 'discord' | 'webhook' | 'email';
  /** HTTP status of the accepted request, or the SMTP reply code. */
  status: number;
  /** Discord message id (with `wait`), SMTP Message-ID. */
  messageId?: string;
  /** Where it went, without credentials: webhook URLs with their path masked. */
  target: string;
  /** Requests made in this attempt (more than 1 after rate-limit waits). */
  attempts: number;
  durationMs: number;
  /** What had to be shortened to fit the channel's limits. */
  truncated?: string[];
  /** E-mail only: recipients the server accepted and rejected. */
  accepted?: string[];
  rejected?: string[];
}

/** Output of `send`: what the channel's own action returns. */
export type SendOutput = DeliveryOutput | LogOutput;

/** Output of `log`. */
export interface LogOutput {
  delivered: true;
  channel: 'log';
  /** Lines written to the step log. */
  lines: number;
  notification: {
    title?: string;
    text?: string;
    severity: Severity;
    fields: { title: string; value: string; short: boolean }[];
    links: { text: string; url: string }[];
  };
}

const severity = {
  enum: ['info', 'success', 'warning', 'error', 'critical'],
  description: 'Colour and label of the message; default info.',
};
const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://' };
const field = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'value'],
  properties: {
    title: { type: 'string', minLength: 1 },
    value: { type: ['string', 'number', 'boolean', 'null'] },
    short: { type: 'boolean', description: 'Side by side with other short fields; default true.' },
  },
};
const link = {
  type: 'object',
  additionalProperties: false,
  required: ['text', 'url'],
  properties: { text: { type: 'string', minLength: 1 }, url: httpUrl },
};
// At least one of title and text is required; the actions check it (a schema `anyOf` would
// only say "does not match any of the allowed shapes").
const content = {
  title: { type: 'string', description: 'Headline; give a title, a text or both.' },
  text: { type: 'string', description: 'Body text; give a title, a text or both.' },
  severity,
  fields: { type: 'array', maxItems: 50, items: field },
  links: { type: 'array', maxItems: 25, items: link },
};
const recipients = {
  anyOf: [
    { type: 'string', minLength: 3 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 } },
  ],
};

const deliveryOutput = (
  channel: DeliveryOutput['channel'],
  extra: Record<string, unknown> = {},
) => ({
  type: 'object',
  additionalProperties: false,
  required: ['delivered', 'channel', 'status', 'target', 'attempts', 'durationMs'],
  properties: {
    delivered: { const: true },
    channel: { const: channel },
    status: { type: 'integer' },
    messageId: { type: 'string' },
    target: { type: 'string' },
    attempts: { type: 'integer', minimum: 1 },
    durationMs: { type: 'integer', minimum: 0 },
    truncated: { type: 'array', items: { type: 'string' } },
    ...extra,
  },
});

const emailOutput = deliveryOutput('email', {
  accepted: { type: 'array', items: { type: 'string' } },
  rejected: { type: 'array', items: { type: 'string' } },
});
const logOutput = {
  type: 'object',
  additionalProperties: false,
  required: ['delivered', 'channel', 'lines', 'notification'],
  properties: {
    delivered: { const: true },
    channel: { const: 'log' },
    lines: { type: 'integer', minimum: 1 },
    notification: {
      type: 'object',
      additionalProperties: false,
      required: ['severity', 'fields', 'links'],
      properties: {
        title: { type: 'string' },
        text: { type: 'string' },
        severity,
        fields: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'value', 'short'],
            properties: {
              title: { type: 'string' },
              value: { type: 'string' },
              short: { type: 'boolean' },
            },
          },
        },
        links: { type: 'array', items: link },
      },
    },
  },
};

/** The manifest document (validated by `validateAgentManifest` in the tests). */
export const manifest = {
  name: 'notifier',
  version: '1.0.0',
  type: 'builtin',
  description:
    'Sends notifications to Slack, Discord, a signed generic webhook, e-mail (SMTP) or the step ' +
    'log. A failed delivery is a failed step.',
  risk: 'low',
  actions: {
    slack: {
      description: 'Posts a coloured message to a Slack incoming webhook.',
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['webhookUrl'],
        properties: {
          webhookUrl: { ...httpUrl, description: 'Pass {{ secrets.SLACK_WEBHOOK_URL }}.' },
          ...content,
          channel: { type: 'string', minLength: 1 },
          username: { type: 'string', minLength: 1 },
          iconEmoji: { type: 'string', pattern: '^:[^:\\s]+:$' },
          iconUrl: httpUrl,
        },
      },
      output: deliveryOutput('slack'),
    },
    discord: {
      description: 'Posts an embed to a Discord webhook.',
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['webhookUrl'],
        properties: {
          webhookUrl: { ...httpUrl, description: 'Pass {{ secrets.DISCORD_WEBHOOK_URL }}.' },
          ...content,
          content: { type: 'string', description: 'Plain text above the embed.' },
          username: { type: 'string', minLength: 1, maxLength: 80 },
          avatarUrl: httpUrl,
          threadId: { type: 'string', pattern: '^[0-9]+$' },
          allowMentions: { type: 'boolean' },
          wait: { type: 'boolean' },
        },
      },
      output: deliveryOutput('discord'),
    },
    webhook: {
      description:
        'POSTs the notification as JSON, signed with HMAC-SHA256 (X-CC-Timestamp, X-CC-Signature).',
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: httpUrl,
          secret: { type: 'string', minLength: 1, description: 'Pass {{ secrets.X }}.' },
          event: { type: 'string', minLength: 1, maxLength: 200 },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          data: {},
          ...content,
        },
      },
      output: deliveryOutput('webhook'),
    },
    email: {
      description: 'Sends an e-mail through an SMTP server.',
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['to', 'smtp'],
        properties: {
          to: recipients,
          cc: recipients,
          bcc: recipients,
          from: { type: 'string', minLength: 3 },
          replyTo: { type: 'string', minLength: 3 },
          subject: { type: 'string', minLength: 1 },
          html: { type: 'string' },
          ...content,
          smtp: {
            type: 'object',
            additionalProperties: false,
            required: ['host'],
            properties: {
              host: { type: 'string', minLength: 1 },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              secure: { type: 'boolean' },
              requireTLS: { type: 'boolean' },
              user: { type: 'string', minLength: 1 },
              password: { type: 'string', description: 'Pass {{ secrets.SMTP_PASSWORD }}.' },
            },
          },
        },
      },
      output: emailOutput,
    },
    log: {
      description: 'Writes the notification to the step log and returns it (for development).',
      input: { type: 'object', additionalProperties: false, properties: content },
      output: logOutput,
    },
    send: {
      description:
        'Sends the notification to the named channel, with the URL or SMTP server taken from ' +
        'the project secrets (SLACK_WEBHOOK_URL, DISCORD_WEBHOOK_URL, WEBHOOK_URL, SMTP_HOST, …).',
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['channel'],
        properties: {
          channel: {
            enum: ['slack', 'discord', 'webhook', 'email', 'log'],
            description: 'Where to send; the credentials come from the project secrets.',
          },
          message: { type: 'string', description: 'The text (alias of `text`).' },
          ...content,
          to: { ...recipients, description: 'E-mail recipients; default: the secret EMAIL_TO.' },
        },
      },
      output: {
        anyOf: [
          deliveryOutput('slack'),
          deliveryOutput('discord'),
          deliveryOutput('webhook'),
          emailOutput,
          logOutput,
        ],
      },
    },
  },
} as const;

/** Names of the notifier's actions. */
export type NotifierAction = keyof typeof manifest.actions;
