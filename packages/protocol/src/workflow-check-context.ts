/**
 * Shared state of the semantic workflow checks: the raw document (already known to be an
 * object), its nodes seen defensively (the document may be structurally invalid), and the
 * problem and warning lists every check appends to.
 */
import type { AgentManifest } from './agent-types.js';
import { problem, type ErrorCode, type Problem } from './errors.js';
import { isValidNodeId } from './names.js';
import { formatPath, isRecord, type PathSegment } from './path.js';

/** Options of `validateWorkflow`. */
export interface ValidateWorkflowOptions {
  /** Looks up a registered agent; when given, unknown agents/actions and literal inputs are checked. */
  agents?: (name: string) => AgentManifest | undefined;
  /** Registered agent names, for "did you mean" suggestions on unknown agents. */
  agentNames?: Iterable<string>;
}

/** A node of the raw document. */
export interface NodeEntry {
  index: number;
  raw: Record<string, unknown>;
  /** The id when it is a valid identifier (invalid ids are reported and not used further). */
  id: string | undefined;
}

/** State passed to every check. */
export interface CheckContext {
  doc: Record<string, unknown>;
  nodes: NodeEntry[];
  /** Valid ids, first occurrence → node. */
  byId: Map<string, NodeEntry>;
  options: ValidateWorkflowOptions;
  problems: Problem[];
  warnings: Problem[];
}

/** Creates the context of one validation. */
export function createCheckContext(
  doc: Record<string, unknown>,
  options: ValidateWorkflowOptions,
): CheckContext {
  const list = Array.isArray(doc.nodes) ? doc.nodes : [];
  const nodes: NodeEntry[] = [];
  list.forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const id = typeof raw.id === 'string' && isValidNodeId(raw.id) ? raw.id : undefined;
    nodes.push({ index, raw, id });
  });
  const byId = new Map<string, NodeEntry>();
  for (const node of nodes)
    if (node.id !== undefined && !byId.has(node.id)) byId.set(node.id, node);
  return { doc, nodes, byId, options, problems: [], warnings: [] };
}

/** Path of a field of a node: `nodes[2].retry.attempts`. */
export function nodePath(node: NodeEntry, ...segments: PathSegment[]): string {
  return formatPath(['nodes', node.index, ...segments]);
}

/** `Node "scan"` (or `nodes[2]` when the node has no usable id), for messages. */
export function nodeLabel(node: NodeEntry): string {
  return node.id !== undefined ? `Node "${node.id}"` : `nodes[${node.index}]`;
}

/** Appends a problem. */
export function report(
  ctx: CheckContext,
  code: ErrorCode,
  path: string,
  message: string,
  fix?: string,
): void {
  ctx.problems.push(problem(code, path, message, fix));
}

/** Appends a warning. */
export function warn(
  ctx: CheckContext,
  code: ErrorCode,
  path: string,
  message: string,
  fix?: string,
): void {
  ctx.warnings.push(problem(code, path, message, fix));
}
