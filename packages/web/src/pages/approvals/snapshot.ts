/**
 * What an approval's `snapshot` holds (taken by the engine when the step asked for approval):
 * the agent and action that will run, the effective risk, the resolved inputs, the upstream
 * outputs the inputs came from and, for a forEach step, its items. Older snapshots may lack
 * fields, so everything is optional and checked.
 */
export interface ApprovalSnapshot {
  agent?: string;
  agentVersion?: string;
  action?: string;
  risk?: string;
  input?: unknown;
  /** Upstream node id → its output. */
  upstream: { node: string; output: unknown }[];
  items?: unknown[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function readSnapshot(raw: unknown): ApprovalSnapshot {
  const s = isRecord(raw) ? raw : {};
  const upstream = isRecord(s.upstream)
    ? Object.entries(s.upstream).map(([node, v]) => ({
        node,
        output: isRecord(v) && 'output' in v ? v.output : v,
      }))
    : [];
  return {
    agent: str(s.agent),
    agentVersion: str(s.agentVersion),
    action: str(s.action),
    risk: str(s.risk),
    input: s.input,
    upstream,
    items: Array.isArray(s.items) ? s.items : undefined,
  };
}

/** "agent.action", or what is known of it. */
export function actionName(s: ApprovalSnapshot): string {
  return s.agent && s.action ? `${s.agent}.${s.action}` : (s.agent ?? s.action ?? '—');
}
