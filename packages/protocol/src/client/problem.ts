/**
 * Turning the hub's answers back into errors: a `application/problem+json` body becomes the
 * {@link CCError} the hub threw, a connection failure becomes `CC_E_HUB_UNREACHABLE`.
 */
import { CCError, isErrorCode, type Problem } from '../errors.js';

/**
 * Rebuilds the error of a non-2xx answer. `body` is the parsed JSON body (or the text when it was
 * not JSON). A code this client does not know becomes `CC_E_INTERNAL`, keeping the hub's code in
 * the detail.
 */
export function problemToError(
  status: number,
  body: unknown,
  where: string,
  retryAfter?: string | null,
): CCError {
  if (isRecord(body) && typeof body.code === 'string') {
    const known = isErrorCode(body.code);
    let detail =
      typeof body.detail === 'string' && body.detail !== ''
        ? body.detail
        : typeof body.title === 'string'
          ? body.title
          : `HTTP ${status}`;
    if (!known) detail += ` (hub error code ${body.code})`;
    if (retryAfter) detail += ` (retry after ${retryAfter} s)`;
    return new CCError(isErrorCode(body.code) ? body.code : 'CC_E_INTERNAL', {
      detail,
      problems: Array.isArray(body.errors) ? body.errors.map(toProblem) : [],
    });
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  const code = status === 401 ? 'CC_E_UNAUTHORIZED' : status === 404 ? 'CC_E_NOT_FOUND' : null;
  return new CCError(code ?? 'CC_E_INTERNAL', {
    detail: `the hub answered HTTP ${status} to ${where}${text ? `: ${text}` : ''}`,
  });
}

/** `CC_E_HUB_UNREACHABLE` for a request that never got an answer (refused, reset, DNS…). */
export function unreachable(url: string, err: unknown): CCError {
  return new CCError('CC_E_HUB_UNREACHABLE', {
    detail: `cannot reach the hub at ${url}: ${connectionReason(err)}`,
    cause: err,
  });
}

/** The most specific reason of a failed `fetch`: undici hides it in `cause` (or in an AggregateError). */
export function connectionReason(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && isRecord(e); depth++) {
    const next = e.cause;
    if (next === undefined || next === null) break;
    e = next;
  }
  if (isRecord(e) && Array.isArray(e.errors) && e.errors.length > 0) e = e.errors[0];
  if (isRecord(e)) {
    const message = typeof e.message === 'string' ? e.message : '';
    const code = typeof e.code === 'string' ? e.code : '';
    if (message && code && !message.includes(code)) return `${code} ${message}`;
    return message || code || String(e);
  }
  return String(e);
}

function toProblem(raw: unknown): Problem {
  const r = isRecord(raw) ? raw : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const p: Problem = {
    code: isErrorCode(r.code) ? r.code : 'CC_E_INTERNAL',
    path: str(r.path),
    message: str(r.message) || str(r.code),
    fix: str(r.fix),
  };
  if (typeof r.line === 'number') p.line = r.line;
  if (typeof r.column === 'number') p.column = r.column;
  return p;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
