/**
 * Copying already-parsed documents into plain JSON data, so validation never sees (and the store
 * never keeps) functions, class instances, `NaN` or shared references from the caller.
 */
import { problem, type Problem } from './errors.js';
import { formatPath, type PathSegment } from './path.js';

/** JSON data. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Deep-copies `value` as plain JSON: object keys whose value is `undefined` are dropped (as
 * `JSON.stringify` does); anything else that is not JSON is reported as `CC_E_SCHEMA_WRONG_TYPE`.
 */
export function toJsonValue(value: unknown): { value: JsonValue; problems: Problem[] } {
  const problems: Problem[] = [];
  const copy = (v: unknown, path: PathSegment[]): JsonValue => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v;
      return bad(path, `${String(v)} is not a JSON number`);
    }
    if (Array.isArray(v)) return v.map((item, i) => copy(item, [...path, i]));
    if (typeof v === 'object' && isPlainObject(v)) {
      const out: Record<string, JsonValue> = {};
      for (const [key, child] of Object.entries(v)) {
        if (child !== undefined) out[key] = copy(child, [...path, key]);
      }
      return out;
    }
    const kind = typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
    return bad(path, `a ${kind} is not JSON data`);
  };
  const bad = (path: PathSegment[], message: string): null => {
    const where = formatPath(path);
    problems.push(
      problem(
        'CC_E_SCHEMA_WRONG_TYPE',
        where,
        `${where || 'The document'}: ${message}.`,
        'Use only JSON values: objects, arrays, strings, finite numbers, booleans and null.',
      ),
    );
    return null;
  };
  return { value: copy(value, []), problems };
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
