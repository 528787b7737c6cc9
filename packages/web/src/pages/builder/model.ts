/**
 * The builder's model: the workflow document itself (SPEC §2), edited through pure functions.
 * The canvas, the forms and the YAML tab all read and write this one value, so the three views
 * never disagree and undo/redo is a stack of documents. Layout lives in `ui.positions`, which the
 * hub keeps verbatim, so YAML ⇄ builder round-trips losslessly.
 */
import {
  isValidNodeId,
  type WorkflowDocument,
  type WorkflowNodeDocument,
} from '@commandcenter/protocol/client';

export type Doc = WorkflowDocument;
export type NodeDoc = WorkflowNodeDocument;
export type Position = { x: number; y: number };

/** A fresh document for `/workflows/new`. */
export function emptyDoc(): Doc {
  return { name: '', nodes: [] };
}

/** The nodes of a document that the canvas can show (an object with a string id, first of its id). */
export function canvasNodes(doc: Doc): NodeDoc[] {
  const seen = new Set<string>();
  const out: NodeDoc[] = [];
  for (const n of Array.isArray(doc.nodes) ? doc.nodes : []) {
    if (!n || typeof n !== 'object' || typeof n.id !== 'string' || seen.has(n.id)) continue;
    seen.add(n.id);
    out.push(n);
  }
  return out;
}

export function findNode(doc: Doc, id: string): NodeDoc | undefined {
  return canvasNodes(doc).find((n) => n.id === id);
}

/** The dependencies of a node that name nodes of the canvas. */
export function depsOf(node: NodeDoc): string[] {
  return Array.isArray(node.dependsOn) ? node.dependsOn.filter((d) => typeof d === 'string') : [];
}

/** A valid, unused node id derived from an action name: `fetch`, `fetch_2`, `send_email`… */
export function deriveNodeId(action: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let base = action.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'node';
  if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
  base = base.slice(0, 58);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Adds a node for `agent.action` at `position`; returns the new document and the node's id. */
export function addNode(
  doc: Doc,
  agent: string,
  action: string,
  position: Position,
): { doc: Doc; id: string } {
  const id = deriveNodeId(
    action,
    canvasNodes(doc).map((n) => n.id),
  );
  const node: NodeDoc = { id, agent, action, inputs: {} };
  const next = { ...doc, nodes: [...(Array.isArray(doc.nodes) ? doc.nodes : []), node] };
  return { doc: setPositions(next, { [id]: position }), id };
}

/** Replaces one node (by id) with `update(node)`. */
export function updateNode(doc: Doc, id: string, update: (n: NodeDoc) => NodeDoc): Doc {
  return { ...doc, nodes: doc.nodes.map((n) => (n?.id === id ? update(n) : n)) };
}

/** Sets a key of an object, deleting it when `value` is undefined (no `key: null` left behind). */
export function setKey<T extends object>(obj: T, key: keyof T & string, value: unknown): T {
  const next = { ...obj } as Record<string, unknown>;
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next as T;
}

/** Removes nodes, the dependencies on them and their positions. */
export function removeNodes(doc: Doc, ids: readonly string[]): Doc {
  const gone = new Set(ids);
  const nodes = doc.nodes
    .filter((n) => !gone.has(n?.id))
    .map((n) => {
      const deps = depsOf(n);
      if (!deps.some((d) => gone.has(d))) return n;
      return withDeps(
        n,
        deps.filter((d) => !gone.has(d)),
      );
    });
  const positions = { ...(doc.ui?.positions ?? {}) };
  for (const id of ids) delete positions[id];
  return withPositions({ ...doc, nodes }, positions);
}

function withDeps(node: NodeDoc, deps: string[]): NodeDoc {
  return setKey(node, 'dependsOn', deps.length ? deps : undefined);
}

/** All nodes upstream of `id` (its dependencies, theirs, and so on). */
export function ancestors(doc: Doc, id: string): Set<string> {
  const byId = new Map(canvasNodes(doc).map((n) => [n.id, n]));
  const out = new Set<string>();
  const stack = [...depsOf(byId.get(id) ?? ({} as NodeDoc))];
  while (stack.length) {
    const d = stack.pop()!;
    if (out.has(d)) continue;
    out.add(d);
    const n = byId.get(d);
    if (n) stack.push(...depsOf(n));
  }
  return out;
}

/** All nodes downstream of `id` (its dependants, theirs, and so on). */
export function descendants(doc: Doc, id: string): Set<string> {
  const dependants = new Map<string, string[]>();
  for (const n of canvasNodes(doc)) {
    for (const d of depsOf(n)) dependants.set(d, [...(dependants.get(d) ?? []), n.id]);
  }
  const out = new Set<string>();
  const stack = [...(dependants.get(id) ?? [])];
  while (stack.length) {
    const n = stack.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    stack.push(...(dependants.get(n) ?? []));
  }
  return out;
}

export type ConnectResult = { ok: true; doc: Doc } | { ok: false; reason: string };

/** Makes `target` depend on `source`, refusing self-loops, duplicates and cycles. */
export function connect(doc: Doc, source: string, target: string): ConnectResult {
  if (source === target) return { ok: false, reason: 'A node cannot depend on itself.' };
  const node = findNode(doc, target);
  if (!node) return { ok: false, reason: `There is no node "${target}".` };
  const deps = depsOf(node);
  if (deps.includes(source))
    return { ok: false, reason: `"${target}" already depends on "${source}".` };
  if (ancestors(doc, source).has(target)) {
    return {
      ok: false,
      reason: `"${target}" cannot depend on "${source}": "${source}" already runs after "${target}", so this would make a cycle.`,
    };
  }
  return { ok: true, doc: updateNode(doc, target, (n) => withDeps(n, [...deps, source])) };
}

/** Removes the dependency of `target` on `source`. */
export function disconnect(doc: Doc, source: string, target: string): Doc {
  return updateNode(doc, target, (n) =>
    withDeps(
      n,
      depsOf(n).filter((d) => d !== source),
    ),
  );
}

/** Why `to` cannot be the new id of node `from` (undefined when it can). */
export function renameProblem(doc: Doc, from: string, to: string): string | undefined {
  if (to === from) return undefined;
  if (!isValidNodeId(to)) {
    return 'Use letters, digits and underscores, starting with a letter or an underscore (max 64).';
  }
  if (canvasNodes(doc).some((n) => n.id === to)) return `Another node is already called "${to}".`;
  return undefined;
}

/**
 * Renames a node and every reference to it: `dependsOn`, its position, and `nodes.<old>`
 * inside the templates of the other nodes.
 */
export function renameNode(doc: Doc, from: string, to: string): Doc {
  const ref = new RegExp(`\\bnodes\\.${from}(?![A-Za-z0-9_])`, 'g');
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('{{') ? v.replace(ref, `nodes.${to}`) : v;
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
    }
    return v;
  };
  const nodes = doc.nodes.map((n) => {
    if (!n || typeof n !== 'object') return n;
    let next: NodeDoc = n.id === from ? { ...n, id: to } : n;
    const deps = depsOf(next);
    if (deps.includes(from))
      next = withDeps(
        next,
        deps.map((d) => (d === from ? to : d)),
      );
    for (const key of ['inputs', 'when', 'forEach'] as const) {
      if (next[key] !== undefined) next = setKey(next, key, rewrite(next[key]));
    }
    return next;
  });
  const positions = { ...(doc.ui?.positions ?? {}) };
  if (positions[from]) {
    positions[to] = positions[from];
    delete positions[from];
  }
  return withPositions({ ...doc, nodes }, positions);
}

