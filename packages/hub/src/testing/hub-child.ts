/**
 * A hub (`up`) or worker (`worker`) process for the scale-out test, started the way the CLI will
 * start one: `node --conditions=source --import tsx hub-child.ts up|worker`, configured only by
 * its environment (`loadConfig`). Both kinds register the `scale` builtin agent (see
 * `scaleBuiltins`), so any of them can run any step.
 *
 * stdout protocol (one line each, the rest of stdout is the hub's own log):
 * - `READY {"role","pid","workerId","url"?}` once it serves (url: the hub's API) and works;
 * - `WORK <done> <inflight>` whenever this process claimed a step or recorded one as succeeded:
 *   steps it completed so far, and attempts it holds a lease on now. Both come from its engine's
 *   events (published after commit), so a line never runs ahead of the database;
 * - `RUN {"runId","workflow","trigger","tick"?}` whenever this process created a run (`trigger`: its
 *   type; a `cron` run was fired by this process's scheduler, as the leader, and `tick` is the
 *   cron tick it stands for, read back from the run);
 * - `STOPPED` after a graceful stop on SIGTERM; the process then exits on its own, with code 0,
 *   or prints the error and exits with 1.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../config.js';
import { BuiltinRegistry } from '../executors/builtin.js';
import { startHub, type RunningHub } from '../server/hub.js';
import { startWorker, type RunningWorker } from '../server/worker.js';

/**
 * The `scale` agent's one action: waits 25 ms (so that a process holds several attempts at once
 * and a SIGKILL catches some in flight) and answers `{}`. It keeps nothing in memory: which
 * process ran what is in the database (`attempts.worker`).
 */
function scaleBuiltins(): BuiltinRegistry {
  return new BuiltinRegistry().register('scale', {
    step: async (_input, ctx) => {
      await delay(25, undefined, { signal: ctx.signal });
      return {};
    },
  });
}

const role = process.argv[2];
if (role !== 'up' && role !== 'worker') {
  console.error('usage: hub-child.ts up|worker (configured by the CC_* environment)');
  process.exit(2);
}
const config = loadConfig(process.env);
const running: RunningHub | RunningWorker =
  role === 'up'
    ? await startHub(config, { applyExamples: false, builtins: scaleBuiltins() })
    : await startWorker(config, { builtins: scaleBuiltins() });
const { engine } = running.services;

let done = 0;
let started = 0;
engine.subscribe((e) => {
  if (e.type === 'workflow.run.queued') {
    const { runId, workflow, trigger } = e.data;
    if (trigger !== 'cron') console.log(`RUN ${JSON.stringify({ runId, workflow, trigger })}`);
    else void printCronRun(runId, workflow);
    return;
  }
  if (e.type === 'workflow.step.started') started++;
  else if (e.type === 'workflow.step.succeeded') done++;
  else return;
  console.log(`WORK ${done} ${started - done}`);
});

async function printCronRun(runId: string, workflow: string) {
  try {
    const r = await running.services.store.query<{ tick: string | null }>(
      `SELECT trigger->>'tick' AS tick FROM runs WHERE id = $1`,
      [runId],
    );
    const tick = r.rows[0]?.tick ?? undefined;
    console.log(`RUN ${JSON.stringify({ runId, workflow, trigger: 'cron', tick })}`);
  } catch (err) {
    console.error(`reading run ${runId} failed:`, err);
  }
}

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  running.stop().then(
    () => console.log('STOPPED'),
    (err: unknown) => {
      console.error('stop failed:', err);
      process.exit(1);
    },
  );
});

console.log(
  `READY ${JSON.stringify({
    role,
    pid: process.pid,
    workerId: engine.options.workerId,
    ...('url' in running ? { url: running.url } : {}),
  })}`,
);
