import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { CCError, problem, schemaProblems, type Problem } from '@commandcenter/protocol';

// ajv-formats is CommonJS: under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

const options = { allErrors: true, verbose: true, strict: false } as const;
/** Bodies: no coercion, so `"5"` is not a number; unknown fields are errors, never dropped. */
const bodyAjv = new Ajv2020({ ...options, coerceTypes: false, removeAdditional: false });
/** Query strings, path parameters and headers are text: coerce to the declared types. */
const textAjv = new Ajv2020({
  ...options,
  coerceTypes: 'array',
  removeAdditional: false,
  useDefaults: true,
});
addFormats(bodyAjv);
addFormats(textAjv);

type Part = 'body' | 'querystring' | 'params' | 'headers';
const prefix: Record<Part, string> = {
  body: '',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/**
 * Fastify's validator compiler: the route schemas (also the OpenAPI document's) validate each part
 * of a request; every violation becomes a Problem with the field's path and a fix.
 */
export function compileValidator({ schema, httpPart }: { schema: unknown; httpPart?: string }) {
  const part = (httpPart ?? 'body') as Part;
  const ajv = part === 'body' ? bodyAjv : textAjv;
  const validate = ajv.compile(schema as object) as ValidateFunction;
  return (data: unknown) => {
    // A POST without a body validates as an empty object.
    const value = part === 'body' && (data === null || data === undefined) ? {} : data;
    if (validate(value)) return { value };
    return { error: requestError(part, value, validate) };
  };
}

function requestError(part: Part, value: unknown, validate: ValidateFunction): CCError {
  const base = prefix[part];
  const problems: Problem[] = schemaProblems(validate.errors ?? [], value, { paths: [] }).map(
    (p) => {
      // `headers` + `["idempotency-key"]` → `headers["idempotency-key"]` (no dot before a bracket).
      const path = base
        ? p.path
          ? `${base}${p.path.startsWith('[') ? '' : '.'}${p.path}`
          : base
        : p.path;
      const message = base ? p.message.replace(/^The document/, base) : p.message;
      return part === 'body'
        ? { ...p, path, message }
        : problem('CC_E_BAD_REQUEST', path, message, p.fix);
    },
  );
  const code = part === 'body' ? (problems[0]?.code ?? 'CC_E_BAD_REQUEST') : 'CC_E_BAD_REQUEST';
  return CCError.invalid(code, problems);
}
