import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { BuiltinRegistry } from '../executors/builtin.js';
import { buildApp } from '../api/app.js';
import { applyExamples } from './examples.js';
import { openServices, startRetention, type Services } from './services.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface HubOptions {
  /** Apply the examples (`CC_EXAMPLES_DIR`, default the repository's examples/). */
  applyExamples?: boolean;
  log?: (line: string) => void;
  /** In-process actions of `builtin` agents this hub's workers can run (default none). */
  builtins?: BuiltinRegistry;
}

export interface RunningHub {
  url: string;
  /** One-time admin login link (absent when CC_ADMIN_TOKEN is set). */
  loginUrl?: string;
  services: Services;
  stop(): Promise<void>;
}

/**
 * `commandcenter up`: API, engine workers and the UI in one process. Stopping is graceful: the
 * HTTP server stops accepting, running steps finish or are handed back, then the store closes.
 */
export async function startHub(
  config: Readonly<Config>,
  opts: HubOptions = {},
): Promise<RunningHub> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const services = await openServices(config, { builtins: opts.builtins });
  const { engine, tokens, sessions } = services;
  try {
    await engine.start();
    await services.leader.start();
    await services.startSchedulers();
    if (opts.applyExamples ?? true) {
      await applyExamples(engine, config.examplesDir ?? resolve(here, '../../../../examples'), log);
    }
    if (config.adminToken) await tokens.ensureAdmin(config.adminToken);
    const app = await buildApp({
      ...services,
      bodyLimit: config.bodyLimit,
      rateLimit: config.rateLimit,
      uiDir: config.uiDir,
    });
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
    const base = config.publicUrl ?? url;
    const loginUrl = config.adminToken
      ? undefined
      : `${base}/login?code=${await sessions.createLoginCode(60 * 60_000)}`;
    const stopRetention = startRetention(services, log);
    let stopping: Promise<void> | undefined;
    return {
      url,
      loginUrl,
      services,
      stop: () =>
        (stopping ??= (async () => {
          stopRetention();
          await app.close();
          await services.close();
        })()),
    };
  } catch (err) {
    await services.close().catch(() => {});
    throw err;
  }
}
