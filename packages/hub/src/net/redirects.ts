/**
 * How a guarded request follows a redirect (the fetch standard's rules): which method and body
 * the next request keeps, and which headers must not cross to another origin.
 */

/** Statuses that redirect when they carry a Location header. */
export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers that describe a request body; dropped when a redirect turns the request into GET. */
const bodyHeaders = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
  'transfer-encoding',
];

/** Credentials that must not reach another origin. */
const credentialHeaders = ['authorization', 'cookie', 'proxy-authorization'];

/** The request a redirect hop sends. */
export interface RedirectRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * The next request after a redirect: 303 becomes GET (HEAD stays HEAD), 301/302 turn POST into
 * GET, 307/308 keep method and body. Cross-origin hops drop Authorization, Cookie and
 * Proxy-Authorization (a downgrade from https to http is cross-origin too).
 */
export function nextRedirectRequest(
  status: number,
  from: URL,
  to: URL,
  req: RedirectRequest,
): RedirectRequest {
  const method = req.method.toUpperCase();
  const toGet =
    (status === 303 && method !== 'GET' && method !== 'HEAD') ||
    ((status === 301 || status === 302) && method === 'POST');
  const headers = { ...req.headers };
  if (toGet) for (const h of bodyHeaders) delete headers[h];
  if (from.origin !== to.origin) for (const h of credentialHeaders) delete headers[h];
  return toGet ? { method: 'GET', headers } : { method, headers, body: req.body };
}

/** Lowercases header names (later duplicates win) so removals by name are reliable. */
export function lowercaseHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
