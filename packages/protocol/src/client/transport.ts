/**
 * The HTTP layer of the client: URLs, auth header, bodies, and the mapping of failures to
 * {@link CCError}s. Uses only the global `fetch` (or the one given), so it runs in Node and browsers.
 */
import type { CCError } from '../errors.js';
import { problemToError, unreachable } from './problem.js';

/** Query parameters; `undefined` values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** A request body: a string is sent as YAML (`application/yaml`), anything else as JSON. */
export type RequestBody = string | object;

export interface RequestOptions {
  query?: Query;
  body?: RequestBody;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface TransportOptions {
  url: string;
  token?: string;
  fetch?: typeof fetch;
}

export class Transport {
  /** The hub's base URL without a trailing slash. */
  readonly url: string;
  private readonly token: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(opts: TransportOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.token = opts.token;
    // Bound so that a browser's window.fetch is not called with another `this`.
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends a request and answers the parsed JSON body of a 2xx answer; throws a CCError otherwise. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    let body: unknown;
    try {
      body = await readBody(res);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw unreachable(this.url, err);
    }
    if (!res.ok) throw this.failure(method, path, res, body);
    return body as T;
  }

  /** Sends a request and answers the raw response of a 2xx answer (for streams). */
  async open(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const res = await this.send(method, path, opts);
    if (!res.ok) throw this.failure(method, path, res, await readBody(res).catch(() => undefined));
    return res;
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      const yaml = typeof opts.body === 'string';
      headers['content-type'] = yaml ? 'application/yaml' : 'application/json';
      body = yaml ? (opts.body as string) : JSON.stringify(opts.body);
    }
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = body;
    if (opts.signal) init.signal = opts.signal;
    try {
      return await this.fetchFn(this.href(path, opts.query), init);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw unreachable(this.url, err);
    }
  }

  /** The absolute URL of a path (`/api/v1/runs`) with its query string. */
  href(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const qs = params.toString();
    return `${this.url}${path}${qs ? `?${qs}` : ''}`;
  }

  private failure(method: string, path: string, res: Response, body: unknown): CCError {
    return problemToError(res.status, body, `${method} ${path}`, res.headers.get('retry-after'));
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (/[/+]json\b/.test(type)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
