import {
  effectiveRisk,
  requiresApproval,
  type AgentManifest,
  type ApprovalPolicy,
  type WorkflowNode,
} from '@commandcenter/protocol';

export type { ApprovalPolicy } from '@commandcenter/protocol';

/** SPEC §5: whether a step must wait for a human decision before it runs. */
export function needsApproval(
  node: Pick<WorkflowNode, 'approval' | 'action' | 'agent'>,
  agent: AgentManifest,
  policy: ApprovalPolicy,
): boolean {
  return requiresApproval({
    risk: effectiveRisk(agent, node.action),
    ...(node.approval !== undefined ? { approval: node.approval } : {}),
    threshold: policy.threshold,
    allowAuto: policy.allowAuto,
    alwaysRequired:
      policy.alwaysRequire.includes(agent.name) ||
      policy.alwaysRequire.includes(`${agent.name}.${node.action}`),
  });
}
