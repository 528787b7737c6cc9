/**
 * The dependency graph of a workflow: topological order, successors, transitive upstream sets
 * and cycle detection. Edges point from a dependency to its dependant (`scan → notify` when
 * `notify.dependsOn` contains `scan`).
 */

/** The minimal node shape the graph needs. */
export interface DagNode {
  id: string;
  dependsOn: readonly string[];
}

/** A compiled, acyclic dependency graph. */
export interface Dag {
  /** Node ids in a topological order (dependencies first; ties keep document order). */
  readonly order: readonly string[];
  /** Nodes without dependencies, in document order. */
  readonly roots: readonly string[];
  /** Nodes nothing depends on, in document order. */
  readonly leaves: readonly string[];
  /** Direct dependants of a node. */
  successors(id: string): readonly string[];
  /** Direct dependencies of a node. */
  predecessors(id: string): readonly string[];
  /** Every node the given node depends on, directly or transitively (not itself). */
  upstream(id: string): ReadonlySet<string>;
  /** Every node that depends on the given node, directly or transitively (not itself). */
  downstream(id: string): ReadonlySet<string>;
  has(id: string): boolean;
}

/**
 * Builds the graph. Unknown dependency ids are ignored (validation reports them); a cycle throws
 * an Error naming it — validate the workflow first to get a proper problem report.
 */
export function buildDag(nodes: readonly DagNode[]): Dag {
  const ids = nodes.map((n) => n.id);
  const known = new Set(ids);
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const node of nodes) {
    const deps = [...new Set(node.dependsOn)].filter((d) => known.has(d) && d !== node.id);
    preds.set(node.id, deps);
    for (const dep of deps) succs.get(dep)!.push(node.id);
  }
  const cycles = findCycles(nodes);
  if (cycles.length > 0) throw new Error(`dependency cycle: ${formatCycle(cycles[0]!)}`);

  const order: string[] = [];
  const remaining = new Map(ids.map((id) => [id, preds.get(id)!.length]));
  const ready = ids.filter((id) => remaining.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of succs.get(id)!) {
      const left = remaining.get(next)! - 1;
      remaining.set(next, left);
      if (left === 0) insertInDocumentOrder(ready, next, ids);
    }
  }

  const upstreamCache = new Map<string, Set<string>>();
  const downstreamCache = new Map<string, Set<string>>();

  return {
    order,
    roots: ids.filter((id) => preds.get(id)!.length === 0),
    leaves: ids.filter((id) => succs.get(id)!.length === 0),
    successors: (id) => succs.get(id) ?? [],
    predecessors: (id) => preds.get(id) ?? [],
    upstream: (id) => memo(upstreamCache, id, () => closure(id, preds)),
    downstream: (id) => memo(downstreamCache, id, () => closure(id, succs)),
    has: (id) => known.has(id),
  };
}

/**
 * Finds dependency cycles (self-dependencies excluded): each back edge of a depth-first search
 * yields one cycle, and cycles over the same set of nodes are reported once. Each cycle lists ids following `dependsOn` edges and ends with its first id:
 * `['a', 'b', 'c', 'a']` means a depends on b, b on c, c on a.
 */
export function findCycles(nodes: readonly DagNode[]): string[][] {
  const deps = new Map<string, string[]>();
  for (const node of nodes) {
    if (!deps.has(node.id)) deps.set(node.id, []);
    for (const dep of node.dependsOn) {
      if (dep !== node.id && !deps.get(node.id)!.includes(dep)) deps.get(node.id)!.push(dep);
    }
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'active');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'active') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of deps.keys()) if (!state.has(id)) visit(id);
  return dedupeCycles(cycles);
}

/**
 * Transitive dependencies of every node, tolerating unknown ids and cycles (a node on a cycle is
 * its own upstream). For validation; the engine uses {@link buildDag}.
 */
export function upstreamSets(nodes: readonly DagNode[]): Map<string, Set<string>> {
  const preds = new Map<string, string[]>();
  for (const node of nodes) {
    if (!preds.has(node.id)) preds.set(node.id, [...node.dependsOn]);
  }
  return new Map([...preds.keys()].map((id) => [id, closure(id, preds)]));
}

/** `a → b → c → a`. */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' → ');
}

/** Keeps one cycle per set of member nodes (the DFS can meet the same loop twice). */
function dedupeCycles(cycles: string[][]): string[][] {
  const seen = new Set<string>();
  return cycles.filter((cycle) => {
    const key = [...new Set(cycle)].sort().join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function insertInDocumentOrder(queue: string[], id: string, ids: readonly string[]): void {
  const rank = ids.indexOf(id);
  const at = queue.findIndex((q) => ids.indexOf(q) > rank);
  if (at < 0) queue.push(id);
  else queue.splice(at, 0, id);
}

function closure(start: string, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(start) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
  return seen;
}

function memo<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}
