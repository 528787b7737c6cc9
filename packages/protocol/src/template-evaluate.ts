/**
 * Evaluation of compiled expressions: typed results, missing references, `when` and `forEach`.
 */
import { CCError, problem } from './errors.js';
import { preview } from './ajv-errors.js';
import { isRecord } from './path.js';
import {
  compileExpression,
  isTruthy,
  jsonataError,
  type CompiledExpression,
} from './template-expression.js';
import { wholeTemplateExpression } from './template-syntax.js';

/** The values a template can read. */
export interface TemplateContext {
  input?: unknown;
  event?: unknown;
  /** Outputs of the upstream nodes by id. */
  nodes?: Record<string, { output: unknown }>;
  /** The current element of a `forEach` fan-out. */
  item?: unknown;
  run?: unknown;
  /** Only the secrets the templates reference ({@link referencedSecrets}). */
  secrets?: Record<string, string>;
}

/**
 * Evaluates one expression. Throws `CC_E_TEMPLATE_MISSING_REF` when the result is undefined and
 * `CC_E_TEMPLATE_EVAL` when JSONata fails or yields something that is not JSON (a function,
 * an infinite number). Returns plain JSON (JSONata sequences become ordinary arrays).
 */
export async function evaluateExpression(
  expr: CompiledExpression,
  context: TemplateContext,
  path: string,
): Promise<unknown> {
  let result: unknown;
  try {
    result = await expr.expression.evaluate(context);
  } catch (error) {
    throw evalError(expr, path, jsonataError(error).message);
  }
  if (result === undefined) {
    const why = explainMissing(expr, context);
    throw new CCError('CC_E_TEMPLATE_MISSING_REF', {
      problems: [
        problem(
          'CC_E_TEMPLATE_MISSING_REF',
          path,
          `{{ ${expr.source} }} at ${path} refers to a missing value${why ? `: ${why}` : ''}.`,
        ),
      ],
    });
  }
  return toPlain(result, expr, path);
}

/**
 * Evaluates a `when` condition (`{{ expr }}` or a bare expression) with JSONata truthiness.
 * A condition whose result is undefined — typically a misspelt or absent field — is an error
 * (`CC_E_TEMPLATE_MISSING_REF`), not a silent `false`: write `$exists(x) and x > 0` to make
 * absence mean false.
 */
export async function evaluateCondition(
  expr: string,
  context: TemplateContext,
  path = 'when',
): Promise<boolean> {
  return isTruthy(await evaluateExpression(compileOrThrow(expr, path), context, path));
}

/**
 * Evaluates a `forEach` (a `{{ expr }}` template or a literal array) to the list of items.
 * A result that is not an array is `CC_E_TEMPLATE_EVAL`.
 */
export async function evaluateForEach(
  expr: string | readonly unknown[],
  context: TemplateContext,
  path = 'forEach',
): Promise<unknown[]> {
  if (Array.isArray(expr)) return structuredClone(expr) as unknown[];
  const compiled = compileOrThrow(expr as string, path);
  const value = await evaluateExpression(compiled, context, path);
  if (!Array.isArray(value)) {
    throw evalError(
      compiled,
      path,
      `forEach must yield an array, got ${typeof value === 'object' ? (value === null ? 'null' : 'an object') : `a ${typeof value}`} ${preview(value)} (a filter that matches one element yields that element: append [] to keep an array, e.g. files[x > 1][])`,
    );
  }
  return value;
}

function compileOrThrow(text: string, path: string): CompiledExpression {
  const source = wholeTemplateExpression(text) ?? text.trim();
  const result = compileExpression(source);
  if (!result.ok) {
    throw new CCError('CC_E_TEMPLATE_SYNTAX', {
      problems: [
        problem('CC_E_TEMPLATE_SYNTAX', path, `{{ ${source} }} at ${path}: ${result.message}.`),
      ],
    });
  }
  return result.compiled;
}

function evalError(expr: CompiledExpression, path: string, message: string): CCError {
  return new CCError('CC_E_TEMPLATE_EVAL', {
    problems: [problem('CC_E_TEMPLATE_EVAL', path, `{{ ${expr.source} }} at ${path}: ${message}.`)],
  });
}

/** Names the first literal reference of the expression that does not exist in the context. */
function explainMissing(expr: CompiledExpression, context: TemplateContext): string | undefined {
  for (const ref of expr.references) {
    let current: unknown = context;
    const walked: string[] = [];
    for (const name of [ref.root, ...ref.names]) {
      if (Array.isArray(current)) break; // JSONata maps over arrays; stop explaining there
      if (!isRecord(current) || !(name in current)) {
        if (walked.length === 0) return `"${name}" is not available here`;
        if (walked.length === 1 && walked[0] === 'nodes') {
          return `node "${name}" has no output (it was skipped, or is not upstream of this node)`;
        }
        const keys = isRecord(current) ? Object.keys(current).slice(0, 10) : [];
        const available = keys.length > 0 ? ` (it has: ${keys.join(', ')})` : '';
        return `${walked.join('.')} has no field "${name}"${available}`;
      }
      current = current[name];
      walked.push(name);
    }
  }
  return undefined;
}

function toPlain(value: unknown, expr: CompiledExpression, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw evalError(expr, path, `the result ${value} is not a finite number`);
  }
  if (Array.isArray(value)) {
    return value.filter((v) => v !== undefined).map((v) => toPlain(v, expr, path));
  }
  if (typeof value === 'function' || (isRecord(value) && value._jsonata_function === true)) {
    throw evalError(expr, path, 'the result is a function, not a value (call it with arguments)');
  }
  if (isRecord(value)) {
    if (value._jsonata_lambda === true) {
      throw evalError(expr, path, 'the result is a function, not a value (call it with arguments)');
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child !== undefined) out[key] = toPlain(child, expr, path);
    }
    return out;
  }
  throw evalError(expr, path, `the result ${String(value)} is not JSON`);
}
