/**
 * `{{ JSONata }}` templates in node inputs, `when`, `forEach` and concurrency keys.
 *
 * Rules:
 * - a string that is exactly one `{{ expr }}` (surrounding whitespace allowed) yields the typed
 *   value of the expression (number, object, array, boolean, string, null);
 * - templates embedded in text are stringified: strings as is, numbers/booleans/null as text,
 *   objects and arrays as JSON;
 * - objects and arrays are resolved recursively; keys are never templates;
 * - an expression that evaluates to nothing (a missing field, a skipped node) fails with
 *   `CC_E_TEMPLATE_MISSING_REF` — the literal `{{ … }}` or `"undefined"` is never produced;
 *   any other evaluation failure is `CC_E_TEMPLATE_EVAL`.
 */
import { CCError, problem, type Problem } from './errors.js';
import { joinPath } from './path.js';
import { compileExpression, type CompiledExpression } from './template-expression.js';
import { splitTemplate, type TemplatePart } from './template-syntax.js';
import { evaluateExpression, type TemplateContext } from './template-evaluate.js';

export { evaluateCondition, evaluateForEach, type TemplateContext } from './template-evaluate.js';

/** A value whose templates are parsed and ready to resolve. */
export type CompiledTemplate =
  | { kind: 'literal'; value: unknown }
  | { kind: 'whole'; path: string; source: string; expr: CompiledExpression }
  | { kind: 'text'; path: string; source: string; parts: Array<string | CompiledExpression> }
  | { kind: 'object'; entries: Array<[string, CompiledTemplate]> }
  | { kind: 'array'; items: CompiledTemplate[] };

/**
 * Result of {@link checkTemplates}: every syntax problem found, and the compiled value in which
 * malformed strings are kept as literals (so their valid neighbours can still be inspected).
 */
export interface TemplateCheck {
  compiled: CompiledTemplate;
  problems: Problem[];
}

/**
 * Parses every template inside `value` (strings, recursively in objects and arrays) and
 * reports all syntax errors as `CC_E_TEMPLATE_SYNTAX` problems located under `path`.
 */
export function checkTemplates(value: unknown, path = 'inputs'): TemplateCheck {
  const problems: Problem[] = [];
  const compiled = compileNode(value, path, problems);
  return { compiled, problems };
}

/**
 * Parses every template inside `value`; throws `CCError('CC_E_TEMPLATE_SYNTAX')` with all
 * problems when one is malformed. `path` names `value` in error messages (default `inputs`).
 */
export function compileTemplates(value: unknown, path = 'inputs'): CompiledTemplate {
  const { compiled, problems } = checkTemplates(value, path);
  if (problems.length > 0) throw new CCError('CC_E_TEMPLATE_SYNTAX', { problems });
  return compiled;
}

/** Resolves a compiled value against a context (see the module rules). */
export async function resolveTemplates(
  compiled: CompiledTemplate,
  context: TemplateContext,
): Promise<unknown> {
  switch (compiled.kind) {
    case 'literal':
      return structuredClone(compiled.value);
    case 'whole':
      return evaluateExpression(compiled.expr, context, compiled.path);
    case 'text': {
      let out = '';
      for (const part of compiled.parts) {
        out +=
          typeof part === 'string'
            ? part
            : stringify(await evaluateExpression(part, context, compiled.path));
      }
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of compiled.entries)
        out[key] = await resolveTemplates(child, context);
      return out;
    }
    case 'array': {
      const out: unknown[] = [];
      for (const item of compiled.items) out.push(await resolveTemplates(item, context));
      return out;
    }
  }
}

/** Names of the secrets (`secrets.NAME`) referenced anywhere in compiled values, sorted. */
export function referencedSecrets(...compiled: CompiledTemplate[]): string[] {
  const names = new Set<string>();
  const visit = (node: CompiledTemplate): void => {
    const expressions =
      node.kind === 'whole'
        ? [node.expr]
        : node.kind === 'text'
          ? node.parts.filter((p): p is CompiledExpression => typeof p !== 'string')
          : [];
    for (const expr of expressions) {
      for (const ref of expr.references) {
        if (ref.root === 'secrets' && ref.names[0] !== undefined) names.add(ref.names[0]);
      }
    }
    if (node.kind === 'object') node.entries.forEach(([, child]) => visit(child));
    if (node.kind === 'array') node.items.forEach(visit);
  };
  compiled.forEach(visit);
  return [...names].sort();
}

/** Every compiled expression inside a compiled value, with the path of its string. */
export function templateExpressions(
  compiled: CompiledTemplate,
): Array<{ path: string; expr: CompiledExpression }> {
  switch (compiled.kind) {
    case 'literal':
      return [];
    case 'whole':
      return [{ path: compiled.path, expr: compiled.expr }];
    case 'text':
      return compiled.parts
        .filter((p): p is CompiledExpression => typeof p !== 'string')
        .map((expr) => ({ path: compiled.path, expr }));
    case 'object':
      return compiled.entries.flatMap(([, child]) => templateExpressions(child));
    case 'array':
      return compiled.items.flatMap(templateExpressions);
  }
}

/** Text form of an embedded template value. */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function compileNode(value: unknown, path: string, problems: Problem[]): CompiledTemplate {
  if (typeof value === 'string') return compileString(value, path, problems);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileNode(item, joinPath(path, i), problems));
    return items.every((i) => i.kind === 'literal')
      ? { kind: 'literal', value }
      : { kind: 'array', items };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, child]): [string, CompiledTemplate] => [
      key,
      compileNode(child, joinPath(path, key), problems),
    ]);
    return entries.every(([, c]) => c.kind === 'literal')
      ? { kind: 'literal', value }
      : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

function compileString(text: string, path: string, problems: Problem[]): CompiledTemplate {
  if (!text.includes('{{')) return { kind: 'literal', value: text };
  const split = splitTemplate(text);
  if (!split.ok) {
    problems.push(syntaxProblem(path, text, split.message));
    return { kind: 'literal', value: text };
  }
  const whole = text.trim().startsWith('{{') && split.parts.filter(isNonBlank).length === 1;
  const parts: Array<string | CompiledExpression> = [];
  for (const part of split.parts) {
    if (part.kind === 'text') {
      if (!whole) parts.push(part.text);
      continue;
    }
    const result = compileExpression(part.expr);
    if (!result.ok) {
      const at =
        result.position === undefined ? '' : ` near character ${part.offset + result.position}`;
      problems.push(syntaxProblem(path, text, `${result.message}${at}`));
      return { kind: 'literal', value: text };
    }
    parts.push(result.compiled);
  }
  const [first] = parts;
  if (whole && first !== undefined && typeof first !== 'string') {
    return { kind: 'whole', path, source: text, expr: first };
  }
  return { kind: 'text', path, source: text, parts };
}

function isNonBlank(part: TemplatePart): boolean {
  return part.kind === 'expr' || part.text.trim() !== '';
}

function syntaxProblem(path: string, text: string, message: string): Problem {
  return problem(
    'CC_E_TEMPLATE_SYNTAX',
    path,
    `Template ${JSON.stringify(text)} at ${path}: ${message}.`,
  );
}
