/**
 * Trigger checks: exactly one kind per trigger, options that belong to that kind, event subject
 * patterns, cron expressions, time zones and unique webhook names.
 */
import { checkCron } from './cron.js';
import { isRecord } from './path.js';
import { report, type CheckContext } from './workflow-check-context.js';

/** Trigger kinds, in the order they are documented. */
export const triggerKinds = ['event', 'cron', 'webhook', 'manual', 'alert', 'action'] as const;

/** One of {@link triggerKinds}. */
export type TriggerKind = (typeof triggerKinds)[number];

/** Options allowed next to each kind. */
const optionsOf: Record<TriggerKind, readonly string[]> = {
  event: ['when'],
  cron: ['timezone', 'catchUp'],
  webhook: ['when', 'auth'],
  manual: [],
  alert: ['when'],
  action: [],
};

/** Runs the trigger checks. */
export function checkTriggers(ctx: CheckContext): void {
  const triggers = Array.isArray(ctx.doc.triggers) ? ctx.doc.triggers : [];
  const webhooks = new Map<string, number>();
  triggers.forEach((trigger, i) => {
    if (!isRecord(trigger)) return;
    const base = `triggers[${i}]`;
    const kinds = triggerKinds.filter((k) => trigger[k] !== undefined);
    if (kinds.length === 0) {
      report(
        ctx,
        'CC_E_WORKFLOW_TRIGGER',
        base,
        `triggers[${i}] has no kind (one of ${triggerKinds.join(', ')}).`,
        'Add one kind, e.g. `- manual: {}` or `- cron: "0 3 * * *"`.',
      );
      return;
    }
    if (kinds.length > 1) {
      report(
        ctx,
        'CC_E_WORKFLOW_TRIGGER',
        base,
        `triggers[${i}] has several kinds (${kinds.join(', ')}).`,
        `Split it into ${kinds.length} triggers, one per kind.`,
      );
      return;
    }
    const kind = kinds[0]!;
    for (const option of ['when', 'timezone', 'catchUp', 'auth']) {
      if (trigger[option] !== undefined && !optionsOf[kind].includes(option)) {
        const owners = triggerKinds.filter((k) => optionsOf[k].includes(option)).join('/');
        report(
          ctx,
          'CC_E_WORKFLOW_TRIGGER',
          `${base}.${option}`,
          `The ${kind} trigger triggers[${i}] cannot have ${option}: it applies to ${owners} triggers only.`,
          `Remove ${option} from this trigger.`,
        );
      }
    }
    checkKind(ctx, trigger, kind, i, webhooks);
  });
}

function checkKind(
  ctx: CheckContext,
  trigger: Record<string, unknown>,
  kind: TriggerKind,
  i: number,
  webhooks: Map<string, number>,
): void {
  const base = `triggers[${i}]`;
  if (kind === 'event' && typeof trigger.event === 'string') {
    const error = checkSubjectPattern(trigger.event);
    if (error) {
      report(
        ctx,
        'CC_E_WORKFLOW_TRIGGER',
        `${base}.event`,
        `Event subject "${trigger.event}" of triggers[${i}] is invalid: ${error}.`,
        'Use dot-separated tokens; `*` matches one token and `>` (last token only) matches the rest, e.g. `audit.*.fail` or `audit.>`.',
      );
    }
  }
  if (kind === 'cron' && typeof trigger.cron === 'string') {
    const error = checkCron(trigger.cron);
    if (error)
      report(ctx, 'CC_E_WORKFLOW_CRON', `${base}.cron`, `Cron trigger triggers[${i}]: ${error}.`);
  }
  if (kind === 'cron' && typeof trigger.timezone === 'string' && !isTimeZone(trigger.timezone)) {
    report(
      ctx,
      'CC_E_WORKFLOW_TIMEZONE',
      `${base}.timezone`,
      `Time zone "${trigger.timezone}" of triggers[${i}] is not a known IANA time zone.`,
    );
  }
  if (kind === 'webhook' && typeof trigger.webhook === 'string') {
    const first = webhooks.get(trigger.webhook);
    if (first !== undefined) {
      report(
        ctx,
        'CC_E_WORKFLOW_TRIGGER',
        `${base}.webhook`,
        `Webhook "${trigger.webhook}" is declared by triggers ${first} and ${i}.`,
        'Give each webhook trigger of the workflow a distinct name.',
      );
    } else {
      webhooks.set(trigger.webhook, i);
    }
  }
}

/** Checks a NATS-style subject pattern; returns why it is invalid, or undefined. */
export function checkSubjectPattern(subject: string): string | undefined {
  if (/\s/.test(subject)) return 'it contains whitespace';
  const tokens = subject.split('.');
  for (const [index, token] of tokens.entries()) {
    if (token === '') return 'it has an empty token (two dots in a row, or a leading/trailing dot)';
    if (token === '>' && index !== tokens.length - 1) return '">" must be the last token';
    if (token.length > 1 && /[*>]/.test(token))
      return `"${token}" mixes a wildcard with other characters`;
  }
  return undefined;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
