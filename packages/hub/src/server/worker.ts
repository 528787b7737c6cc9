import type { Config } from '../config.js';
import { openServices, type Services } from './services.js';

export interface RunningWorker {
  services: Services;
  stop(): Promise<void>;
}

/**
 * `commandcenter worker`: claims and runs steps only (no HTTP). Any number of them, on any
 * machine, share one PostgreSQL with the hubs.
 */
export async function startWorker(config: Readonly<Config>): Promise<RunningWorker> {
  const services = await openServices(config, { worker: true });
  await services.engine.start();
  let stopping: Promise<void> | undefined;
  return {
    services,
    stop: () => (stopping ??= services.close()),
  };
}
