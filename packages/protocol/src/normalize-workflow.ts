/**
 * Normalization of a valid workflow document: defaults applied, durations in milliseconds,
 * triggers discriminated by `kind`. Only called once validation found no problem.
 */
import { parseDuration } from './duration.js';
import type { JsonSchema } from './json-schema.js';
import type {
  RetryPolicy,
  WorkflowDefinition,
  WorkflowDocument,
  WorkflowNode,
  WorkflowNodeDocument,
  WorkflowTrigger,
  WorkflowTriggerDocument,
} from './workflow-types.js';
import { workflowDefaults } from './workflow-types.js';

/** Builds the {@link WorkflowDefinition} of a document that passed validation. */
export function normalizeWorkflow(doc: WorkflowDocument): WorkflowDefinition {
  const workflow: WorkflowDefinition = {
    name: doc.name,
    triggers: (doc.triggers ?? []).map(normalizeTrigger),
    nodes: doc.nodes.map(normalizeNode),
    source: doc,
  };
  if (doc.description !== undefined) workflow.description = doc.description;
  if (doc.inputs !== undefined) workflow.inputs = doc.inputs as JsonSchema;
  if (doc.concurrency !== undefined) workflow.concurrency = { ...doc.concurrency };
  if (doc.timeout !== undefined) workflow.timeoutMs = ms(doc.timeout);
  if (doc.ui !== undefined) workflow.ui = doc.ui;
  return workflow;
}

function normalizeNode(node: WorkflowNodeDocument, index: number): WorkflowNode {
  const out: WorkflowNode = {
    id: node.id,
    index,
    agent: node.agent,
    action: node.action,
    inputs: node.inputs ?? {},
    dependsOn: [...new Set(node.dependsOn ?? [])],
    retry: normalizeRetry(node.retry),
    onFailure: node.onFailure ?? workflowDefaults.onFailure,
  };
  if (node.description !== undefined) out.description = node.description;
  if (node.when !== undefined) out.when = node.when;
  if (node.forEach !== undefined) out.forEach = node.forEach;
  if (node.timeout !== undefined) out.timeoutMs = ms(node.timeout);
  if (node.approval !== undefined) out.approval = node.approval;
  if (node.approvalTimeout !== undefined) out.approvalTimeoutMs = ms(node.approvalTimeout);
  return out;
}

/**
 * Retry defaults: 1 attempt, exponential, 1s delay. `maxDelay` defaults to 60s, or to the delay
 * when a longer delay is configured (so `delay: 2m` is not silently capped to 1m).
 */
export function normalizeRetry(retry: WorkflowNodeDocument['retry']): RetryPolicy {
  const defaults = workflowDefaults.retry;
  const delayMs = retry?.delay !== undefined ? ms(retry.delay) : defaults.delayMs;
  const maxDelayMs =
    retry?.maxDelay !== undefined ? ms(retry.maxDelay) : Math.max(defaults.maxDelayMs, delayMs);
  return {
    attempts: retry?.attempts ?? defaults.attempts,
    backoff: retry?.backoff ?? defaults.backoff,
    delayMs,
    maxDelayMs,
  };
}

function normalizeTrigger(trigger: WorkflowTriggerDocument, index: number): WorkflowTrigger {
  const when = trigger.when !== undefined ? { when: trigger.when } : {};
  if (trigger.event !== undefined) return { kind: 'event', index, event: trigger.event, ...when };
  if (trigger.cron !== undefined) {
    const zone = trigger.timezone !== undefined ? { timezone: trigger.timezone } : {};
    const catchUp = trigger.catchUp ?? workflowDefaults.catchUp;
    return { kind: 'cron', index, cron: trigger.cron, ...zone, catchUp };
  }
  if (trigger.webhook !== undefined) {
    const auth = trigger.auth ?? workflowDefaults.webhookAuth;
    return { kind: 'webhook', index, webhook: trigger.webhook, auth, ...when };
  }
  if (trigger.alert !== undefined)
    return { kind: 'alert', index, alert: { ...trigger.alert }, ...when };
  if (trigger.action !== undefined) return { kind: 'action', index, action: trigger.action };
  return { kind: 'manual', index };
}

function ms(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error(`normalizeWorkflow: invalid duration "${duration}"`);
  return value;
}
