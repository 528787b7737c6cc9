/**
 * Maps Ajv errors of the document schemas (workflow, agent manifest) to {@link Problem}s with
 * readable paths, domain codes and concrete fixes.
 */
import type { ErrorObject } from './ajv.js';
import { describeAjvError, expectedTypes } from './ajv-errors.js';
import { closestMatch } from './did-you-mean.js';
import { errorCatalogue, problem, type ErrorCode, type Problem } from './errors.js';
import { formatPath, isRecord, valueAt, type PathSegment } from './path.js';

/**
 * How errors at some document locations are coded. `path` matches the problem path with array
 * indexes written `[]` (`nodes[].retry.attempts`); the first matching rule wins.
 */
export interface PathRule {
  path: RegExp;
  code: ErrorCode;
  /** Also use `code` for type errors (e.g. `timeout: 30` is a duration problem). */
  typeToo?: boolean;
  /** Name of the value in messages of pattern errors (`must be a valid node id`). */
  label?: string;
}

/** Mapping configuration of one document kind. */
export interface SchemaProblemRules {
  /** Domain codes by location (see {@link PathRule}). */
  paths: readonly PathRule[];
  /**
   * Codes by Ajv keyword at an exact location, e.g. `{ 'nodes/minItems': ... }`; for
   * `propertyNames` the location is the object's (`actions/propertyNames`).
   */
  keywords?: Record<string, ErrorCode>;
  /** Errors to leave to semantic checks. */
  skip?: (error: ErrorObject) => boolean;
}

/** Converts the Ajv errors of one validation into problems (deduplicated). */
export function schemaProblems(
  errors: readonly ErrorObject[],
  doc: unknown,
  rules: SchemaProblemRules,
): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if' || /\/(oneOf|anyOf)(\/|$)/.test(error.schemaPath)) continue;
    if (rules.skip?.(error)) continue;
    const p = toProblem(error, doc, rules);
    const key = `${p.code}|${p.path}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

function toProblem(error: ErrorObject, doc: unknown, rules: SchemaProblemRules): Problem {
  const described = describeAjvError(error, doc);
  const path = formatPath(described.segments);
  const subject = subjectOf(doc, described.segments);
  const message = `${subject} ${described.message}.`;
  const shape = path.replace(/\[\d+\]/g, '[]');
  const def = rules.paths.find((rule) => rule.path.test(shape));
  const keyShape =
    described.keyword === 'propertyNames'
      ? formatPath(described.segments.slice(0, -1)).replace(/\[\d+\]/g, '[]')
      : shape;
  const override = rules.keywords?.[`${keyShape}/${described.keyword}`];
  if (override !== undefined) return problem(override, path, message);
  switch (described.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys(propertiesOf(error.parentSchema));
      const field = String((error.params as { additionalProperty: string }).additionalProperty);
      const guess = closestMatch(field, allowed);
      const fix =
        (guess ? `Did you mean "${guess}"? ` : `Remove "${field}". `) +
        (allowed.length > 0 ? `Allowed fields here: ${allowed.join(', ')}.` : '');
      return problem('CC_E_SCHEMA_UNKNOWN_FIELD', path, `${subject} is not an allowed field.`, fix);
    }
    case 'required': {
      const field = String(described.segments.at(-1));
      const parent = formatPath(described.segments.slice(0, -1));
      const where = parent === '' ? 'at the top level' : `under ${parent}`;
      return problem('CC_E_SCHEMA_MISSING_FIELD', path, message, `Add \`${field}:\` ${where}.`);
    }
    case 'type': {
      if (def?.typeToo) return problem(def.code, path, message);
      const expected = [(error.params as { type: string | string[] }).type].flat();
      const bare = expected.some((t) => ['integer', 'number', 'boolean'].includes(t));
      const fix = expected.includes('string')
        ? undefined
        : `Write ${expectedTypes(expected)} here${bare ? ' (without quotes)' : ''}.`;
      return problem('CC_E_SCHEMA_WRONG_TYPE', path, message, fix);
    }
  }
  const code = def?.code ?? 'CC_E_SCHEMA_INVALID_VALUE';
  if (error.keyword === 'pattern' && def?.label !== undefined) {
    const value = valueAt(doc, described.segments);
    return problem(code, path, `${subject} ${JSON.stringify(value)} is not a valid ${def.label}.`);
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
    const value = valueAt(doc, described.segments);
    const guess = typeof value === 'string' ? closestMatch(value, allowed) : undefined;
    const fix = `${guess ? `Did you mean "${guess}"? ` : ''}Use one of: ${allowed.join(', ')}.`;
    return problem(code, path, message, fix);
  }
  return problem(
    code,
    path,
    message,
    code === 'CC_E_SCHEMA_INVALID_VALUE' ? undefined : errorCatalogue[code].fix,
  );
}

/**
 * How messages name a location: `node "scan" retry.attempts` for paths inside a node with a
 * usable id, otherwise the path itself (`concurrency.limit`), or `the document` for the root.
 */
export function subjectOf(doc: unknown, segments: readonly PathSegment[]): string {
  if (segments[0] === 'nodes' && typeof segments[1] === 'number') {
    const node = valueAt(doc, segments.slice(0, 2));
    const id = isRecord(node) ? node.id : undefined;
    if (typeof id === 'string' && id !== '') {
      const rest = formatPath(segments.slice(2));
      return rest === '' ? `Node "${id}"` : `Node "${id}": ${rest}`;
    }
  }
  const path = formatPath(segments);
  return path === '' ? 'The document' : path;
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  return isRecord(schema) && isRecord(schema.properties) ? schema.properties : {};
}
