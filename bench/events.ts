/**
 * W9: event triggers through NATS JetStream — a hub's services (PGlite, and PostgreSQL when
 * `pgUrl` is given; engine worker at concurrency 50) with the event bridge, and a separate NATS client publishing on
 * `cc.<project>.bench.ping`, which the `event: bench.ping` trigger of a one-step workflow consumes:
 *   - event→run-started latency: one event at a time, from publishing it (JetStream ack included)
 *     to the engine's `workflow.run.started` of the run it triggered; p50/p99
 *   - sustained events/s: N events published at once (acked by JetStream), until N runs exist
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import type { CCEvent } from '../packages/protocol/src/index.js';
import { startEventBridge } from '../packages/hub/src/bus/index.js';
import { streamName } from '../packages/hub/src/bus/subjects.js';
import { loadConfig } from '../packages/hub/src/config.js';
import { BuiltinRegistry } from '../packages/hub/src/executors/builtin.js';
import { openServices } from '../packages/hub/src/server/services.js';
import type { HttpResult } from './http.js';

/** How long one measurement may take before the benchmark gives up. */
const WAIT_LIMIT_MS = 120_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export async function benchEvents(opts: {
  scale: number;
  natsUrl?: string;
  /** PostgreSQL to benchmark as well (a schema of its own, dropped afterwards). */
  pgUrl?: string;
  log: (...a: unknown[]) => void;
}): Promise<HttpResult[]> {
  if (!opts.natsUrl) {
    opts.log('NATS unreachable: W9 (event triggers through JetStream) is skipped');
    return [];
  }
  const results = await benchStore('pglite', opts.natsUrl, opts);
  if (opts.pgUrl) {
    const schema = `bench_events_${process.pid}_${Date.now()}`;
    try {
      results.push(
        ...(await benchStore('postgres', opts.natsUrl, opts, {
          DATABASE_URL: opts.pgUrl,
          CC_DB_SCHEMA: schema,
        })),
      );
    } finally {
      const c = new pg.Client({ connectionString: opts.pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
  return results;
}

async function benchStore(
  store: 'pglite' | 'postgres',
  natsUrl: string,
  opts: { scale: number; log: (...a: unknown[]) => void },
  env: Record<string, string> = {},
): Promise<HttpResult[]> {
  opts.log(`W9 on ${store}…`);
  const dataDir = await mkdtemp(join(tmpdir(), 'cc-bench-events-'));
  const project = `bench-${randomBytes(4).toString('hex')}`;
  const services = await openServices(
    loadConfig({ CC_DATA_DIR: dataDir, NATS_URL: natsUrl, CC_CONCURRENCY: '50', ...env }),
    {
      builtins: new BuiltinRegistry().register('bench', { noop: () => ({}) }),
      shippedAgents: false,
      log: () => {},
    },
  );
  const nc = await connect({ servers: natsUrl });
  const js = jetstream(nc);
  const bridge = await startEventBridge(services, (l) => opts.log(l), { natsUrl });
  // Run events of the workflow, as the engine commits them.
  const listeners = new Set<(e: CCEvent) => void>();
  const unsubscribe = services.engine.subscribe((e) => {
    for (const l of listeners) l(e);
  });
  const next = (type: string, count: number) =>
    new Promise<void>((resolve, reject) => {
      let seen = 0;
      const timer = setTimeout(() => {
        listeners.delete(l);
        reject(new Error(`W9: ${seen} of ${count} ${type} events within ${WAIT_LIMIT_MS} ms`));
      }, WAIT_LIMIT_MS);
      const l = (e: CCEvent) => {
        if (e.project !== project || e.type !== type || ++seen < count) return;
        clearTimeout(timer);
        listeners.delete(l);
        resolve();
      };
      listeners.add(l);
    });
  const subject = `cc.${project}.bench.ping`;
  const results: HttpResult[] = [];
  try {
    await services.engine.start();
    await services.engine.registerAgent(project, {
      name: 'bench',
      version: '1.0.0',
      type: 'builtin',
      actions: { noop: {} },
    });
    await services.engine.applyWorkflow(project, {
      name: 'ping',
      triggers: [{ event: 'bench.ping' }],
      nodes: [{ id: 'n', agent: 'bench', action: 'noop' }],
    });
    await bridge.refresh();

    const n = Math.max(20, Math.round(200 * opts.scale));
    const lat: number[] = [];
    for (let i = 0; i < n + 5; i++) {
      const started = next('workflow.run.started', 1);
      const t = performance.now();
      await js.publish(subject, JSON.stringify({ i }), { msgID: `lat-${i}` });
      await started;
      if (i >= 5) lat.push(performance.now() - t); // the first ones warm up
    }
    results.push({
      store,
      workload: 'W9',
      metric: 'event→run started p50 (NATS)',
      value: round(pct(lat, 50)),
      unit: 'ms',
      extra: { p99: round(pct(lat, 99)), events: n },
    });

    const burst = Math.max(100, Math.round(2000 * opts.scale));
    const created = next('workflow.run.queued', burst);
    const t = performance.now();
    for (let i = 0; i < burst; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, burst - i) }, (_, k) =>
          js.publish(subject, JSON.stringify({ i: i + k }), { msgID: `burst-${i + k}` }),
        ),
      );
    }
    await created;
    const seconds = (performance.now() - t) / 1000;
    results.push({
      store,
      workload: 'W9',
      metric: 'sustained events→runs (NATS)',
      value: round(burst / seconds, 1),
      unit: 'events/s',
      extra: { events: burst, seconds: round(seconds, 2) },
    });
  } finally {
    unsubscribe();
    await bridge.stop();
    await (await jetstreamManager(nc)).streams.delete(streamName(project)).catch(() => {});
    await nc.drain();
    await services.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return results;
}
