import type { Role } from '@commandcenter/protocol/client';

/** What each role adds to the one below it (token creation form, role column hints). */
export const roleHelp: Record<Role, string> = {
  viewer: 'reads workflows, runs, approvals, agents and triggers',
  operator: 'also starts and cancels runs, applies workflows and agents, pauses triggers',
  approver: 'also approves or rejects steps that wait for a decision',
  admin: 'also manages secrets, tokens, webhook secrets and reads the audit log',
};

export const roles: Role[] = ['viewer', 'operator', 'approver', 'admin'];
