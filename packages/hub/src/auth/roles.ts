import { CCError } from '@commandcenter/protocol';

/** Roles in increasing order of power (SPEC §7). */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/** Who is calling: a token, or a UI session opened with one. */
export interface Principal {
  /** The token's id; null for a session opened with a one-time login link. */
  tokenId: string | null;
  name: string;
  role: Role;
  /** The one project it may act in, or null for every project (hub-wide). */
  project: string | null;
}

/**
 * Checks that `who` may act in `project` with at least `min`. Objects of a project the principal
 * cannot see are reported as not found, so their existence is not disclosed.
 */
export function authorize(who: Principal, project: string, min: Role, what?: string): void {
  if (who.project !== null && who.project !== project) {
    throw CCError.notFound(what ?? `project ${project}`);
  }
  if (!roleAtLeast(who.role, min)) {
    throw new CCError('CC_E_FORBIDDEN', {
      detail: `this needs the ${min} role in project ${project}; your token "${who.name}" has ${who.role}`,
    });
  }
}

/** Hub-wide actions (creating projects): a hub-wide admin only. */
export function authorizeHub(who: Principal, min: Role): void {
  if (who.project !== null || !roleAtLeast(who.role, min)) {
    throw new CCError('CC_E_FORBIDDEN', {
      detail: `this needs a hub-wide ${min} token; your token "${who.name}" is ${who.role}${who.project ? ` of project ${who.project}` : ''}`,
    });
  }
}
