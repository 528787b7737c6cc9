/**
 * Compiling single JSONata expressions (with a bounded cache) and evaluating them safely.
 * JSONata is interpreted over data; no JavaScript is ever generated or evaluated.
 */
import jsonata from 'jsonata';
import { extractReferences, type TemplateReference } from './template-refs.js';

/** A parsed JSONata expression with its context references. */
export interface CompiledExpression {
  /** The expression text (without `{{ }}`). */
  source: string;
  expression: jsonata.Expression;
  references: TemplateReference[];
}

/** Result of {@link compileExpression}. */
export type ExpressionResult =
  { ok: true; compiled: CompiledExpression } | { ok: false; message: string; position?: number };

/** Guards of every evaluation: wall-clock budget (ms) and evaluation depth. */
export const evaluationLimits = { timeout: 2000, stack: 1000 } as const;

const cacheSize = 2000;
const cache = new Map<string, CompiledExpression>();

/**
 * Parses a JSONata expression. Compiled expressions are cached by text (bounded, oldest evicted
 * first); they hold no per-evaluation state, so one instance serves concurrent evaluations.
 */
export function compileExpression(source: string): ExpressionResult {
  const cached = cache.get(source);
  if (cached) return { ok: true, compiled: cached };
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, { ...evaluationLimits });
  } catch (error) {
    const { message, position } = jsonataError(error);
    return position === undefined ? { ok: false, message } : { ok: false, message, position };
  }
  const compiled = { source, expression, references: extractReferences(expression.ast()) };
  if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
  cache.set(source, compiled);
  return { ok: true, compiled };
}

/** Message and position of an error thrown by JSONata (plain objects with `code`/`message`). */
export function jsonataError(error: unknown): { message: string; position?: number } {
  if (typeof error === 'object' && error !== null) {
    const e = error as { message?: unknown; position?: unknown; code?: unknown };
    const text = typeof e.message === 'string' ? e.message : String(e.code ?? 'error');
    const message = typeof e.code === 'string' ? `${text} (JSONata ${e.code})` : text;
    return typeof e.position === 'number' ? { message, position: e.position } : { message };
  }
  return { message: String(error) };
}

/** JSONata truthiness (`$boolean`): empty strings/arrays/objects, 0, null and functions are false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  if (value === null || value === undefined) return false;
  switch (typeof value) {
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    case 'boolean':
      return value;
    case 'function':
      return false;
    default: {
      const record = value as Record<string, unknown>;
      if (record._jsonata_function === true || record._jsonata_lambda === true) return false;
      return Object.keys(record).length > 0;
    }
  }
}
