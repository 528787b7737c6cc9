/**
 * Engine benchmarks (issue #2), on PGlite and, when reachable, PostgreSQL:
 *   W1  1-step workflow triggered 200× one after another: trigger→completion p50/p95/p99
 *   W2  10-step chain ×100: per-step overhead (run latency / 10)
 *   W3  1 → 20 parallel → 1 join ×50: p50 run latency
 *   W4  5,000 one-step runs enqueued at once, drained with concurrency 50: runs/s
 *   W5  W4 through `process` agents (one spawn per attempt)
 * and, through the REST API of a real hub on 127.0.0.1 (bench/http.ts):
 *   W6  1-step run triggered with POST /api/v1/runs 200× one after another, completion from SSE:
 *       trigger→completion p50/p95/p99
 *   W7  2,000 POST /api/v1/runs from 32 concurrent keep-alive connections: triggers/s, and the
 *       time until all of them completed
 * and, without a store (bench/agents.ts):
 *   W8  one attempt through each agent transport: builtin, process one-shot (sh, node), process
 *       persistent, http (127.0.0.1) and nats: round trip p50/p99
 * and, through NATS JetStream (bench/events.ts):
 *   W9  event published on cc.<project>.bench.ping → run started by its event trigger: p50/p99,
 *       and sustained events/s
 * Usage: npm run bench [-- --json] [-- --only W1,W4] [-- --stores pglite,postgres]
 * Metrics are on, as in a hub; `CC_TELEMETRY=off npm run bench …` measures without them.
 */
import pg from 'pg';
import { connect as netConnect } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../packages/hub/src/engine/engine.js';
import { BuiltinRegistry } from '../packages/hub/src/executors/builtin.js';
import { createExecutors } from '../packages/hub/src/executors/registry.js';
import { openStore } from '../packages/hub/src/store/open-store.js';
import type { Store } from '../packages/hub/src/store/port.js';
import { benchAgents } from './agents.js';
import { benchEvents } from './events.js';
import { benchHttp, HTTP_NOTE, type HttpResult } from './http.js';
import { TELEMETRY_NOTE, meteredEngine, meteredStore } from './telemetry.js';
import { TRACING_NOTE, closeTracing, tracedEngineOptions } from './tracing.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    stores: { type: 'string' },
    scale: { type: 'string', default: '1' },
  },
});
const scale = Number(values.scale);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const log = (...a: unknown[]) =>
  (values.json ? process.stderr : process.stdout).write(a.join(' ') + '\n');
const pgUrl = process.env.CC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Result = HttpResult;
const results: Result[] = [];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

const agents = {
  noop: { name: 'bench', version: '1.0.0', type: 'builtin', actions: { noop: {} } },
  proc: {
    name: 'proc',
    version: '1.0.0',
    type: 'process',
    runtime: { command: ['/bin/sh', '-c', 'read line; echo \'{"output":{}}\''] },
    actions: { noop: {} },
  },
};

const chain = (name: string, n: number, agent = 'bench') => ({
  name,
  nodes: Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    agent,
    action: 'noop',
    ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}),
  })),
});
const fanout = {
  name: 'fanout',
  nodes: [
    { id: 'first', agent: 'bench', action: 'noop' },
    ...Array.from({ length: 20 }, (_, i) => ({
      id: `p${i}`,
      agent: 'bench',
      action: 'noop',
      dependsOn: ['first'],
    })),
    {
      id: 'join',
      agent: 'bench',
      action: 'noop',
      dependsOn: Array.from({ length: 20 }, (_, i) => `p${i}`),
    },
  ],
};

async function freshStore(kind: string): Promise<Store & { drop(): Promise<void> }> {
  const schema = `bench_${process.pid}_${Date.now()}`;
  const store = meteredStore(
    kind === 'postgres'
      ? await openStore({ databaseUrl: pgUrl, schema, poolSize: 20 })
      : await openStore({ dataDir: await mkdtemp(join(tmpdir(), 'cc-bench-')) }), // on disk, as users run it
  );
  return Object.assign(store, {
    async drop() {
      await store.close();
      if (kind === 'postgres') {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
    },
  });
}

function makeEngine(store: Store, concurrency: number, worker = true) {
  const builtins = new BuiltinRegistry().register('bench', { noop: () => ({}) });
  const traced = tracedEngineOptions(store);
  const engine = new Engine({
    ...traced.options,
    executors: createExecutors({ builtins }),
    concurrency,
    worker,
  });
  traced.watch(engine);
  return meteredEngine(engine);
}

async function sequential(engine: Engine, workflow: string, n: number): Promise<number[]> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await engine.createRun('default', workflow);
    const status = await engine.waitForRun(r.id, { recheckMs: 60_000 });
    if (status !== 'succeeded') throw new Error(`run ${r.id} ${status}`);
    lat.push(performance.now() - t);
  }
  return lat;
}

