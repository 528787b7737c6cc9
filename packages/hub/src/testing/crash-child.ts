/**
 * A hub-like worker process for the crash tests: opens the store from its environment, registers
 * a `ledger` process agent, applies the test workflows, creates runs (idempotent keys, so every
 * restart may repeat it), works, and prints a STATUS line with run counts every 100 ms.
 * It is killed with SIGKILL at random points by the test and restarted.
 *
 * env: CRASH_STORE=postgres|pglite, CRASH_DATABASE_URL + CRASH_SCHEMA | CRASH_DATA_DIR,
 *      CRASH_LEDGER (file), CRASH_MODE=chain|gated|resume, CRASH_RUNS
 */
import { Engine } from '../engine/engine.js';
import { createExecutors } from '../executors/registry.js';
import { openStore } from '../store/open-store.js';

const env = process.env;
const store = await openStore(
  env.CRASH_STORE === 'postgres'
    ? { databaseUrl: env.CRASH_DATABASE_URL, schema: env.CRASH_SCHEMA, poolSize: 10 }
    : { dataDir: env.CRASH_DATA_DIR },
);
const engine = new Engine({
  store,
  executors: createExecutors(),
  concurrency: 20,
  // Long enough that a claim whose agent is slow to start on a loaded CI machine (PGlite blocks
  // the event loop; 60 suites share 2 cores) still starts within its lease: 1.5 s was not.
  leaseMs: 4000,
  sweepMs: 300,
  drainMs: 500,
  onError: () => {},
});

// Appends "<run> <step> <attempt> <epoch ns>" when it starts executing, then answers. The step
// named `flaky` fails (retryably) on its first attempt.
const script = `read req || exit 1
echo "$CC_RUN_ID $CC_STEP_ID $CC_ATTEMPT $(date +%s%N)" >> "$LEDGER"
if [ "$CC_STEP_ID" = flaky ] && [ "$CC_ATTEMPT" = 1 ]; then echo '{"error":{"message":"first attempt fails","retryable":true}}'; exit 0; fi
echo '{"output":{"ok":true}}'`;
await engine.registerAgent('default', {
  name: 'ledger',
  version: '1.0.0',
  type: 'process',
  runtime: { command: ['/bin/sh', '-c', script], env: { LEDGER: env.CRASH_LEDGER } },
  actions: { write: {}, ship: { risk: 'high' } },
});
const retry = { attempts: 10, backoff: 'fixed', delay: '10ms' };
await engine.applyWorkflow('default', {
  name: 'crash-chain',
  nodes: ['s1', 's2', 's3', 's4', 's5'].map((id, i) => ({
    id,
    agent: 'ledger',
    action: 'write',
    retry,
    ...(i > 0 ? { dependsOn: [`s${i}`] } : {}),
  })),
});
await engine.applyWorkflow('default', {
  name: 'crash-gated',
  nodes: [
    { id: 'prep', agent: 'ledger', action: 'write', retry },
    { id: 'ship', agent: 'ledger', action: 'ship', dependsOn: ['prep'], retry },
  ],
});
await engine.applyWorkflow('default', {
  name: 'crash-timer',
  nodes: [
    {
      id: 'flaky',
      agent: 'ledger',
      action: 'write',
      retry: { attempts: 3, backoff: 'fixed', delay: '2s' },
    },
  ],
});
await engine.start();

const n = Number(env.CRASH_RUNS ?? 200);
const create = async (workflow: string, prefix: string) => {
  for (let i = 0; i < n; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, (_, j) =>
        engine.createRun('default', workflow, { idempotencyKey: `${prefix}-${i + j}` }),
      ),
    );
  }
};
if (env.CRASH_MODE === 'chain') await create('crash-chain', 'chain');
if (env.CRASH_MODE === 'gated') {
  await create('crash-gated', 'gated');
  await create('crash-timer', 'timer');
}

const report = async () => {
  const runs = await store.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM runs GROUP BY status',
  );
  const extra = await store.query<{ approvals: number; delayed: number }>(
    `SELECT (SELECT count(*)::int FROM approvals WHERE status = 'pending') AS approvals,
            (SELECT count(*)::int FROM steps WHERE status = 'ready' AND available_at > now()) AS delayed`,
  );
  const counts = Object.fromEntries(runs.rows.map((r) => [r.status, r.n]));
  console.log(`STATUS ${JSON.stringify({ ...counts, ...extra.rows[0] })}`);
};
setInterval(() => void report().catch(() => {}), 100);
process.on('SIGTERM', () => {
  void engine
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
