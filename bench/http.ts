/**
 * HTTP workloads of `npm run bench`: a real hub (`startHub`, in the benchmark's process, with its
 * own engine worker at concurrency 50) listening on 127.0.0.1, driven through the REST API by a
 * keep-alive client in the same process. Run completion is learnt from one SSE subscription
 * (`GET /api/v1/events?workflow=one&types=<run end types>`), never by polling.
 *   W6  a 1-step run triggered with POST /api/v1/runs, 200× one after another:
 *       trigger→completion p50/p95/p99 (from sending the POST to receiving the run's end event)
 *   W7  2,000 POST /api/v1/runs from 32 concurrent keep-alive connections: accepted triggers/s,
 *       and the time until every run had completed
 * The hub runs with CC_RATE_LIMIT=0: its default per-token limit (6,000/min) would cap W7.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../packages/hub/src/config.js';
import { BuiltinRegistry } from '../packages/hub/src/executors/builtin.js';
import { startHub } from '../packages/hub/src/server/hub.js';
import { telemetryEnv } from './telemetry.js';

export const HTTP_NOTE =
  'W6/W7: HTTP to a hub on 127.0.0.1 started in this process (CC_RATE_LIMIT=0, CC_CONCURRENCY=50), ' +
  'client in the same process with keep-alive; completion from the SSE feed';

export interface HttpResult {
  store: string;
  workload: string;
  metric: string;
  value: number;
  unit: string;
  extra?: Record<string, number>;
}

export interface HttpBenchOptions {
  kind: 'pglite' | 'postgres';
  pgUrl: string;
  scale: number;
  workloads: Set<string>;
  log: (...a: unknown[]) => void;
}

const RUN_ENDS = [
  'workflow.run.succeeded',
  'workflow.run.failed',
  'workflow.run.cancelled',
  'workflow.run.timed_out',
];
/** W7: concurrent POSTs, and how long the whole workload may take. */
const W7_LANES = 32;
const W7_LIMIT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 30_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

interface RunEnd {
  type: string;
  runId: string;
}

