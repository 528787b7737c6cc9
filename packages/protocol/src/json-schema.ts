/**
 * User-written JSON Schemas (workflow `inputs`, action `input`/`output`): compile checks at apply
 * time and value validation at run time, both reported as {@link Problem}s.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { collectStrictWarnings, userAjv } from './ajv.js';
import { describeAjvError, isBranchError, sentence, type DescribedError } from './ajv-errors.js';
import { problem, type ErrorCode, type Problem } from './errors.js';
import { isRecord, joinPath } from './path.js';

/** A JSON Schema (2020-12) as written by users. */
export type JsonSchema = Record<string, unknown> | boolean;

/** Result of {@link compileJsonSchema}. */
export type CompiledSchema =
  | { ok: true; validate: ValidateFunction; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

const cache = new WeakMap<object, ValidateFunction>();
const supportedDialect = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Compiles a user schema. Problems carry `code` and paths under `path` (the schema's location in
 * its document, e.g. `inputs` or `actions.scan.input`); unknown keywords become `CC_W_SCHEMA_STRICT`
 * warnings.
 */
export function compileJsonSchema(schema: unknown, code: ErrorCode, path: string): CompiledSchema {
  if (typeof schema === 'boolean') {
    return { ok: true, validate: userAjv.compile(schema), warnings: [] };
  }
  if (!isRecord(schema)) {
    return fail(code, path, `must be a JSON Schema object (got ${typeof schema})`);
  }
  const cached = cache.get(schema);
  if (cached) return { ok: true, validate: cached, warnings: [] };
  const dialect = schema.$schema;
  if (dialect !== undefined && dialect !== supportedDialect && dialect !== `${supportedDialect}#`) {
    return fail(
      code,
      joinPath(path, '$schema'),
      `uses dialect ${JSON.stringify(dialect)}; only JSON Schema 2020-12 is supported`,
      `Remove \`$schema\` or set it to "${supportedDialect}".`,
    );
  }
  if (!userAjv.validateSchema(schema)) {
    const problems = (userAjv.errors ?? []).map((e) => {
      const described = describeAjvError(e, schema);
      return problem(code, joinPath(path, ...described.segments), `${sentence(path, described)}.`);
    });
    // The meta-schema's combinators repeat the first, most specific error of each location.
    return { ok: false, problems: firstPerPath(problems) };
  }
  try {
    const { result, warnings } = collectStrictWarnings(() => userAjv.compile(schema));
    // Keep Ajv's own cache from growing with every applied version (and free `$id`s for reuse).
    userAjv.removeSchema(schema);
    cache.set(schema, result);
    const warningProblems = warnings.map((w) =>
      problem('CC_W_SCHEMA_STRICT', path, w.replace(/^strict mode: /, '')),
    );
    return { ok: true, validate: result, warnings: warningProblems };
  } catch (error) {
    userAjv.removeSchema(schema);
    const message = error instanceof Error ? error.message : String(error);
    return fail(code, path, `is not a valid JSON Schema: ${message}`);
  }
}

/**
 * Validates a value against a user schema; returns one problem per violation (empty when valid).
 * Paths start at `path` (e.g. `input` for a run input: `input.repo`).
 */
export function validateAgainstSchema(
  schema: unknown,
  value: unknown,
  code: ErrorCode,
  path: string,
): Problem[] {
  const compiled = compileJsonSchema(schema, code, path);
  if (!compiled.ok) return compiled.problems;
  if (compiled.validate(value)) return [];
  return describeValueErrors(compiled.validate, value).map((d) =>
    problem(code, joinPath(path, ...d.segments), `${sentence(path, d)}.`),
  );
}

/** The readable errors of the last run of `validate` over `value`, without combinator noise. */
export function describeValueErrors(validate: ValidateFunction, value: unknown): DescribedError[] {
  return (validate.errors ?? [])
    .filter((e) => !isBranchError(e))
    .map((e) => describeAjvError(e, value));
}

function fail(code: ErrorCode, path: string, message: string, fix?: string): CompiledSchema {
  return { ok: false, problems: [problem(code, path, `${path || 'schema'} ${message}`, fix)] };
}

function firstPerPath(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (seen.has(p.path)) return false;
    seen.add(p.path);
    return true;
  });
}
