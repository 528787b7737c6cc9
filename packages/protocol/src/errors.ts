import { errorCatalogue, type ErrorCode } from './error-catalogue.js';

export { errorCatalogue, errorCodes, isErrorCode, type ErrorCode } from './error-catalogue.js';

/**
 * One problem found in a document or a request.
 *
 * `path` locates the offending value from the root of the document, in a readable
 * JavaScript-like notation: dots between object keys, `[index]` for array items, and
 * `["key"]` for keys that are not identifiers — e.g. `nodes[2].retry.attempts`,
 * `nodes[0].inputs["content-type"]`, `triggers[1].cron`. The empty string is the document itself.
 * `message` is a whole sentence naming its subject (and the node id, `node "scan"`, because
 * indexes shift while editing), so it reads well without the path.
 */
export interface Problem {
  code: ErrorCode;
  path: string;
  message: string;
  /** How to fix this particular problem (more specific than the catalogue's fix when possible). */
  fix: string;
  /** 1-based position in the source text, for parse errors. */
  line?: number;
  column?: number;
}

/** RFC 9457 `application/problem+json` body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  errors: Problem[];
}

/** Base URL of the documentation page of each error code. */
export const errorTypeBase = 'https://commandcenter.dev/errors/';

/** Builds a Problem; `fix` defaults to the catalogue's fix of the code. */
export function problem(code: ErrorCode, path: string, message: string, fix?: string): Problem {
  return { code, path, message, fix: fix ?? errorCatalogue[code].fix };
}

/** Options of {@link CCError}. */
export interface CCErrorOptions {
  /** Human-readable explanation of this occurrence; defaults to the catalogue title. */
  detail?: string;
  problems?: Problem[];
  cause?: unknown;
}

/**
 * The error type thrown across CommandCenter. It carries a catalogue code (hence an HTTP status)
 * and, for validation failures, every problem found. Turn it into a response with
 * {@link CCError.toProblemJSON}.
 */
export class CCError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly problems: Problem[];
  readonly detail: string;

  constructor(code: ErrorCode, options: CCErrorOptions = {}) {
    const entry = errorCatalogue[code];
    const detail = options.detail ?? summarize(entry.title, options.problems ?? []);
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CCError';
    this.code = code;
    this.status = entry.status;
    this.problems = options.problems ?? [];
    this.detail = detail;
  }

  /** A validation failure: `code` (e.g. `CC_E_WORKFLOW_INVALID`) carrying every problem. */
  static invalid(code: ErrorCode, problems: Problem[]): CCError {
    return new CCError(code, { problems });
  }

  /** `CC_E_NOT_FOUND` for a described object, e.g. `CCError.notFound('run 0190…')`. */
  static notFound(what: string): CCError {
    return new CCError('CC_E_NOT_FOUND', { detail: `${what} not found` });
  }

  /** The catalogue's generic fix for this error's code. */
  get fix(): string {
    return errorCatalogue[this.code].fix;
  }

  /** The RFC 9457 problem body of this error. */
  toProblemJSON(instance?: string): ProblemDetails {
    const body: ProblemDetails = {
      type: errorTypeBase + this.code,
      title: errorCatalogue[this.code].title,
      status: this.status,
      code: this.code,
      detail: this.detail,
      errors: this.problems,
    };
    if (instance !== undefined) body.instance = instance;
    return body;
  }
}

/** Whether a value is a {@link CCError} (also across duplicated module copies). */
export function isCCError(value: unknown): value is CCError {
  return (
    value instanceof CCError ||
    (value instanceof Error && value.name === 'CCError' && 'code' in value && 'problems' in value)
  );
}

function summarize(title: string, problems: Problem[]): string {
  if (problems.length === 0) return title;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `${title}: ${problems[0]!.message}${more}`;
}
