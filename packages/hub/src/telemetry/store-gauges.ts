import type { Registry } from 'prom-client';
import type { Store } from '../store/port.js';
import { PREFIX, gauge } from './metrics.js';

/** How long one reading of the store serves scrapes (several Prometheus servers, retries). */
export const STORE_GAUGES_TTL_MS = 2_000;

type Key = 'active' | 'queued' | 'depth' | 'oldest' | 'approvals';

/**
 * One statement, each part on a partial index (runs_active, steps_ready, approvals_pending), plus
 * every project so that a project with nothing in flight reads 0 rather than vanishing.
 */
const SQL = `
  SELECT project, 'active' AS k, count(*)::float8 AS v FROM runs
   WHERE status IN ('running', 'waiting_approval') GROUP BY project
  UNION ALL
  SELECT project, 'queued', count(*)::float8 FROM runs WHERE status = 'queued' GROUP BY project
  UNION ALL
  SELECT r.project, x.k, x.v
    FROM (SELECT project, count(*)::float8 AS n,
                 extract(epoch FROM (now() - min(available_at)))::float8 AS age
            FROM steps WHERE status = 'ready' AND available_at <= now() GROUP BY project) r
   CROSS JOIN LATERAL (VALUES ('depth', r.n), ('oldest', r.age)) AS x(k, v)
  UNION ALL
  SELECT project, 'approvals', count(*)::float8 FROM approvals WHERE status = 'pending' GROUP BY project
  UNION ALL
  SELECT id, 'project', 0 FROM projects`;

interface Reading {
  projects: string[];
  values: Map<Key, Map<string, number>>;
}

/**
 * The gauges that describe the shared database rather than this process: active and queued runs,
 * queue depth and age of the oldest ready step, pending approvals — per project. Read at scrape
 * time by one query, cached {@link STORE_GAUGES_TTL_MS}, so scrapes never hammer the store. Every
 * process sharing the database reports the same values (dashboards take `max by (project)`).
 * A failing read leaves the gauges empty for that scrape (the store errors are counted).
 */
export function registerStoreGauges(
  registry: Registry,
  store: Store,
  opts: { ttlMs?: number } = {},
): void {
  const ttlMs = opts.ttlMs ?? STORE_GAUGES_TTL_MS;
  let cached: { at: number; reading: Promise<Reading | undefined> } | undefined;
  const read = (): Promise<Reading | undefined> => {
    const now = Date.now();
    if (!cached || now - cached.at >= ttlMs) {
      cached = { at: now, reading: load(store).catch(() => undefined) };
    }
    return cached.reading;
  };
  const define = (key: Key, name: string, help: string) =>
    gauge(registry, {
      name: `${PREFIX}${name}`,
      help,
      labelNames: ['project'],
      async collect() {
        const reading = await read();
        this.reset();
        if (!reading) return;
        const values = reading.values.get(key);
        for (const project of reading.projects) this.set({ project }, values?.get(project) ?? 0);
      },
    });
  define('active', 'runs_active', 'Runs running or waiting for an approval (store-wide)');
  define('queued', 'runs_queued', 'Runs waiting for a concurrency slot (store-wide)');
  define('depth', 'queue_depth', 'Steps ready to run and not yet claimed (store-wide)');
  define(
    'oldest',
    'queue_oldest_ready_age_seconds',
    'How long the oldest ready, unclaimed step has waited (0 when none)',
  );
  define('approvals', 'approvals_pending', 'Approvals waiting for a decision (store-wide)');
}

async function load(store: Store): Promise<Reading> {
  const r = await store.query<{ project: string; k: Key | 'project'; v: number }>(SQL);
  const reading: Reading = { projects: [], values: new Map() };
  for (const row of r.rows) {
    if (row.k === 'project') {
      reading.projects.push(row.project);
      continue;
    }
    let m = reading.values.get(row.k);
    if (!m) reading.values.set(row.k, (m = new Map()));
    m.set(row.project, Math.max(0, Number(row.v)));
  }
  return reading;
}
