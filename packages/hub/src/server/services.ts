import type { Config } from '../config.js';
import { AuditLog } from '../audit/audit-log.js';
import { LeaderLock } from '../cluster/leader.js';
import { SessionStore } from '../auth/session-store.js';
import { TokenStore } from '../auth/token-store.js';
import { Engine } from '../engine/engine.js';
import { RunQueries } from '../engine/queries.js';
import { EventFeed } from '../events/event-feed.js';
import { registerShippedActions, shippedManifests } from '../agents/index.js';
import { BuiltinRegistry } from '../executors/builtin.js';
import { NatsAgentDiscovery } from '../executors/nats-discovery.js';
import { createExecutors, type Executors } from '../executors/registry.js';
import { loadSecretKey } from '../secrets/secret-key.js';
import { SecretStore } from '../secrets/secret-store.js';
import { migrationsCurrent } from '../store/migrate.js';
import { startEventBridge, type EventBridge } from '../bus/index.js';
import { CronScheduler } from '../triggers/cron-scheduler.js';
import { TriggerFirer } from '../triggers/trigger-firer.js';
import { TriggerStore } from '../triggers/trigger-store.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import type { CostRates } from '../telemetry/cost.js';
import { observeEngine } from '../telemetry/engine-metrics.js';
import { instrumentStore } from '../telemetry/instrumented-store.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { MeteredFirer } from '../telemetry/metrics-triggers.js';
import { registerStoreGauges } from '../telemetry/store-gauges.js';
import { Tracing } from '../telemetry/tracing.js';
import { engineTracing } from '../telemetry/tracing-engine.js';

/** Everything a hub or worker process runs, wired from one frozen config. */
export interface Services {
  config: Readonly<Config>;
  store: Store;
  /** Prometheus metrics of this process (absent with CC_TELEMETRY=off). */
  metrics?: Metrics;
  /** OpenTelemetry tracing of this process (absent unless the OTEL_* variables turn it on). */
  tracing?: Tracing;
  /** What turns attempts into cost (CC_COMPUTE_COST_PER_SECOND). */
  cost: CostRates;
  executors: Executors;
  engine: Engine;
  queries: RunQueries;
  tokens: TokenStore;
  sessions: SessionStore;
  audit: AuditLog;
  secrets: SecretStore;
  feed: EventFeed;
  /** The triggers of every workflow, their state and history. */
  triggers: TriggerStore;
  /** Starts runs from triggers (idempotent, recorded). */
  firer: TriggerFirer;
  /**
   * Cron leadership across every hub and worker process of one database (advisory lock); the
   * scheduler fires only while `leader.isLeader`.
   */
  leader: LeaderLock;
  /**
   * Starts what fires triggers in the background: the cron scheduler and the event bridge (each
   * acts only while this process leads it). Call after `leader.start()`; `close()` stops them
   * first.
   */
  startSchedulers(): Promise<void>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Run engine workers in this process (default true). */
  worker?: boolean;
  /** Use this store instead of opening the configured one (tests). */
  store?: Store;
  /** In-process actions of more `builtin` agents this process can run (tests). */
  builtins?: BuiltinRegistry;
  /**
   * Register the agents shipped with the hub in every project and run their actions (default
   * true; some API tests count agents and events exactly, and turn them off).
   */
  shippedAgents?: boolean;
  /** Where NATS discovery reports (default console). */
  log?: (line: string) => void;
  /**
   * Tracing of this process; default what the OTEL_* variables configure (tests pass their own,
   * kept open on close, or null for none).
   */
  tracing?: Tracing | null;
}

