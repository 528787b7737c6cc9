/**
 * Which upstream outputs a node reads, so the engine loads only those into its template context.
 */
import { checkTemplates, templateExpressions } from './template.js';
import type { WorkflowNode } from './workflow-types.js';

/**
 * Ids of the nodes whose output a node's templates (`inputs`, `when`, `forEach`) reference
 * literally (`nodes.<id>…`), sorted and unique. Dynamic reads such as `$keys(nodes)` cannot be
 * listed (validation warns about them with `CC_W_TEMPLATE_DYNAMIC_REF`); see
 * {@link hasDynamicNodeReference}.
 */
export function nodeReferences(node: Pick<WorkflowNode, 'inputs' | 'when' | 'forEach'>): string[] {
  const ids = new Set<string>();
  for (const ref of references(node)) {
    if (ref.root === 'nodes' && !ref.dynamic && ref.names[0] !== undefined) ids.add(ref.names[0]);
  }
  return [...ids].sort();
}

/** Whether a node reads `nodes` without a literal id (then give it every upstream output). */
export function hasDynamicNodeReference(
  node: Pick<WorkflowNode, 'inputs' | 'when' | 'forEach'>,
): boolean {
  return references(node).some((ref) => ref.root === 'nodes' && ref.dynamic);
}

function references(node: Pick<WorkflowNode, 'inputs' | 'when' | 'forEach'>) {
  const values = [
    node.inputs,
    node.when,
    typeof node.forEach === 'string' ? node.forEach : undefined,
  ];
  return values.flatMap((value) =>
    value === undefined
      ? []
      : templateExpressions(checkTemplates(value).compiled).flatMap(({ expr }) => expr.references),
  );
}
