/**
 * The actions the hub audits (grep `audit(deps` in packages/hub/src/api): offered as suggestions
 * in the filter, which matches action names exactly. Actions seen in the loaded entries are
 * added, so a new one is never missing from the list for long.
 */
export const knownActions = [
  'action.run',
  'agent.apply',
  'agent.test',
  'approval.approve',
  'approval.reject',
  'event.publish',
  'project.create',
  'project.settings',
  'run.cancel',
  'run.rerun',
  'run.trigger',
  'secret.create',
  'secret.delete',
  'secret.rotate',
  'secret.set',
  'session.open',
  'token.create',
  'token.revoke',
  'trigger.pause',
  'trigger.resume',
  'webhook.secret.rotate',
  'workflow.apply',
  'workflow.archive',
  'workflow.restore',
];

/** Where the target of an audited action lives in the UI, when it has a page. */
export function targetHref(action: string, target: string | null): string | null {
  if (!target) return null;
  const [kind] = action.split('.');
  const seg = encodeURIComponent;
  switch (kind) {
    case 'run':
      return /^[0-9a-f-]{36}$/.test(target) ? `/runs/${seg(target)}` : null;
    case 'approval':
      return `/approvals/${seg(target)}`;
    case 'workflow':
      return `/workflows/${seg(target.split('@')[0]!)}`;
    case 'agent':
      return `/agents/${seg(target.split('@')[0]!)}`;
    case 'trigger':
    case 'webhook': // webhook.secret.rotate targets the trigger it was called on
      return /^[0-9a-f-]{36}$/.test(target) ? `/triggers?trigger=${seg(target)}` : null;
    default:
      return null;
  }
}