/** Opens the store (migrating it) and builds the engine and the services around it. */
export async function openServices(
  config: Readonly<Config>,
  opts: ServiceOptions = {},
): Promise<Services> {
  const opened =
    opts.store ??
    (await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      schema: config.dbSchema,
    }));
  const metrics = config.telemetry
    ? createMetrics({ store: opened.kind, bus: config.natsUrl ? 'nats' : 'local' })
    : undefined;
  const metered = metrics ? instrumentStore(opened, metrics.registry) : opened;
  // Tracing only when the OTEL_* variables turn it on (tests pass their own or null).
  const tracing = opts.tracing === undefined ? Tracing.fromEnv() : (opts.tracing ?? undefined);
  const traced = tracing ? engineTracing(tracing, metered) : undefined;
  const store = traced?.store ?? metered;
  const key = loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir });
  if (config.databaseUrl && key.source === 'file' && !opts.store) {
    console.warn(
      `secrets: using the key file in ${config.dataDir} (key id ${key.keyId}); every hub and ` +
        'worker process on this database must use the same key — set CC_SECRET_KEY on all of them',
    );
  }
  const secrets = new SecretStore(store, key);
  const shipped = opts.shippedAgents ?? true;
  const builtins = opts.builtins ?? new BuiltinRegistry();
  if (shipped) registerShippedActions({ workspaceRoots: config.workspaceRoots }, builtins);
  const executors = createExecutors({ builtins, natsUrl: config.natsUrl });
  const engine = new Engine({
    store,
    executors,
    secrets,
    worker: opts.worker ?? true,
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    ...(traced ? { attempts: traced.attempts } : {}),
  });
  const unwatchTraces = traced?.watch(engine);
  if (metrics) {
    observeEngine(metrics.registry, engine, config);
    registerStoreGauges(metrics.registry, store);
  }
  if (shipped) {
    engine.catalog.setBuiltins(shippedManifests);
    await engine.catalog.installBuiltinsEverywhere();
  }
  const feed = new EventFeed(store);
  engine.subscribe(() => feed.wake());
  const triggers = new TriggerStore(store);
  const firer = metrics
    ? new MeteredFirer(engine, triggers, metrics.registry)
    : new TriggerFirer(engine, triggers);
  const leader = new LeaderLock(store, 'cron');
  const log = opts.log ?? ((line: string) => console.log(line));
  // NATS services that carry an agent manifest register themselves (SPEC §4).
  const discovery = config.natsUrl
    ? new NatsAgentDiscovery({
        servers: config.natsUrl,
        register: (project, manifest) => engine.registerAgent(project, manifest),
        log: (line) => log(`nats discovery: ${line}`),
      })
    : undefined;
  await discovery?.start();
  // Every process runs the scheduler; only the leader's fires (one run per tick regardless).
  const cron = new CronScheduler({ store, triggers, firer, leader, log });
  let bridge: EventBridge | undefined;
  return {
    config,
    store,
    metrics,
    tracing,
    cost: { computePerSecond: config.computeCostPerSecond },
    executors,
    engine,
    queries: new RunQueries(store),
    tokens: new TokenStore(store),
    sessions: new SessionStore(store),
    audit: new AuditLog(store),
    secrets,
    feed,
    triggers,
    firer,
    leader,
    async ready() {
      await store.query('SELECT 1');
      return migrationsCurrent(store);
    },
    async startSchedulers() {
      await cron.start();
      // Engine events to the bus (NATS with NATS_URL) and event triggers; any process may lead it.
      bridge = await startEventBridge({ config, store, engine, triggers, firer }, log);
    },
    async close() {
      await bridge?.stop();
      await cron.stop();
      await discovery?.stop();
      await leader.stop();
      await engine.stop();
      unwatchTraces?.();
      if (tracing && opts.tracing === undefined) await tracing.shutdown();
      await feed.close();
      if (!opts.store) await store.close();
    },
  };
}

/** Deletes finished runs past retention, now and hourly (CC_RETENTION_DAYS; 0 keeps all). */
export function startRetention(s: Services, log: (line: string) => void): () => void {
  if (s.config.retentionDays <= 0) return () => {};
  const prune = () =>
    s.engine
      .pruneRuns(s.config.retentionDays * 86_400_000)
      .then(async (n) => {
        if (n > 0) log(`retention: deleted ${n} finished runs`);
        const records = await s.triggers.prune(s.config.retentionDays * 86_400_000);
        if (records > 0) log(`retention: deleted ${records} trigger history and delivery records`);
        return s.sessions.prune();
      })
      .catch((err: unknown) => log(`retention failed: ${String(err)}`));
  void prune();
  const timer = setInterval(() => void prune(), 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
