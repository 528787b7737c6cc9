/**
 * Graph checks of a workflow: unique node ids, known dependencies, no self-dependency, no cycle.
 */
import { findCycles, formatCycle } from './dag.js';
import { didYouMean } from './did-you-mean.js';
import {
  nodeLabel,
  nodePath,
  report,
  type CheckContext,
  type NodeEntry,
} from './workflow-check-context.js';

/** String entries of a node's `dependsOn` with their positions. */
export function dependencyEntries(node: NodeEntry): Array<{ id: string; position: number }> {
  const list = Array.isArray(node.raw.dependsOn) ? node.raw.dependsOn : [];
  return list.flatMap((id, position) => (typeof id === 'string' ? [{ id, position }] : []));
}

/** Runs the graph checks. */
export function checkGraph(ctx: CheckContext): void {
  checkDuplicateIds(ctx);
  checkDependencies(ctx);
  checkCycles(ctx);
}

function checkDuplicateIds(ctx: CheckContext): void {
  for (const node of ctx.nodes) {
    if (node.id === undefined) continue;
    const first = ctx.byId.get(node.id)!;
    if (first === node) continue;
    report(
      ctx,
      'CC_E_WORKFLOW_DUPLICATE_NODE_ID',
      nodePath(node, 'id'),
      `Node id "${node.id}" is used by nodes[${first.index}] and nodes[${node.index}].`,
      `Rename one of them (e.g. "${node.id}_${node.index}") and update the dependsOn lists and nodes.${node.id} references that meant it.`,
    );
  }
}

function checkDependencies(ctx: CheckContext): void {
  // Ids that exist even if malformed: a malformed id is reported once, on the node itself.
  const existing = new Set(
    ctx.nodes.flatMap((n) => (typeof n.raw.id === 'string' ? [n.raw.id] : [])),
  );
  for (const node of ctx.nodes) {
    for (const { id, position } of dependencyEntries(node)) {
      const path = nodePath(node, 'dependsOn', position);
      if (id === node.raw.id) {
        report(
          ctx,
          'CC_E_WORKFLOW_SELF_DEPENDENCY',
          path,
          `${nodeLabel(node)} depends on itself.`,
          `Remove "${id}" from the dependsOn list of node "${id}".`,
        );
      } else if (!existing.has(id)) {
        report(
          ctx,
          'CC_E_WORKFLOW_UNKNOWN_DEPENDENCY',
          path,
          `${nodeLabel(node)} depends on "${id}", which is not a node of this workflow.`,
          `${didYouMean(id, existing)}Use one of: ${[...existing].join(', ')}.`,
        );
      }
    }
  }
}

function checkCycles(ctx: CheckContext): void {
  const graph = [...ctx.byId.values()].map((node) => ({
    id: node.id!,
    dependsOn: dependencyEntries(node).map((d) => d.id),
  }));
  for (const cycle of findCycles(graph)) {
    const [first, second] = cycle;
    const node = ctx.byId.get(first!)!;
    const edge = dependencyEntries(node).find((d) => d.id === second)!;
    report(
      ctx,
      'CC_E_WORKFLOW_CYCLE',
      nodePath(node, 'dependsOn', edge.position),
      `Dependency cycle: ${formatCycle(cycle)} (each node depends on the next).`,
      `Remove one dependsOn edge of the cycle, e.g. "${second}" from the dependsOn list of node "${first}".`,
    );
  }
}
