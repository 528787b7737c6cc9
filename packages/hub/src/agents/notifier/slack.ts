/**
 * Slack incoming webhooks: the payload (a fallback `text`, a header block, and the details in
 * an attachment whose colour bar shows the severity) and Slack's error answers.
 */
import type { GuardedResponse } from '../../net/guarded-fetch.js';
import type { FailureReading } from './http-delivery.js';
import type { SlackInput } from './manifest.js';
import {
  runLine,
  severityColors,
  summaryLine,
  Truncations,
  type Notification,
  type RunInfo,
} from './notification.js';

/** Slack Block Kit limits (https://api.slack.com/reference/block-kit/blocks). */
export const slackLimits = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  blocks: 50,
  buttons: 25,
  buttonText: 75,
  buttonUrl: 3000,
  fallbackText: 3000,
} as const;

const severityEmoji: Record<Notification['severity'], string> = {
  info: ':information_source:',
  success: ':white_check_mark:',
  warning: ':warning:',
  error: ':x:',
  critical: ':rotating_light:',
};

type Block = Record<string, unknown>;

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters, so text from
 * upstream steps cannot inject mentions (`<!channel>`) or fake links.
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The webhook payload for a notification; what had to be shortened goes into `cut`. */
export function slackPayload(
  input: SlackInput,
  n: Notification,
  run: RunInfo,
  cut: Truncations,
): Record<string, unknown> {
  const mrkdwn = (text: string, max: number, part: string) => ({
    type: 'mrkdwn',
    text: cut.fit(escapeMrkdwn(text), max, part),
  });
  const top: Block[] = [];
  if (n.title !== undefined) {
    const text = cut.fit(n.title, slackLimits.headerText, 'header');
    top.push({ type: 'header', text: { type: 'plain_text', text, emoji: true } });
  }
  const details: Block[] = [];
  if (n.text !== undefined) {
    details.push({ type: 'section', text: mrkdwn(n.text, slackLimits.sectionText, 'text') });
  }
  details.push(...fieldBlocks(n, mrkdwn));
  const context: Block = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${severityEmoji[n.severity]} *${n.severity.toUpperCase()}* · ${escapeMrkdwn(runLine(run))}`,
      },
    ],
  };
  const buttons = buttonBlock(n, cut);
  // The context and buttons are kept; fields beyond Slack's block limit are dropped.
  const room = slackLimits.blocks - (buttons ? 2 : 1);
  if (details.length > room) {
    cut.note(
      `fields (${details.length - room} blocks over Slack's limit of ${slackLimits.blocks} dropped)`,
    );
    details.length = room;
  }
  details.push(context);
  if (buttons) details.push(buttons);
  return {
    text: cut.fit(escapeMrkdwn(summaryLine(n)), slackLimits.fallbackText, 'fallback text'),
    ...(top.length > 0 ? { blocks: top } : {}),
    attachments: [{ color: severityColors[n.severity], blocks: details }],
    ...(input.channel !== undefined ? { channel: input.channel } : {}),
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(input.iconEmoji !== undefined ? { icon_emoji: input.iconEmoji } : {}),
    ...(input.iconUrl !== undefined ? { icon_url: input.iconUrl } : {}),
  };
}

/** Short fields two by two (up to 10 per section); a long field gets a section of its own. */
function fieldBlocks(
  n: Notification,
  mrkdwn: (text: string, max: number, part: string) => Block,
): Block[] {
  const blocks: Block[] = [];
  let run: Block[] = [];
  const flush = () => {
    if (run.length > 0) blocks.push({ type: 'section', fields: run });
    run = [];
  };
  for (const f of n.fields) {
    const text = `*${f.title}*\n${f.value}`;
    if (!f.short) {
      flush();
      blocks.push({
        type: 'section',
        text: mrkdwn(text, slackLimits.sectionText, `field "${f.title}"`),
      });
      continue;
    }
    run.push(mrkdwn(text, slackLimits.fieldText, `field "${f.title}"`));
    if (run.length === slackLimits.fieldsPerSection) flush();
  }
  flush();
  return blocks;
}

function buttonBlock(n: Notification, cut: Truncations): Block | undefined {
  const links = n.links.filter((l) => l.url.length <= slackLimits.buttonUrl);
  if (links.length < n.links.length) {
    cut.note(
      `links (${n.links.length - links.length} with URLs over ${slackLimits.buttonUrl} characters dropped)`,
    );
  }
  if (links.length === 0) return undefined;
  return {
    type: 'actions',
    elements: links.slice(0, slackLimits.buttons).map((l, i) => ({
      type: 'button',
      action_id: `link-${i}`,
      text: {
        type: 'plain_text',
        text: cut.fit(l.text, slackLimits.buttonText, `link "${l.text}"`),
        emoji: true,
      },
      url: l.url,
    })),
  };
}

const hints: Record<string, string> = {
  invalid_payload:
    'Slack could not read the message; check the node’s title, text, fields and links.',
  invalid_blocks:
    'Slack refused the message blocks; check the node’s title, text, fields and links.',
  invalid_attachments: 'Slack refused the message attachment; check the node’s fields and links.',
  no_text: 'The message was empty; give the node a title or a text.',
  no_service:
    'The webhook URL is wrong or was revoked: create a new Slack incoming webhook and update the secret.',
  no_active_hooks: 'The webhook was disabled: enable it or create a new one and update the secret.',
  invalid_token: 'The webhook URL is wrong or was revoked: create a new one and update the secret.',
  team_disabled: 'The Slack workspace of this webhook is disabled.',
  channel_not_found: 'The webhook’s channel (or the `channel` override) does not exist.',
  channel_is_archived:
    'The webhook’s channel is archived: unarchive it or create a webhook for another channel.',
  action_prohibited: 'A Slack admin restricted posting to this channel.',
  posting_to_general_channel_denied: 'Only admins may post to this channel.',
  user_not_found: 'The user given as `channel` does not exist.',
};

/** Slack answers errors with a short code as text (`no_service`, `channel_is_archived`). */
export function readSlackFailure(res: GuardedResponse): FailureReading {
  const code = res.text().trim();
  if (!/^[a-z_]{2,60}$/.test(code)) return {};
  const hint = hints[code];
  return { reason: code, ...(hint ? { hint } : {}) };
}
