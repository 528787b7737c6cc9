import { mkdtempSync, rmSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { CCEvent, RunStatus } from '@commandcenter/protocol';
import { buildApp } from '../api/app.js';
import type { Role } from '../auth/roles.js';
import { loadConfig } from '../config.js';
import { openServices, type Services } from '../server/services.js';
import type { Store } from '../store/port.js';
import type { Tracing } from '../telemetry/tracing.js';
import { testAgent, testBuiltins, type ReceivedInput } from './engine-harness.js';
import { openTestStore, type StoreKind } from './stores.js';

/** The prefix of the versioned API. */
export const V1 = '/api/v1';

/** A well-formed id that no object has. */
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** A workflow node that runs `action` of the `test` builtin agent. */
export const node = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'test',
  action,
  ...extra,
});

export interface ApiResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  /** The parsed body when it is JSON (`application/json` or `application/problem+json`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  /** The raw body. */
  text: string;
}

export interface CallOptions {
  /** The bearer token; default the hub-wide admin's; `null` sends no Authorization header. */
  token?: string | null;
  /** An object or array is sent as JSON; a string or Buffer as it is (set `content-type`). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  app: FastifyInstance;
  services: Services;
  /** The test's store (its own schema). */
  store: Store;
  /** Value of a hub-wide admin token. */
  admin: string;
  /** Every event the engine published, in order. */
  events: CCEvent[];
  /** Inputs the `test` agent's echo, deploy and fail actions received (real secret values). */
  received: ReceivedInput[];
  /** The raw body of every answer `call` got, in order (for "never in any response" checks). */
  responses: string[];
  /** Creates a token through the TokenStore; `project` null = hub-wide (default `default`). */
  token(role: Role, project?: string | null, opts?: { expiresAt?: Date }): Promise<string>;
  call(method: string, url: string, opts?: CallOptions): Promise<ApiResponse>;
  /**
   * Every row of every table of the test schema as text, sorted, table by table: equal dumps
   * mean that nothing in the database changed.
   */
  dump(): Promise<string>;
  /** Resolves with the first published event matching `pred` (already seen ones included). */
  waitForEvent(pred: (e: CCEvent) => boolean, timeoutMs?: number): Promise<CCEvent>;
  /** Resolves with the final status of a run. */
  waitForRun(runId: string, timeoutMs?: number): Promise<RunStatus>;
  /** Starts listening on a free port of 127.0.0.1 (once); resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The hub's HTTP app over the real services on a fresh store (own schema): engine with a worker
 * that runs the `test` builtin agent (registered in project `default`), secrets under a key file
 * in a temporary data directory, and a hub-wide admin token. Requests go through `app.inject()`.
 */
export async function openApiHarness(
  kind: StoreKind,
  opts: {
    rateLimit?: number;
    bodyLimit?: number;
    /** Lease of step attempts (default 2 s); a long one keeps a running step from heartbeating. */
    leaseMs?: number;
    /** SSE keep-alive interval (default the hub's 15 s). */
    sseKeepaliveMs?: number;
    /** More hub configuration (e.g. `CC_WORKSPACE_ROOTS`). */
    env?: Record<string, string>;
    /** Tracing (an in-memory exporter's); default none, whatever OTEL_* says. */
    tracing?: Tracing;
  } = {},
): Promise<ApiHarness> {
  const store = await openTestStore(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'cc-api-'));
  const config = loadConfig({
    CC_DATA_DIR: dataDir,
    CC_BODY_LIMIT: String(opts.bodyLimit ?? 1_048_576),
    CC_RATE_LIMIT: String(opts.rateLimit ?? 0),
    CC_LEASE_MS: String(opts.leaseMs ?? 2000),
    CC_CONCURRENCY: '8',
    ...opts.env,
  });
  const received: ReceivedInput[] = [];
  const services = await openServices(config, {
    store,
    builtins: testBuiltins([], received),
    tracing: opts.tracing ?? null,
  });
  const events: CCEvent[] = [];
  const waiters = new Set<(e: CCEvent) => void>();
  services.engine.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) w(e);
  });
  let app: FastifyInstance | undefined;
  try {
    await services.engine.start();
    await services.engine.registerAgent('default', testAgent);
    const admin = (
      await services.tokens.create({
        name: 'test-admin',
        role: 'admin',
        project: null,
        createdBy: 'harness',
      })
    ).token;
    app = await buildApp({
      ...services,
      bodyLimit: config.bodyLimit,
      rateLimit: config.rateLimit,
      sseKeepaliveMs: opts.sseKeepaliveMs,
    });
    await app.ready();
    const built = app;
    const responses: string[] = [];
    let tokens = 0;

    const h: ApiHarness = {
      app: built,
      services,
      store,
      admin,
      events,
      received,
      responses,
      async token(role, project = 'default', o = {}) {
        const t = await services.tokens.create({
          name: `${role}-${project ?? 'hub'}-${++tokens}`,
          role,
          project,
          expiresAt: o.expiresAt ?? null,
          createdBy: 'harness',
        });
        return t.token;
      },
      async call(method, url, o = {}) {
        const headers: Record<string, string> = { ...o.headers };
        const token = o.token === undefined ? admin : o.token;
        if (token !== null && headers.authorization === undefined) {
          headers.authorization = `Bearer ${token}`;
        }
        let payload: string | Buffer | undefined;
        if (typeof o.body === 'string' || Buffer.isBuffer(o.body)) payload = o.body;
        else if (o.body !== undefined) {
          payload = JSON.stringify(o.body);
          headers['content-type'] ??= 'application/json';
        }
        const res = await built.inject({
          method: method as 'GET',
          url,
          headers,
          ...(payload !== undefined ? { payload } : {}),
        });
        responses.push(res.body);
        const type = String(res.headers['content-type'] ?? '');
        let json: unknown;
        if (/json/.test(type) && res.body !== '') json = JSON.parse(res.body);
        return { status: res.statusCode, headers: res.headers, json, text: res.body };
      },
      async dump() {
        const tables = await store.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables
            WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
          [store.schema],
        );
        const out: string[] = [];
        for (const { table_name } of tables.rows) {
          const r = await store.query<{ row: string }>(
            `SELECT t::text AS row FROM "${store.schema}"."${table_name}" t`,
          );
          const rows = r.rows.map((x) => x.row).sort();
          out.push(`## ${table_name} (${rows.length})`, ...rows);
        }
        return out.join('\n');
      },
      waitForEvent(pred, timeoutMs = 30_000) {
        const seen = events.find(pred);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const w = (e: CCEvent) => {
            if (!pred(e)) return;
            clearTimeout(timer);
            waiters.delete(w);
            resolve(e);
          };
          const timer = setTimeout(() => {
            waiters.delete(w);
            reject(new Error(`no matching event within ${timeoutMs} ms`));
          }, timeoutMs);
          waiters.add(w);
        });
      },
      waitForRun: (runId, timeoutMs = 30_000) => services.engine.waitForRun(runId, { timeoutMs }),
      async listen() {
        if (!built.server.listening) await built.listen({ port: 0, host: '127.0.0.1' });
        const addr = built.server.address() as AddressInfo;
        return `http://127.0.0.1:${addr.port}`;
      },
      async close() {
        await built.close();
        await services.close();
        await store.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return h;
  } catch (err) {
    await app?.close().catch(() => {});
    await services.close().catch(() => {});
    await store.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Asserts an RFC 9457 answer: the status, `application/problem+json`, the catalogue code, a
 * non-empty `fix` (and one on every field problem), and, when given, the paths of the fields at
 * fault (`errors[].path`, in any order).
 */
export function assertProblem(
  res: ApiResponse,
  status: number,
  code: string,
  paths?: string[],
  what = '',
): void {
  const where = `${what} ${res.text.slice(0, 800)}`;
  assert.equal(res.status, status, `status ${where}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, where);
  assert.equal(res.json?.code, code, `code ${where}`);
  assert.equal(res.json.status, status, where);
  assert.equal(typeof res.json.title, 'string', where);
  assert.ok(typeof res.json.detail === 'string' && res.json.detail.length > 0, where);
  assert.ok(typeof res.json.fix === 'string' && res.json.fix.length > 0, `fix ${where}`);
  assert.ok(Array.isArray(res.json.errors), where);
  for (const e of res.json.errors as { fix?: unknown; path?: unknown }[]) {
    assert.ok(typeof e.fix === 'string' && e.fix.length > 0, `errors[].fix ${where}`);
    assert.equal(typeof e.path, 'string', where);
  }
  if (paths) {
    const got = (res.json.errors as { path: string }[]).map((e) => e.path);
    for (const p of paths)
      assert.ok(got.includes(p), `path ${p} not in ${JSON.stringify(got)} ${where}`);
  }
}

/** One Server-Sent Events message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads `GET url` as an event stream until `until(messages)` holds (then disconnects), failing
 * after `timeoutMs`. `onOpen` is called once the answer's headers arrived. Returns the messages
 * and the raw text received.
 */
export async function readSse(
  url: string,
  headers: Record<string, string>,
  until: (messages: SseMessage[]) => boolean,
  opts: { timeoutMs?: number; onOpen?: () => void } = {},
): Promise<{ status: number; contentType: string | null; messages: SseMessage[]; raw: string }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ac = new AbortController();
  const messages: SseMessage[] = [];
  let raw = '';
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, timeoutMs);
  try {
    const res = await fetch(url, { headers, signal: ac.signal });
    const contentType = res.headers.get('content-type');
    // The hub subscribes before it sends the headers: from here on, new events reach this stream.
    opts.onOpen?.();
    if (!res.body || !contentType?.startsWith('text/event-stream')) {
      raw = await res.text();
      return { status: res.status, contentType, messages, raw };
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      if (until(messages)) break;
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (timedOut) {
          throw new Error(
            `SSE: condition not met within ${timeoutMs} ms; got ${messages.length} messages:\n${raw}`,
          );
        }
        throw err;
      }
      if (chunk.done) break;
      raw += chunk.value;
      buf += chunk.value;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m: SseMessage = { data: '' };
        let isEvent = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
          isEvent = true;
          if (field === 'id') m.id = value;
          else if (field === 'event') m.event = value;
          else if (field === 'data') m.data = m.data ? `${m.data}\n${value}` : value;
        }
        if (isEvent) messages.push(m);
      }
    }
    ac.abort();
    return { status: res.status, contentType, messages, raw };
  } finally {
    clearTimeout(timer);
  }
}