/** Merges positions into `ui.positions` (rounded: the YAML stays readable). */
export function setPositions(doc: Doc, positions: Record<string, Position>): Doc {
  const merged = { ...(doc.ui?.positions ?? {}) };
  for (const [id, p] of Object.entries(positions))
    merged[id] = { x: Math.round(p.x), y: Math.round(p.y) };
  return withPositions(doc, merged);
}

function withPositions(doc: Doc, positions: Record<string, Position>): Doc {
  const ui = { ...(doc.ui ?? {}) };
  if (Object.keys(positions).length) ui.positions = positions;
  else delete ui.positions;
  return setKey(doc, 'ui', Object.keys(ui).length ? ui : undefined);
}

const docOrder = [
  'name',
  'description',
  'inputs',
  'triggers',
  'concurrency',
  'timeout',
  'nodes',
  'ui',
];
const nodeOrder = [
  'id',
  'agent',
  'action',
  'description',
  'dependsOn',
  'when',
  'forEach',
  'inputs',
  'retry',
  'timeout',
  'approval',
  'approvalTimeout',
  'onFailure',
];
const retryOrder = ['attempts', 'backoff', 'delay', 'maxDelay'];

function ordered<T extends object>(obj: T, order: string[]): T {
  const entries = Object.entries(obj);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b))) as T;
}

/**
 * The document with its keys in the order people write them (the hub stores documents as JSON,
 * which does not keep key order), so the YAML tab reads like SPEC §2.
 */
export function orderDocKeys(doc: Doc): Doc {
  const out = ordered(doc, docOrder);
  if (Array.isArray(out.nodes)) {
    out.nodes = out.nodes.map((n) => {
      if (!n || typeof n !== 'object') return n;
      const node = ordered(n, nodeOrder);
      if (node.retry && typeof node.retry === 'object')
        node.retry = ordered(node.retry, retryOrder);
      return node;
    });
  }
  return out;
}

/** JSON with sorted keys: two documents are the same when these are equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