/** A JSON client of the hub's API over keep-alive connections, plus SSE subscriptions. */
class ApiClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly streams = new Set<http.ClientRequest>();
  private readonly host: string;
  private readonly port: number;

  constructor(
    base: string,
    private readonly token: string,
  ) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  /** Sends one request; resolves with the status and the parsed JSON body. */
  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path: `/api/v1${path}`,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(data === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
            } catch (err) {
              reject(err as Error);
            }
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Like `request`, but anything other than a 2xx answer is an error. */
  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request(method, path, body);
    if (r.status < 200 || r.status > 299)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  }

  /**
   * Opens `GET /api/v1/events?<query>` on its own connection. Resolves once the stream is open:
   * from then on, every matching event is delivered (the hub fixed the start position before
   * answering).
   */
  events(query: string, onEvent: (e: RunEnd) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        {
          host: this.host,
          port: this.port,
          path: `/api/v1/events?${query}`,
          agent: false,
          headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`GET /api/v1/events: ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          let buf = '';
          res.on('data', (chunk: string) => {
            buf += chunk;
            let end;
            while ((end = buf.indexOf('\n\n')) >= 0) {
              const data = buf
                .slice(0, end)
                .split('\n')
                .find((l) => l.startsWith('data: '));
              buf = buf.slice(end + 2);
              if (data) onEvent(JSON.parse(data.slice(6)) as RunEnd); // else a comment
            }
          });
          res.on('error', () => {}); // closed by us
          resolve();
        },
      );
      this.streams.add(req);
      req.on('error', reject);
    });
  }

  close(): void {
    for (const s of this.streams) s.destroy();
    this.agent.destroy();
  }
}

/** Run ends seen on the stream: wait for one run, or for a number of them. */
class RunEnds {
  private readonly seen = new Map<string, string>();
  private readonly waiters = new Map<string, (status: string) => void>();
  private countWaiter: { n: number; resolve: () => void } | undefined;
  count = 0;
  failed = 0;

  readonly onEvent = (e: RunEnd) => {
    const status = e.type.slice('workflow.run.'.length);
    this.count++;
    if (status !== 'succeeded') this.failed++;
    const w = this.waiters.get(e.runId);
    if (w) {
      this.waiters.delete(e.runId);
      w(status);
    } else this.seen.set(e.runId, status);
    if (this.countWaiter && this.count >= this.countWaiter.n) this.countWaiter.resolve();
  };

  /** The end status of run `id` (it may have arrived before the trigger's answer). */
  wait(id: string): Promise<string> {
    const s = this.seen.get(id);
    if (s !== undefined) {
      this.seen.delete(id);
      return Promise.resolve(s);
    }
    return new Promise((resolve) => this.waiters.set(id, resolve));
  }

  /** Resolves when `n` runs ended in all (counted from the subscription's start). */
  untilCount(n: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve) => (this.countWaiter = { n, resolve }));
  }
}

function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what()}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** W6 and W7 against a fresh hub on `kind`; the hub's store is dropped afterwards. */
export async function benchHttp(o: HttpBenchOptions): Promise<HttpResult[]> {
  const results: HttpResult[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'cc-bench-http-'));
  const schema = `bench_http_${process.pid}_${Date.now()}`;
  const token = `cc_${randomBytes(24).toString('hex')}`;
  const config = loadConfig({
    CC_HOST: '127.0.0.1',
    CC_PORT: '0',
    CC_ADMIN_TOKEN: token,
    CC_RATE_LIMIT: '0',
    CC_CONCURRENCY: '50',
    CC_RETENTION_DAYS: '0',
    CC_DATA_DIR: dataDir, // PGlite on disk, as users run it
    CC_SECRET_KEY: randomBytes(32).toString('hex'),
    ...telemetryEnv,
    ...(o.kind === 'postgres' ? { DATABASE_URL: o.pgUrl, CC_DB_SCHEMA: schema } : {}),
  });
  const builtins = new BuiltinRegistry().register('bench', { noop: () => ({}) });
  const hub = await startHub(config, { applyExamples: false, builtins, log: (l) => o.log(l) });
  const client = new ApiClient(hub.url, token);
  try {
    await client.ok('POST', '/agents', {
      name: 'bench',
      version: '1.0.0',
      type: 'builtin',
      actions: { noop: {} },
    });
    await client.ok('POST', '/workflows', {
      name: 'one',
      nodes: [{ id: 's0', agent: 'bench', action: 'noop' }],
    });
    const ends = new RunEnds();
    await client.events(`workflow=one&types=${RUN_ENDS.join(',')}`, ends.onEvent);

    const oneRun = async () => {
      const t = performance.now();
      const run = await client.ok<{ id: string }>('POST', '/runs', { workflow: 'one' });
      const posted = performance.now() - t;
      const status = await within(ends.wait(run.id), REQUEST_TIMEOUT_MS, () => `run ${run.id}`);
      if (status !== 'succeeded') throw new Error(`run ${run.id} ${status}`);
      return { total: performance.now() - t, posted };
    };
    for (let i = 0; i < 20; i++) await oneRun(); // warm-up: connections, caches, JIT

    if (o.workloads.has('W6')) {
      const total: number[] = [];
      const posted: number[] = [];
      for (let i = 0; i < Math.round(200 * o.scale); i++) {
        const r = await oneRun();
        total.push(r.total);
        posted.push(r.posted);
      }
      results.push({
        store: o.kind,
        workload: 'W6',
        metric: 'HTTP trigger→completion p50',
        value: round(pct(total, 50)),
        unit: 'ms',
        extra: {
          runs: total.length,
          p95: round(pct(total, 95)),
          p99: round(pct(total, 99)),
          postP50: round(pct(posted, 50)),
        },
      });
    }

    if (o.workloads.has('W7')) {
      const runs = Math.round(2000 * o.scale);
      const before = ends.count;
      const failedBefore = ends.failed;
      const allEnded = ends.untilCount(before + runs);
      const posted: number[] = [];
      let next = 0;
      const t0 = performance.now();
      const lane = async () => {
        while (next < runs) {
          if (performance.now() - t0 > W7_LIMIT_MS)
            throw new Error(`W7: ${next} of ${runs} triggers sent in ${W7_LIMIT_MS} ms; stopped`);
          next++;
          const t = performance.now();
          await client.ok('POST', '/runs', { workflow: 'one' });
          posted.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: W7_LANES }, lane));
      const acceptedSecs = (performance.now() - t0) / 1000;
      await within(
        allEnded,
        Math.max(1, W7_LIMIT_MS - (performance.now() - t0)),
        () => `W7: ${ends.count - before} of ${runs} runs completed`,
      );
      const completedSecs = (performance.now() - t0) / 1000;
      results.push({
        store: o.kind,
        workload: 'W7',
        metric: 'HTTP triggers accepted/s',
        value: round(runs / acceptedSecs, 0),
        unit: 'runs/s',
        extra: {
          runs,
          lanes: W7_LANES,
          acceptedSeconds: round(acceptedSecs),
          allCompletedSeconds: round(completedSecs),
          completedPerSecond: round(runs / completedSecs, 0),
          postP50: round(pct(posted, 50)),
          postP99: round(pct(posted, 99)),
          failed: ends.failed - failedBefore,
        },
      });
    }
  } finally {
    client.close();
    await hub.stop();
    if (o.kind === 'postgres') {
      const c = new pg.Client({ connectionString: o.pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  return results;
}
