import { createRequire } from 'node:module';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';

/**
 * Prometheus metrics of one hub or worker process (docs/observability.md, "Metrics"). One
 * registry per `Services`, never prom-client's global one, so that several hubs in one process
 * (tests) keep their numbers apart. Each sibling file defines the metrics it observes through
 * {@link counter} / {@link gauge} / {@link histogram}, which return the registered metric when it
 * exists already (an app built twice over the same services must not throw).
 */
export interface Metrics {
  readonly registry: Registry;
  /** The exposition format's content type (`text/plain; version=0.0.4; charset=utf-8`). */
  readonly contentType: string;
  /** Every metric as Prometheus text (runs the scrape-time collectors). */
  text(): Promise<string>;
}

export const PREFIX = 'cc_';

/** Buckets (s) of every run, step and approval duration: 5 ms … 24 h. */
export const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200,
  21600, 43200, 86400,
];

/** Buckets (s) of HTTP request durations: 1 ms … 30 s. */
export const HTTP_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Buckets (s) of store query durations: 0.5 ms … 10 s. */
export const QUERY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface BuildInfo {
  store: 'pglite' | 'postgres';
  bus: 'local' | 'nats';
}

/** A registry with `cc_build_info` and the process metrics (CPU, memory, heap, event-loop lag). */
export function createMetrics(info: BuildInfo): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  gauge(registry, {
    name: `${PREFIX}build_info`,
    help: 'Always 1; the labels say which hub version runs on which store and event bus',
    labelNames: ['version', 'store', 'bus'],
  }).set({ version: hubVersion(), store: info.store, bus: info.bus }, 1);
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
  };
}

function existing<M extends Metric>(registry: Registry, name: string): M | undefined {
  return registry.getSingleMetric(name) as M | undefined;
}

export function counter<L extends string>(
  registry: Registry,
  cfg: Omit<CounterConfiguration<L>, 'registers'>,
): Counter<L> {
  return existing(registry, cfg.name) ?? new Counter({ ...cfg, registers: [registry] });
}

export function gauge<L extends string>(
  registry: Registry,
  cfg: Omit<GaugeConfiguration<L>, 'registers'>,
): Gauge<L> {
  return existing(registry, cfg.name) ?? new Gauge({ ...cfg, registers: [registry] });
}

export function histogram<L extends string>(
  registry: Registry,
  cfg: Omit<HistogramConfiguration<L>, 'registers'>,
): Histogram<L> {
  return existing(registry, cfg.name) ?? new Histogram({ ...cfg, registers: [registry] });
}

/**
 * A label value from a name the store holds (project, workflow, agent, action, model): never
 * empty, and cut short so that a pathological value cannot blow up the series.
 */
export function labelValue(v: unknown, fallback = 'none'): string {
  if (typeof v !== 'string' || v === '') return fallback;
  return v.length > 100 ? v.slice(0, 100) : v;
}

let version: string | undefined;

/** The hub package's version (src/ and dist/ sit at the same depth). */
export function hubVersion(): string {
  version ??= (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  return version;
}
