import { CCError } from '@commandcenter/protocol';
import type { Config } from '../config.js';
import type { BuiltinRegistry } from '../executors/builtin.js';
import { startMetricsServer } from '../telemetry/metrics-server.js';
import { openServices, type Services } from './services.js';

export interface WorkerOptions {
  /** In-process actions of `builtin` agents this worker can run (default none). */
  builtins?: BuiltinRegistry;
}

export interface RunningWorker {
  services: Services;
  /** Where `/metrics` is served (CC_METRICS_PORT set and metrics on), else undefined. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/**
 * `commandcenter worker`: claims and runs steps only (no HTTP). Any number of them, on any
 * machine, share one PostgreSQL with the hubs.
 */
export async function startWorker(
  config: Readonly<Config>,
  opts: WorkerOptions = {},
): Promise<RunningWorker> {
  if (!config.databaseUrl) {
    throw new CCError('CC_E_CONFIG_INVALID', {
      detail:
        'commandcenter worker needs DATABASE_URL: workers share a PostgreSQL database with the hub, ' +
        'while the embedded store serves one process (`commandcenter up` runs its own workers)',
    });
  }
  const services = await openServices(config, { worker: true, builtins: opts.builtins });
  await services.engine.start();
  await services.leader.start();
  // Workers hold the cron leadership as often as hubs do: they must fire the schedules too.
  await services.startSchedulers();
  const metrics =
    services.metrics && config.metricsPort !== undefined
      ? await startMetricsServer(services.metrics, {
          port: config.metricsPort,
          host: config.host,
        }).catch(async (err: unknown) => {
          await services.close().catch(() => {});
          throw err;
        })
      : undefined;
  let stopping: Promise<void> | undefined;
  return {
    services,
    metricsUrl: metrics && `${metrics.url}/metrics`,
    stop: () =>
      (stopping ??= (async () => {
        await metrics?.close();
        await services.close();
      })()),
  };
}
