/**
 * Query keys. Every key starts with the project, so switching projects never shows another
 * project's cache, and the live feed invalidates by prefix (see live.ts).
 */
export const keys = {
  workflows: (p: string) => [p, 'workflows'] as const,
  workflow: (p: string, name: string) => [p, 'workflows', name] as const,
  workflowVersion: (p: string, name: string, v: number) => [p, 'workflows', name, 'v', v] as const,
  runs: (p: string, filter?: object) => [p, 'runs', 'list', filter ?? {}] as const,
  run: (p: string, id: string) => [p, 'runs', id] as const,
  approvals: (p: string, status?: string) => [p, 'approvals', status ?? 'pending'] as const,
  approval: (p: string, id: string) => [p, 'approvals', 'one', id] as const,
  agents: (p: string) => [p, 'agents'] as const,
  agent: (p: string, name: string) => [p, 'agents', name] as const,
  triggers: (p: string) => [p, 'triggers'] as const,
  trigger: (p: string, id: string) => [p, 'triggers', id] as const,
  secrets: (p: string) => [p, 'secrets'] as const,
  tokens: (p: string) => [p, 'tokens'] as const,
  audit: (p: string) => [p, 'audit'] as const,
  overview: (p: string, window: string) => [p, 'overview', window] as const,
  project: (p: string) => [p, 'project'] as const,
};
