/**
 * Discord webhooks: the payload (optional content plus one embed coloured by severity), fitted
 * to Discord's limits, the webhook URL (`wait`, `thread_id`) and Discord's JSON error answers.
 */
import type { GuardedResponse } from '../../net/guarded-fetch.js';
import type { FailureReading } from './http-delivery.js';
import type { DiscordInput } from './manifest.js';
import {
  runLine,
  severityColors,
  Truncations,
  type Notification,
  type RunInfo,
} from './notification.js';

/** Discord's message and embed limits (https://discord.com/developers/docs/resources/message). */
export const discordLimits = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Sum of title, description, field names and values, and footer of all embeds. */
  embedTotal: 6000,
} as const;

/** The webhook URL with `wait` and `thread_id` set (other query parameters are kept). */
export function discordUrl(input: DiscordInput): string {
  const url = new URL(input.webhookUrl);
  if (input.wait ?? true) url.searchParams.set('wait', 'true');
  if (input.threadId !== undefined) url.searchParams.set('thread_id', input.threadId);
  return url.href;
}

/** Escapes the characters that would break a `[text](url)` link. */
function linkText(s: string): string {
  return s.replace(/([[\]\\])/g, '\\$1');
}

/** The webhook payload for a notification; what had to be shortened goes into `cut`. */
export function discordPayload(
  input: DiscordInput,
  n: Notification,
  run: RunInfo,
  cut: Truncations,
  now: Date = new Date(),
): Record<string, unknown> {
  const hasEmbed =
    n.title !== undefined || n.text !== undefined || n.fields.length > 0 || n.links.length > 0;
  return {
    ...(input.content !== undefined && input.content !== ''
      ? { content: cut.fit(input.content, discordLimits.content, 'content') }
      : {}),
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(input.avatarUrl !== undefined ? { avatar_url: input.avatarUrl } : {}),
    allowed_mentions: { parse: input.allowMentions ? ['everyone', 'roles', 'users'] : [] },
    ...(hasEmbed ? { embeds: [embed(n, run, cut, now)] } : {}),
  };
}

interface EmbedField {
  name: string;
  value: string;
  inline: boolean;
}

function embed(n: Notification, run: RunInfo, cut: Truncations, now: Date) {
  const fields: EmbedField[] = n.fields.map((f) => ({
    name: cut.fit(f.title, discordLimits.fieldName, `field "${f.title}" name`),
    value: cut.fit(f.value, discordLimits.fieldValue, `field "${f.title}" value`),
    inline: f.short,
  }));
  const links = linksField(n, cut);
  const room = discordLimits.fields - (links ? 1 : 0);
  if (fields.length > room) {
    cut.note(
      `fields (${fields.length - room} over Discord's limit of ${discordLimits.fields} dropped)`,
    );
    fields.length = room;
  }
  if (links) fields.push(links);
  const title = n.title !== undefined ? cut.fit(n.title, discordLimits.title, 'title') : undefined;
  const footer = cut.fit(
    `${n.severity.toUpperCase()} · ${runLine(run)}`,
    discordLimits.footer,
    'footer',
  );
  let description =
    n.text !== undefined ? cut.fit(n.text, discordLimits.description, 'description') : undefined;
  // Discord refuses a message whose embeds exceed 6000 characters in total: shorten the
  // description first, then drop fields from the end.
  const size = () =>
    (title?.length ?? 0) +
    (description?.length ?? 0) +
    footer.length +
    fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  if (size() > discordLimits.embedTotal && description !== undefined) {
    const keep = Math.max(1, description.length - (size() - discordLimits.embedTotal));
    description = cut.fit(
      description,
      keep,
      `description (embed over ${discordLimits.embedTotal} characters)`,
    );
  }
  let dropped = 0;
  while (size() > discordLimits.embedTotal && fields.length > 0) {
    fields.pop();
    dropped++;
  }
  if (dropped > 0)
    cut.note(`fields (${dropped} dropped to fit ${discordLimits.embedTotal} characters)`);
  return {
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(title !== undefined && n.links[0] ? { url: n.links[0].url } : {}),
    color: Number.parseInt(severityColors[n.severity].slice(1), 16),
    ...(fields.length > 0 ? { fields } : {}),
    footer: { text: footer },
    timestamp: now.toISOString(),
  };
}

/** The links as one `[text](url) · …` field; links that do not fit are dropped and noted. */
function linksField(n: Notification, cut: Truncations): EmbedField | undefined {
  if (n.links.length === 0) return undefined;
  let value = '';
  let kept = 0;
  for (const l of n.links) {
    const item = `[${linkText(l.text)}](${l.url})`;
    const next = value === '' ? item : `${value} · ${item}`;
    if (next.length > discordLimits.fieldValue) break;
    value = next;
    kept++;
  }
  if (kept < n.links.length) {
    cut.note(
      `links (${n.links.length - kept} dropped to fit ${discordLimits.fieldValue} characters)`,
    );
  }
  return kept > 0 ? { name: 'Links', value, inline: false } : undefined;
}

const hints: Record<number, string> = {
  10003: 'The thread or channel does not exist: check `threadId`.',
  10015: 'The webhook was deleted or the URL is wrong: create a new webhook and update the secret.',
  50027: 'The webhook token is wrong: copy the full webhook URL into the secret again.',
  50006: 'The message was empty: give the node a title, text or content.',
  50035: 'Discord refused a field of the message: see the response excerpt in the step error.',
  50013: 'The webhook lacks permission to post in this channel or thread.',
  40005: 'The message is too large for Discord.',
};

/** Discord answers errors as JSON `{ message, code }`; 429 adds `retry_after` in seconds. */
export function readDiscordFailure(res: GuardedResponse): FailureReading {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const { message, code, retry_after: retryAfter } = body as Record<string, unknown>;
  const reading: FailureReading = {};
  if (typeof message === 'string') {
    reading.reason = typeof code === 'number' ? `${message} (code ${code})` : message;
  }
  if (typeof code === 'number' && hints[code]) reading.hint = hints[code];
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
    reading.retryAfterMs = Math.ceil(retryAfter * 1000);
  }
  return reading;
}

/** The id of the created message (200 with `wait=true`); undefined for 204. */
export function discordMessageId(res: GuardedResponse): string | undefined {
  if (res.status === 204 || res.body.length === 0) return undefined;
  try {
    const id = (res.json() as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
