/**
 * The two Ajv instances of the protocol package (JSON Schema draft 2020-12, the dialect of
 * OpenAPI 3.1): one strict instance for CommandCenter's own document schemas, one lenient
 * instance with formats for user-written schemas (workflow `inputs`, action input/output).
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** Strict instance for the schemas of this package (unknown keywords are bugs here). */
export const documentAjv = new Ajv2020({
  allErrors: true,
  verbose: true,
  strict: true,
  allowUnionTypes: true,
  // `required` inside the trigger `oneOf` names properties declared next to it.
  strictRequired: false,
});

let strictWarnings: string[] | undefined;

/**
 * Instance for user schemas: unknown keywords are collected as warnings (via
 * {@link collectStrictWarnings}) rather than errors, so annotations such as `x-ui` stay legal
 * while typos such as `requird` are reported.
 */
export const userAjv = new Ajv2020({
  allErrors: true,
  verbose: true,
  strictSchema: 'log',
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  logger: {
    log: () => undefined,
    warn: (...args: unknown[]) => strictWarnings?.push(args.map(String).join(' ')),
    error: (...args: unknown[]) => strictWarnings?.push(args.map(String).join(' ')),
  },
});
addFormats(userAjv);
userAjv.addVocabulary(['example']);

/** Runs `fn` (a synchronous compile) and returns the strict-mode warnings Ajv logged meanwhile. */
export function collectStrictWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const previous = strictWarnings;
  strictWarnings = [];
  try {
    const result = fn();
    return { result, warnings: [...new Set(strictWarnings)] };
  } finally {
    strictWarnings = previous;
  }
}

export type { ErrorObject };
