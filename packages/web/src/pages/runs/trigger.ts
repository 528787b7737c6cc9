import type { RunTrigger } from '@commandcenter/protocol/client';

/**
 * What started a run, for the runs list and the run page. The hub stores a trigger object whose
 * `type` is the trigger kind (`manual`, `cron`, `webhook`, `event`, `alert`, `action`, `rerun`)
 * plus what the firing knew (who, which webhook, which subject…).
 */
export const TRIGGER_TYPES = [
  'manual',
  'cron',
  'webhook',
  'event',
  'alert',
  'action',
  'rerun',
] as const;

export const triggerTypeLabels: Record<string, string> = {
  manual: 'Manual',
  cron: 'Cron',
  webhook: 'Webhook',
  event: 'Event',
  alert: 'Alert',
  action: 'UI action',
  rerun: 'Re-run',
};

export function triggerType(t: RunTrigger | null | undefined): string {
  if (!t) return 'manual';
  return typeof t === 'string' ? t : String(t.type);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** A one-line description: "Manual by alice", "Webhook deploy", "Event audit.result.fail". */
export function triggerLabel(t: RunTrigger | null | undefined): string {
  const type = triggerType(t);
  const base = triggerTypeLabels[type] ?? type;
  if (!t || typeof t === 'string') return base;
  switch (type) {
    case 'manual':
      return str(t.by) ? `${base} by ${str(t.by)}` : base;
    case 'webhook':
      return str(t.webhook) ? `${base} ${str(t.webhook)}` : base;
    case 'event':
      return str(t.subject) ? `${base} ${str(t.subject)}` : base;
    case 'action':
      return str(t.action) ? `${base} ${str(t.action)}` : base;
    case 'alert':
      return str(t.receiver) ? `${base} (${str(t.receiver)})` : base;
    case 'rerun':
      return t.from === 'scratch' ? 'Re-run from scratch' : 'Re-run from failed step';
    default:
      return base;
  }
}
