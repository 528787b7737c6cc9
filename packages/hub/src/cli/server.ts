/**
 * `up`, `worker` and `migrate`: the commands that run the hub itself (configured by the
 * environment through `config.ts`, not by the CLI's flags).
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { printError, printJson, line } from './output.js';

/** Loaded on demand: the other commands must not pay for (or depend on) the whole hub. */
function loadServer() {
  return import('../server/index.js');
}

export function registerServerCommands(program: Command): void {
  program
    .command('up')
    .description(
      'start the hub: HTTP API, engine workers, landing page (configured by CC_* variables)',
    )
    .option('--examples', 'apply the example agents and workflows at start')
    .option('--no-examples', 'do not apply the examples')
    .action(async (opts: { examples?: boolean }, cmd: Command) => {
      const json = cmd.optsWithGlobals<{ json?: boolean }>().json === true;
      await serve(async () => {
        const server = await loadServer();
        const hub = await server.startHub(loadConfig(), { applyExamples: opts.examples });
        if (json) printJson({ url: hub.url, loginUrl: hub.loginUrl ?? null });
        else {
          line(`CommandCenter hub listening on ${hub.url}`);
          if (hub.loginUrl) line(`Open ${hub.loginUrl} to log in (one-time link)`);
        }
        return hub;
      });
    });

  program
    .command('worker')
    .description('run an engine worker only (PostgreSQL: any number of them share the hub’s work)')
    .action(async () => {
      await serve(async () => {
        const server = await loadServer();
        const worker = await server.startWorker(loadConfig());
        line(
          'CommandCenter worker running (Ctrl-C to stop; running steps finish or are handed back)',
        );
        return worker;
      });
    });

  program
    .command('migrate')
    .description('apply the pending store migrations and exit')
    .action(async (_opts: unknown, cmd: Command) => {
      const server = await loadServer();
      const result = await server.runMigrations(loadConfig());
      if (cmd.optsWithGlobals<{ json?: boolean }>().json === true) printJson(result);
      else if (result.applied.length === 0) line('the store is up to date: no migration to apply');
      else line(`applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`);
    });
}

/**
 * A second signal this soon after the first is the same request delivered twice: Ctrl-C reaches
 * every process of the terminal's group, and `npm start` also forwards it to the hub.
 */
const duplicateSignalMs = 300;

/**
 * Starts a long-running process and never resolves: SIGINT/SIGTERM call `stop()` once and exit 0
 * (1 if stopping fails); a second signal exits 1 at once. A signal during start-up stops the
 * process as soon as it has started.
 */
async function serve(start: () => Promise<{ stop(): Promise<void> }>): Promise<never> {
  const state: { firstSignalAt?: number; started?: { stop(): Promise<void> } } = {};
  const stop = () => {
    if (!state.started) return;
    console.error('stopping: no new claims; running steps finish or are handed back…');
    state.started.stop().then(
      () => {
        console.error('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        printError(err);
        process.exit(1);
      },
    );
  };
  const onSignal = () => {
    const now = Date.now();
    if (state.firstSignalAt !== undefined) {
      if (now - state.firstSignalAt >= duplicateSignalMs) process.exit(1);
      return;
    }
    state.firstSignalAt = now;
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  state.started = await start();
  if (state.firstSignalAt !== undefined) stop();
  return new Promise<never>(() => undefined);
}
