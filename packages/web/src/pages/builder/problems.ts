/**
 * Where the hub's validation problems belong. A problem's `path` (`nodes[1].inputs.files`,
 * `nodes[2].dependsOn[0]`, `triggers[0].cron`) names a node by its index in the document the hub
 * checked: it is mapped to that node's id, and the rest of the path to the field of the node
 * panel (or of the workflow panel) that shows it.
 */
import type { Problem } from '@commandcenter/protocol/client';
import type { Doc } from './model.js';

export interface Located {
  problem: Problem;
  severity: 'error' | 'warning';
  /** The node it concerns, when it concerns one. */
  nodeId?: string;
  /** Path of the field inside the node (`inputs.files`, `retry.attempts`) or inside the workflow. */
  field: string;
}

export interface LocatedProblems {
  all: Located[];
  byNode: Map<string, Located[]>;
  workflow: Located[];
  errors: number;
}

const nodePath = /^nodes\[(\d+)\](.*)$/;

/** Maps problems (and `CC_W_` warnings) found in `doc` to nodes and fields. */
export function locateProblems(
  doc: Doc,
  errors: Problem[],
  warnings: Problem[] = [],
): LocatedProblems {
  const all: Located[] = [];
  const byNode = new Map<string, Located[]>();
  const workflow: Located[] = [];
  const add = (problem: Problem, severity: Located['severity']) => {
    const m = nodePath.exec(problem.path);
    const node = m ? (Array.isArray(doc.nodes) ? doc.nodes[Number(m[1])] : undefined) : undefined;
    const nodeId = node && typeof node.id === 'string' ? node.id : undefined;
    const located: Located =
      m && nodeId !== undefined
        ? { problem, severity, nodeId, field: m[2]!.replace(/^\./, '') }
        : { problem, severity, field: problem.path };
    all.push(located);
    if (located.nodeId === undefined) workflow.push(located);
    else byNode.set(located.nodeId, [...(byNode.get(located.nodeId) ?? []), located]);
  };
  for (const p of errors) add(p, 'error');
  for (const p of warnings) add(p, 'warning');
  return { all, byNode, workflow, errors: errors.length };
}

/** The problems of exactly `field`, or inside it (`inputs.to` shows those of `inputs.to[0]`). */
export function problemsAt(list: readonly Located[] | undefined, field: string): Located[] {
  if (!list) return [];
  return list.filter(
    (l) => l.field === field || l.field.startsWith(`${field}.`) || l.field.startsWith(`${field}[`),
  );
}

export const noProblems: LocatedProblems = { all: [], byNode: new Map(), workflow: [], errors: 0 };

/** The DOM id of the control of `field` (of a node, or of the workflow), to focus it from a problem. */
export function fieldDomId(nodeId: string | undefined, field: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, (c) => `-${c.charCodeAt(0)}-`);
  return `bf-${nodeId === undefined ? 'workflow' : `n-${safe(nodeId)}`}-${safe(field || 'root')}`;
}
