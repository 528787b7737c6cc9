import type { StatefulTriggerKind, TriggerInfo } from '@commandcenter/protocol/client';

export const kindLabels: Record<StatefulTriggerKind, string> = {
  cron: 'Cron',
  webhook: 'Webhook',
  event: 'Event',
  alert: 'Alert',
  action: 'UI action',
};

export const triggerKindList = Object.keys(kindLabels) as StatefulTriggerKind[];

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One line saying what fires the trigger, as a workflow author wrote it. */
export function specSummary(t: TriggerInfo): string {
  const s = t.spec;
  switch (t.kind) {
    case 'cron': {
      const zone = str(s.timezone) ?? 'UTC';
      return `${str(s.cron) ?? '?'} (${zone})${s.catchUp === 'skip' ? ', missed ticks skipped' : ''}`;
    }
    case 'webhook':
      return `${str(s.webhook) ?? '?'}, ${s.auth === 'token' ? 'token auth' : 'HMAC-signed'}`;
    case 'event':
      return str(s.event) ?? '?';
    case 'alert': {
      const labels = s.alert && typeof s.alert === 'object' ? Object.entries(s.alert) : [];
      return labels.length ? labels.map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'any alert';
    }
    case 'action':
      return str(s.action) ?? '?';
  }
}

/** A name for the trigger in button labels: "Pause the cron trigger 0 3 * * * of nightly". */
export function triggerName(t: TriggerInfo): string {
  return `${kindLabels[t.kind].toLowerCase()} trigger ${specSummary(t)} of ${t.workflow}`;
}

/** The `when:` filter of a trigger, when it has one. */
export const triggerWhen = (t: TriggerInfo): string | undefined => str(t.spec.when);
