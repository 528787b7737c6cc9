import {
  buildDag,
  hasDynamicNodeReference,
  nodeReferences,
  type WorkflowDefinition,
} from '@commandcenter/protocol';

/** One step row as `cc_create_run` expects it. */
export interface PlannedStep {
  key: string;
  agent: string;
  action: string;
  deps: number;
  successors: string[];
  refs: string[];
  on_failure: 'fail' | 'continue';
  max_attempts: number;
  retry: { backoff: string; delayMs: number; maxDelayMs: number };
  reused?: boolean;
  output?: unknown;
}

const plans = new WeakMap<WorkflowDefinition, PlannedStep[]>();

/**
 * The step rows of a fresh run of `def` (memoized per definition object: definitions are
 * immutable and cached by the catalog).
 */
export function planSteps(def: WorkflowDefinition): PlannedStep[] {
  let plan = plans.get(def);
  if (plan) return plan;
  const successors = new Map<string, string[]>(def.nodes.map((n) => [n.id, []]));
  for (const n of def.nodes) for (const d of n.dependsOn) successors.get(d)?.push(n.id);
  const dag = buildDag(def.nodes);
  plan = def.nodes.map((n) => ({
    key: n.id,
    agent: n.agent,
    action: n.action,
    deps: n.dependsOn.length,
    successors: successors.get(n.id) ?? [],
    // A dynamic read ($keys(nodes), $lookup(nodes, x)) may touch any upstream node.
    refs: hasDynamicNodeReference(n) ? [...dag.upstream(n.id)] : nodeReferences(n),
    on_failure: n.onFailure,
    max_attempts: n.retry.attempts,
    retry: { backoff: n.retry.backoff, delayMs: n.retry.delayMs, maxDelayMs: n.retry.maxDelayMs },
  }));
  plans.set(def, plan);
  return plan;
}

/**
 * The step rows of a re-run that reuses succeeded outputs of an earlier run. A node is reused
 * when it succeeded before, its definition is unchanged, and everything it depends on is reused
 * too; the others run again.
 */
export function planRerun(
  def: WorkflowDefinition,
  previous: WorkflowDefinition,
  succeeded: Map<string, unknown>,
): PlannedStep[] {
  const before = new Map(previous.nodes.map((n) => [n.id, JSON.stringify(n)]));
  const reused = new Set<string>();
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const visit = (id: string): boolean => {
    if (reused.has(id)) return true;
    const n = byId.get(id);
    if (!n || !succeeded.has(id) || before.get(id) !== JSON.stringify(n)) return false;
    if (!n.dependsOn.every(visit)) return false;
    reused.add(id);
    return true;
  };
  def.nodes.forEach((n) => visit(n.id));
  return planSteps(def).map((s) => {
    const node = byId.get(s.key)!;
    if (reused.has(s.key)) return { ...s, reused: true, output: succeeded.get(s.key) };
    return { ...s, deps: node.dependsOn.filter((d) => !reused.has(d)).length };
  });
}
