/**
 * Extraction of root references (`input.repo`, `nodes.scan.output`, `secrets.TOKEN`) from a
 * JSONata AST. Only names evaluated against the template context count: names inside filters,
 * sort terms and later path steps are relative to the data being navigated and are ignored.
 */
import type jsonata from 'jsonata';

/** One reference to the template context. */
export interface TemplateReference {
  /** The context name: `input`, `nodes`, `item`, ... (or an unknown name, for error reports). */
  root: string;
  /** Literal field names following the root, up to the first non-literal step. */
  names: string[];
  /**
   * True when the step right after the root is not a literal name (`nodes.*`, `nodes[0]`,
   * `$lookup(secrets, x)`, bare `nodes`), so what it reads cannot be known before run time.
   */
  dynamic: boolean;
  /** Character offset in the expression (end of the root token, as JSONata reports it). */
  position: number;
}

/** The jsonata typings miss some node types (`path`, `bind`, `sort`...), so read nodes loosely. */
type AstNode = Record<string, unknown> & { type?: string; value?: unknown; position?: number };

/** Root references of a parsed JSONata expression, in source order. */
export function extractReferences(ast: jsonata.ExprNode): TemplateReference[] {
  const out: TemplateReference[] = [];
  walk(ast, true, out);
  return out.sort((a, b) => a.position - b.position);
}

function walk(node: unknown, atRoot: boolean, out: TemplateReference[]): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, atRoot, out);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const ast = node as AstNode;
  if (ast.type === 'path') {
    walkPath(ast, atRoot, out);
    return;
  }
  if (ast.type === 'name' && atRoot) {
    record([ast], 0, out);
    walkStages(ast, out);
    return;
  }
  for (const [key, child] of Object.entries(ast)) {
    if (key === 'type' || key === 'value' || key === 'position') continue;
    walk(child, atRoot, out);
  }
}

function walkPath(path: AstNode, atRoot: boolean, out: TemplateReference[]): void {
  const steps = (Array.isArray(path.steps) ? path.steps : []) as AstNode[];
  let index = 0;
  let rooted = atRoot;
  const head = steps[0];
  // `$$` is always the root context; a leading `$` is the current context.
  if (head?.type === 'variable' && (head.value === '$' || head.value === '')) {
    if (head.value === '$') rooted = true;
    walkStages(head, out);
    index = 1;
  }
  const first = steps[index];
  if (first !== undefined) {
    if (rooted && first.type === 'name') {
      record(steps, index, out);
      walkStages(first, out);
    } else {
      walk(first, rooted, out);
    }
  }
  for (let i = index + 1; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.type === 'name') walkStages(step, out);
    else walk(step, false, out);
  }
  if (path.group !== undefined) walk(path.group, false, out);
}

/** Filters and other stages of a step are evaluated against the step's own items. */
function walkStages(step: AstNode, out: TemplateReference[]): void {
  for (const [key, child] of Object.entries(step)) {
    if (key === 'type' || key === 'value' || key === 'position') continue;
    walk(child, false, out);
  }
}

function record(steps: AstNode[], index: number, out: TemplateReference[]): void {
  const root = steps[index]!;
  const names: string[] = [];
  let dynamic = hasStages(root);
  for (let i = index + 1; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.type !== 'name') break;
    names.push(String(step.value));
    if (hasStages(step)) break;
  }
  if (names.length === 0) dynamic = true;
  out.push({ root: String(root.value), names, dynamic, position: root.position ?? 0 });
}

function hasStages(step: AstNode): boolean {
  return Array.isArray(step.stages) && step.stages.length > 0;
}
