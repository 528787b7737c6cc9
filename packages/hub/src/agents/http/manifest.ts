/**
 * Manifest of the built-in `http` agent: one action, `request`, a generic HTTP call from the hub
 * behind the SSRF guard (only public addresses, unless the project allowlists a host).
 */

/** Methods the `request` action sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** A query parameter value; arrays repeat the parameter (`?tag=a&tag=b`). */
export type QueryValue = string | number | boolean | (string | number | boolean)[];

/** Input of `request`. */
export interface HttpRequestInput {
  /** `http://` or `https://` URL; credentials go in `headers`, never in the URL. */
  url: string;
  /** Default GET. */
  method?: HttpMethod;
  /** Request headers; pass credentials as `{{ secrets.NAME }}`. */
  headers?: Record<string, string>;
  /** Appended to the URL's query string. */
  query?: Record<string, QueryValue>;
  /**
   * A string is sent as is (default content type `text/plain; charset=utf-8`); any other JSON value
   * is serialized (default content type `application/json`). Not allowed with GET or HEAD.
   */
  body?: unknown;
  /** Status(es) that count as success; default any 2xx. */
  expectStatus?: number | number[];
  /** Whole request including redirects; default 30 000 ms (the hub caps it). */
  timeoutMs?: number;
  /** How to read the body: `json` (must parse), `text`, or `auto` (JSON by content type). */
  responseType?: 'json' | 'text' | 'auto';
  /** Follow redirects (up to 5, each checked by the SSRF guard); default true. */
  followRedirects?: boolean;
  /** Response headers to return besides the default selection (case-insensitive). */
  responseHeaders?: string[];
}

/** Output of `request`. */
export interface HttpRequestOutput {
  status: number;
  /** Selected response headers, names lowercased (repeated headers joined with `, `). */
  headers: Record<string, string>;
  /** Parsed JSON, or text (`''` for an empty body). */
  body: unknown;
  /** The final URL, after redirects. */
  url: string;
  durationMs: number;
}

/** Response headers returned by default (`set-cookie` only when asked for by name). */
export const defaultResponseHeaders: readonly string[] = [
  'cache-control',
  'content-length',
  'content-type',
  'date',
  'etag',
  'last-modified',
  'link',
  'location',
  'retry-after',
  'x-request-id',
];

const scalar = { type: ['string', 'number', 'boolean'] };
const status = { type: 'integer', minimum: 100, maximum: 599 };

/** The manifest document (validated by `validateAgentManifest` in the tests). */
export const manifest = {
  name: 'http',
  version: '1.0.0',
  type: 'builtin',
  description:
    'Makes an HTTP request from the hub and returns status, selected headers and body. Only public ' +
    'addresses are reachable unless the project allowlists a host (egressAllowHosts).',
  risk: 'medium',
  actions: {
    request: {
      description:
        'Sends one HTTP request; an unexpected status fails the step (retryable for 5xx, 429, 408 ' +
        'and network errors).',
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: {
            type: 'string',
            minLength: 8,
            maxLength: 8192,
            pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
          },
          method: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] },
          headers: {
            type: 'object',
            maxProperties: 100,
            propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
            additionalProperties: { type: 'string', maxLength: 16384 },
          },
          query: {
            type: 'object',
            maxProperties: 200,
            additionalProperties: { anyOf: [scalar, { type: 'array', items: scalar }] },
          },
          body: { description: 'A string is sent as is; any other JSON value as JSON.' },
          expectStatus: { anyOf: [status, { type: 'array', minItems: 1, items: status }] },
          timeoutMs: { type: 'integer', minimum: 1 },
          responseType: { enum: ['json', 'text', 'auto'] },
          followRedirects: { type: 'boolean' },
          responseHeaders: {
            type: 'array',
            maxItems: 50,
            items: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
          },
        },
      },
      output: {
        type: 'object',
        additionalProperties: false,
        required: ['status', 'headers', 'body', 'url', 'durationMs'],
        properties: {
          status,
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          body: { description: 'Parsed JSON or text.' },
          url: { type: 'string' },
          durationMs: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
};
