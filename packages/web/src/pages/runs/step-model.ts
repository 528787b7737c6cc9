import type { RunDetail, StepDetail, WorkflowDefinition } from '@commandcenter/protocol/client';
import { dagStatus, type DagStatus } from './run-status.js';

/**
 * What the DAG, the timeline and the step panel show about each node of a run: the node as the
 * workflow version defines it, joined with its step (and, for a `forEach` node, its item steps).
 */
export interface NodeView {
  id: string;
  agent: string | null;
  action: string | null;
  dependsOn: string[];
  /** The node's own step (its key is the node id); absent until the run plans it. */
  step: StepDetail | undefined;
  status: DagStatus;
  /** `forEach` nodes: how many items ended well, out of how many. */
  items: { done: number; total: number; failed: number } | null;
  /** The next attempt waits for its backoff after a failed one. */
  retrying: boolean;
}

const ENDED_OK = new Set(['succeeded', 'skipped']);
const ENDED_BAD = new Set(['failed', 'timed_out', 'cancelled']);

export function nodeViews(run: RunDetail, def: WorkflowDefinition | undefined): NodeView[] {
  const byKey = new Map<string, StepDetail>();
  const itemsOf = new Map<string, StepDetail[]>();
  for (const s of run.steps) {
    byKey.set(s.key, s);
    if (s.parentKey !== null) {
      const list = itemsOf.get(s.parentKey) ?? [];
      list.push(s);
      itemsOf.set(s.parentKey, list);
    }
  }
  // Without the definition (still loading, or a version no longer readable), the steps alone
  // give the nodes, without edges.
  const nodes =
    def?.nodes.map((n) => ({
      id: n.id,
      agent: n.agent,
      action: n.action,
      dependsOn: n.dependsOn,
    })) ??
    run.steps
      .filter((s) => s.parentKey === null)
      .map((s) => ({ id: s.nodeId, agent: s.agent, action: s.action, dependsOn: [] as string[] }));
  return nodes.map((n) => {
    const step = byKey.get(n.id);
    const items = itemsOf.get(n.id);
    return {
      ...n,
      agent: step?.agent ?? n.agent,
      action: step?.action ?? n.action,
      step,
      status: dagStatus(step?.status),
      items: items
        ? {
            total: items.length,
            done: items.filter((i) => ENDED_OK.has(i.status)).length,
            failed: items.filter((i) => ENDED_BAD.has(i.status)).length,
          }
        : null,
      retrying: step?.status === 'ready' && step.attempts.length > 0,
    };
  });
}

/** Item steps of a `forEach` step, in item order. */
export function itemSteps(run: RunDetail, key: string): StepDetail[] {
  return run.steps
    .filter((s) => s.parentKey === key)
    .sort((a, b) => (a.itemIndex ?? 0) - (b.itemIndex ?? 0));
}

/** Counts of nodes per status (the legend shows them). */
export function statusCounts(nodes: NodeView[]): Map<DagStatus, number> {
  const counts = new Map<DagStatus, number>();
  for (const n of nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  return counts;
}
