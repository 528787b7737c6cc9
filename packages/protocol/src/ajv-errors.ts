/**
 * Turns Ajv error objects into readable sentences with document paths.
 */
import type { ErrorObject } from './ajv.js';
import { formatPath, pointerToSegments, valueAt, type PathSegment } from './path.js';

/** One Ajv error, located and phrased for people. */
export interface DescribedError {
  /** Ajv keyword; errors inside `propertyNames` are all reported as `propertyNames`. */
  keyword: string;
  /**
   * Path of the offending value (for `required`, `additionalProperties` and `propertyNames`:
   * of the named key).
   */
  segments: PathSegment[];
  /** Sentence without the path, e.g. `must be an integer (got "3")`. */
  message: string;
  error: ErrorObject;
}

/** Short JSON rendering of a value for messages. */
export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const typeNames: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** The JSON type name of a value (`integer` for whole numbers). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `an integer or a string` for an Ajv `type` parameter. */
export function expectedTypes(type: unknown): string {
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => typeNames[String(t)] ?? String(t)).join(' or ');
}

/** Whether an error comes from inside a branch of `anyOf`/`oneOf` (noise once the combinator failed). */
export function isBranchError(error: ErrorObject): boolean {
  return /\/(anyOf|oneOf)\/\d+\//.test(error.schemaPath) || error.keyword === 'if';
}

/** Describes one Ajv error against the validated document. */
export function describeAjvError(error: ErrorObject, doc: unknown): DescribedError {
  const segments = pointerToSegments(error.instancePath, doc);
  const value = valueAt(doc, segments);
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? 'is invalid';
  const propertyName = (error as { propertyName?: unknown }).propertyName ?? params.propertyName;
  if (typeof propertyName === 'string') {
    // Errors of `propertyNames` are about a key, not the object: point at the key.
    segments.push(propertyName);
    return { keyword: 'propertyNames', segments, message: 'is not an allowed name', error };
  }
  const limit = params.limit as number;
  switch (error.keyword) {
    case 'required':
      segments.push(String(params.missingProperty));
      message = 'is required';
      break;
    case 'additionalProperties':
      segments.push(String(params.additionalProperty));
      message = 'is not an allowed field';
      break;
    case 'type':
      message = `must be ${expectedTypes(params.type)} (got ${jsonType(value)} ${preview(value)})`;
      break;
    case 'enum':
      message = `must be one of ${(params.allowedValues as unknown[]).map((v) => preview(v)).join(', ')} (got ${preview(value)})`;
      break;
    case 'const':
      message = `must be ${preview(params.allowedValue)} (got ${preview(value)})`;
      break;
    case 'minimum':
      message = `must be at least ${limit} (got ${preview(value)})`;
      break;
    case 'maximum':
      message = `must be at most ${limit} (got ${preview(value)})`;
      break;
    case 'exclusiveMinimum':
      message = `must be greater than ${limit} (got ${preview(value)})`;
      break;
    case 'exclusiveMaximum':
      message = `must be less than ${limit} (got ${preview(value)})`;
      break;
    case 'minItems':
      message = `must have at least ${limit} item${limit === 1 ? '' : 's'}`;
      break;
    case 'maxItems':
      message = `must have at most ${limit} item${limit === 1 ? '' : 's'}`;
      break;
    case 'minProperties':
      message = `must have at least ${limit} entr${limit === 1 ? 'y' : 'ies'}`;
      break;
    case 'maxProperties':
      message = limit === 0 ? 'must be empty' : `must have at most ${limit} entries`;
      break;
    case 'minLength':
      message = limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`;
      break;
    case 'maxLength':
      message = `must be at most ${limit} characters long (got ${preview(value)})`;
      break;
    case 'pattern':
      message = `must match the pattern ${String(params.pattern)} (got ${preview(value)})`;
      break;
    case 'format':
      message = `must be a valid ${String(params.format)} (got ${preview(value)})`;
      break;
    case 'anyOf':
    case 'oneOf':
      message = `does not match any of the allowed shapes (got ${preview(value)})`;
      break;
    default:
      message = `${message} (got ${preview(value)})`;
  }
  return { keyword: error.keyword, segments, message, error };
}

/** `path message` for a described error, with `base` prefixed to the path. */
export function sentence(base: string, described: DescribedError): string {
  const path = formatPath(described.segments);
  const where =
    base === '' ? path : path === '' ? base : `${base}${path.startsWith('[') ? '' : '.'}${path}`;
  return where === '' ? described.message : `${where} ${described.message}`;
}
