import type { Role } from '@commandcenter/protocol/client';
import { useSession } from '../app/session.js';

/**
 * Tells a user why the page's actions are disabled: which role they need and which one they
 * have. Renders nothing for users who may act.
 */
export function RoleNote({ role, what }: { role: Role; what: string }) {
  const { who, can } = useSession();
  if (can(role)) return null;
  return (
    <p className="role-note" role="note">
      Only tokens with the <strong>{role}</strong> role{role === 'admin' ? '' : ' or above'} can{' '}
      {what}. You are signed in as <strong>{who.role}</strong>: ask an admin for a token with more
      rights if you need to.
    </p>
  );
}

/** The `title` of a control disabled for lack of a role. */
export function needsRole(role: Role, allowed: boolean): string | undefined {
  return allowed ? undefined : `Needs the ${role} role`;
}
