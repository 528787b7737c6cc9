import { canonicalJson, type WorkflowTrigger } from '@commandcenter/protocol';

/** Kinds of triggers that have state (manual triggers have none). */
export type StatefulTrigger = Exclude<WorkflowTrigger, { kind: 'manual' }>;

/**
 * The identity of a trigger within its workflow: its kind and settings, without its position, so
 * a new version that keeps it (even moved) keeps its state and history.
 */
export function triggerKey(t: StatefulTrigger): string {
  const { index: _index, kind, ...settings } = t;
  switch (t.kind) {
    case 'webhook':
      return `webhook:${t.webhook}`; // the URL is the identity; `when` may change
    case 'action':
      return `action:${t.action}`;
    default:
      return `${kind}:${canonicalJson(settings)}`;
  }
}
