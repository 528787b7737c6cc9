/**
 * Risk levels and the approval rule of SPEC §5.
 */
import type { AgentManifest, Risk } from './agent-types.js';
import { riskLevels } from './agent-types.js';
import type { ApprovalMode } from './workflow-types.js';

/** The risk of running `actionName`: the action's override, else the agent's risk. */
export function effectiveRisk(
  agent: Pick<AgentManifest, 'risk' | 'actions'>,
  actionName: string,
): Risk {
  return agent.actions[actionName]?.risk ?? agent.risk;
}

/** Whether `risk` is at least `threshold` (`high` is at least `medium`). */
export function riskAtLeast(risk: Risk, threshold: Risk): boolean {
  return riskLevels.indexOf(risk) >= riskLevels.indexOf(threshold);
}

/** Inputs of {@link requiresApproval}. */
export interface ApprovalDecisionInput {
  /** The action's effective risk. */
  risk: Risk;
  /** The node's `approval` setting, if any. */
  approval?: ApprovalMode;
  /** Project policy: lowest risk that needs approval (default `high`). */
  threshold?: Risk;
  /** Project policy: whether `approval: auto` may waive a risk-based approval (default true). */
  allowAuto?: boolean;
  /** Project policy: this step's agent or action is one that always waits (e.g. `patcher`). */
  alwaysRequired?: boolean;
}

/**
 * SPEC §5: a step needs approval when the node says `approval: required`, or when its risk
 * reaches the threshold — unless the node says `approval: auto` and the policy allows it — or
 * when the project policy lists the agent or action as always requiring approval.
 */
export function requiresApproval(input: ApprovalDecisionInput): boolean {
  if (input.approval === 'required' || input.alwaysRequired) return true;
  if (!riskAtLeast(input.risk, input.threshold ?? 'high')) return false;
  return !(input.approval === 'auto' && (input.allowAuto ?? true));
}