async function drain(kind: string, store: Store, workflow: string, runs: number, label: string) {
  // Enqueue with no worker running, then drain with one worker of concurrency 50.
  const producer = makeEngine(store, 0, false);
  const ids: string[] = [];
  for (let i = 0; i < runs; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, runs - i) }, () =>
        producer.createRun('default', workflow),
      ),
    );
    ids.push(...batch.map((r) => r.id));
  }
  const consumer = makeEngine(store, 50);
  let done = 0;
  let failed = 0;
  const finished = new Promise<void>((resolve) => {
    consumer.subscribe((e) => {
      if (!e.type.startsWith('workflow.run.') || e.type === 'workflow.run.started') return;
      if (e.type !== 'workflow.run.succeeded' && failed++ < 3)
        log('run did not succeed:', JSON.stringify(e.data));
      if (++done === runs) resolve();
    });
  });
  const t = performance.now();
  await consumer.start();
  await finished;
  const secs = (performance.now() - t) / 1000;
  await consumer.stop();
  results.push({
    store: kind,
    workload: label,
    metric: 'throughput',
    value: round(runs / secs, 0),
    unit: 'runs/s',
    extra: { runs, failed, seconds: round(secs, 2) },
  });
}

async function benchStore(kind: string) {
  const store = await freshStore(kind);
  try {
    const setup = makeEngine(store, 0, false);
    await setup.registerAgent('default', agents.noop);
    await setup.registerAgent('default', agents.proc);
    await setup.applyWorkflow('default', chain('one', 1));
    await setup.applyWorkflow('default', chain('ten', 10));
    await setup.applyWorkflow('default', fanout);
    await setup.applyWorkflow('default', chain('proc-one', 1, 'proc'));

    const engine = makeEngine(store, 50);
    await engine.start();
    await sequential(engine, 'one', 20); // warm-up: caches, JIT, connections
    if (!only || only.has('W1')) {
      const lat = await sequential(engine, 'one', Math.round(200 * scale));
      results.push({
        store: kind,
        workload: 'W1',
        metric: 'trigger→completion p50',
        value: round(pct(lat, 50)),
        unit: 'ms',
        extra: { p95: round(pct(lat, 95)), p99: round(pct(lat, 99)) },
      });
    }
    if (!only || only.has('W2')) {
      const lat = await sequential(engine, 'ten', Math.round(100 * scale));
      results.push({
        store: kind,
        workload: 'W2',
        metric: 'per-step overhead p50',
        value: round(pct(lat, 50) / 10),
        unit: 'ms/step',
        extra: { runP50: round(pct(lat, 50)), runP99: round(pct(lat, 99)) },
      });
    }
    if (!only || only.has('W3')) {
      const lat = await sequential(engine, 'fanout', Math.round(50 * scale));
      results.push({
        store: kind,
        workload: 'W3',
        metric: 'run p50',
        value: round(pct(lat, 50)),
        unit: 'ms',
        extra: { p95: round(pct(lat, 95)) },
      });
    }
    await engine.stop();
    if (!only || only.has('W4')) await drain(kind, store, 'one', Math.round(5000 * scale), 'W4');
    if (!only || only.has('W5'))
      await drain(kind, store, 'proc-one', Math.round(2000 * scale), 'W5');
  } finally {
    await store.drop();
  }
}

async function postgresReachable() {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

const stores = values.stores
  ? values.stores.split(',')
  : ['pglite', ...((await postgresReachable()) ? ['postgres'] : [])];
if (!stores.includes('postgres'))
  log(`PostgreSQL at ${pgUrl} is unreachable: benchmarking PGlite only`);
const selected = (w: string) => !only || only.has(w);
const httpWorkloads = new Set(['W6', 'W7'].filter(selected));
const notes = [TELEMETRY_NOTE, TRACING_NOTE, ...(httpWorkloads.size ? [HTTP_NOTE] : [])];
for (const kind of stores) {
  log(`benchmarking ${kind}…`);
  if (['W1', 'W2', 'W3', 'W4', 'W5'].some(selected)) await benchStore(kind);
  if (httpWorkloads.size) {
    if (kind !== 'pglite' && kind !== 'postgres') throw new Error(`unknown store ${kind}`);
    results.push(...(await benchHttp({ kind, pgUrl, scale, workloads: httpWorkloads, log })));
  }
}
/** Whether a TCP connection to the NATS URL's host and port opens. */
function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise<boolean>((resolve) => {
    const s = netConnect({ host: u.hostname, port: Number(u.port) || 4222 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

if (selected('W8')) {
  log('benchmarking agent transports…');
  const natsUrl = process.env.CC_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const natsUp = await reachable(natsUrl);
  results.push(...(await benchAgents({ scale, log, ...(natsUp ? { natsUrl } : {}) })));
}
if (selected('W9')) {
  const natsUrl = process.env.CC_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  if (!(await reachable(natsUrl))) log(`NATS at ${natsUrl} is unreachable: skipping W9`);
  else
    results.push(
      ...(await benchEvents({
        scale,
        log,
        natsUrl,
        ...(stores.includes('postgres') ? { pgUrl } : {}),
      })),
    );
}
await closeTracing();
if (values.json) {
  process.stdout.write(
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, notes, results },
      null,
      2,
    ) + '\n',
  );
} else {
  for (const n of notes) log(n);
  console.table(
    results.map((r) => ({
      store: r.store,
      workload: r.workload,
      metric: r.metric,
      value: `${r.value} ${r.unit}`,
      detail: r.extra ? JSON.stringify(r.extra) : '',
    })),
  );
}
