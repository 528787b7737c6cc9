import { effectiveRisk, type AgentManifest, type WorkflowNode } from '@commandcenter/protocol';

export type Risk = 'low' | 'medium' | 'high' | 'critical';
const ORDER: Risk[] = ['low', 'medium', 'high', 'critical'];

export interface ApprovalPolicy {
  /** Steps at or above this risk need approval (SPEC §5: high by default). */
  threshold: Risk;
  /** Whether `approval: auto` may skip approval of a step at or above the threshold. */
  allowAuto: boolean;
}

export const defaultApprovalPolicy: ApprovalPolicy = { threshold: 'high', allowAuto: true };

/** SPEC §5: whether a step must wait for a human decision before it runs. */
export function needsApproval(
  node: Pick<WorkflowNode, 'approval' | 'action'>,
  agent: AgentManifest,
  policy: ApprovalPolicy = defaultApprovalPolicy,
): boolean {
  if (node.approval === 'required') return true;
  const risk = effectiveRisk(agent, node.action) as Risk;
  const risky = ORDER.indexOf(risk) >= ORDER.indexOf(policy.threshold);
  if (!risky) return false;
  return !(node.approval === 'auto' && policy.allowAuto);
}
