/**
 * Crash tests with real processes (issue #2): a worker process is killed with SIGKILL at random
 * points and restarted; every run must still end succeeded, every step must have exactly one
 * recorded result, and no attempt may have started executing after its lease expired.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import pg from 'pg';
import { Engine } from './engine.js';
import { createExecutors } from '../executors/registry.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { storeKinds, testDatabaseUrl, type StoreKind } from '../testing/stores.js';

const CHILD = new URL('../testing/crash-child.ts', import.meta.url).pathname;
type Counts = Record<string, number>;

class Child {
  proc: ChildProcess;
  private waiters: { pred: (c: Counts) => boolean; resolve: (c: Counts) => void }[] = [];
  last: Counts = {};
  stderr = '';
  readonly exited: Promise<void>;

  constructor(env: Record<string, string>) {
    this.proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stderr!.on(
      'data',
      (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)),
    );
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      if (!line.startsWith('STATUS ')) return;
      this.last = JSON.parse(line.slice(7)) as Counts;
      this.waiters = this.waiters.filter((w) =>
        w.pred(this.last) ? (w.resolve(this.last), false) : true,
      );
    });
    this.exited = new Promise((r) => this.proc.once('exit', () => r()));
  }

  until(pred: (c: Counts) => boolean, timeoutMs = 120_000): Promise<Counts> {
    if (pred(this.last)) return Promise.resolve(this.last);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new Error(
              `condition not reached; last status ${JSON.stringify(this.last)}; stderr: ${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({ pred, resolve: (c) => (clearTimeout(t), resolve(c)) });
      void this.exited.then(() =>
        reject(
          new Error(
            `child exited; last status ${JSON.stringify(this.last)}; stderr: ${this.stderr}`,
          ),
        ),
      );
    });
  }

  async kill9(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    await this.exited;
  }
}

interface Setup {
  env: Record<string, string>;
  ledger: string;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

function setup(kind: StoreKind, mode: string, runs: number): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'cc-crash-'));
  const ledger = join(dir, 'ledger.txt');
  writeFileSync(ledger, '');
  const schema = `crash_${randomBytes(5).toString('hex')}`;
  const url = testDatabaseUrl() ?? '';
  const env: Record<string, string> =
    kind === 'postgres'
      ? { CRASH_STORE: 'postgres', CRASH_DATABASE_URL: url, CRASH_SCHEMA: schema }
      : { CRASH_STORE: 'pglite', CRASH_DATA_DIR: join(dir, 'data') };
  Object.assign(env, { CRASH_LEDGER: ledger, CRASH_MODE: mode, CRASH_RUNS: String(runs) });
  return {
    env,
    ledger,
    open: () =>
      kind === 'postgres'
        ? openStore({ databaseUrl: url, schema, poolSize: 2 })
        : openStore({ dataDir: join(dir, 'data') }),
    async cleanup() {
      if (kind !== 'postgres') return;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

const randomMs = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

/** The ledger against the store: exactly one result per step, no execution on an expired lease. */
async function verify(store: Store, ledgerFile: string, expectedRuns: number, totalSteps: number) {
  const runs = await store.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM runs GROUP BY status',
  );
  assert.deepEqual(runs.rows, [{ status: 'succeeded', n: expectedRuns }]);
  const dup = await store.query(
    `SELECT run_id, step_key, count(*) FROM attempts WHERE status = 'succeeded'
      GROUP BY run_id, step_key HAVING count(*) <> 1`,
  );
  assert.equal(dup.rowCount, 0, 'a step has more than one recorded result');
  const steps = await store.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM steps s WHERE s.status = 'succeeded'
       AND EXISTS (SELECT 1 FROM attempts a WHERE a.run_id = s.run_id AND a.step_key = s.key AND a.status = 'succeeded')`,
  );
  assert.equal(steps.rows[0]!.n, totalSteps);

  const attempts = await store.query<{
    run_id: string;
    step_key: string;
    attempt: number;
    status: string;
    lease_ns: string;
  }>(
    `SELECT run_id, step_key, attempt, status,
            (extract(epoch FROM lease_expires_at) * 1e9)::numeric(30,0)::text AS lease_ns FROM attempts`,
  );
  const byKey = new Map(attempts.rows.map((a) => [`${a.run_id} ${a.step_key} ${a.attempt}`, a]));
  const lines = readFileSync(ledgerFile, 'utf8').trim().split('\n').filter(Boolean);
  assert.ok(lines.length >= totalSteps);
  let executedOnExpiredLease = 0;
  let unrecorded = 0;
  for (const line of lines) {
    const [run, step, attempt, ns] = line.split(' ');
    const a = byKey.get(`${run} ${step} ${attempt}`);
    if (!a) {
      unrecorded++;
      continue;
    }
    if (BigInt(ns!) > BigInt(a.lease_ns)) executedOnExpiredLease++;
  }
  assert.equal(unrecorded, 0, 'every execution belongs to a recorded attempt');
  assert.equal(executedOnExpiredLease, 0, 'no attempt started after its lease had expired');
  return { executions: lines.length, attempts: attempts.rowCount };
}

for (const kind of storeKinds()) {
  describe(`crash recovery on ${kind}`, () => {
    test('200 runs of a 5-step process workflow survive repeated SIGKILLs of their worker', async () => {
      const s = setup(kind, 'chain', 200);
      try {
        let child = new Child(s.env);
        for (let kill = 0; kill < 4; kill++) {
          // Let it get going, then kill it at a random point of the work.
          await child.until((c) => (c.succeeded ?? 0) + (c.running ?? 0) > 0);
          await new Promise((r) => setTimeout(r, randomMs(100, 900)));
          await child.kill9();
          child = new Child({ ...s.env, CRASH_MODE: 'resume' });
        }
        await child.until((c) => c.succeeded === 200);
        await child.stop();
        const store = await s.open();
        try {
          const r = await verify(store, s.ledger, 200, 1000);
          assert.ok(r.attempts >= 1000);
        } finally {
          await store.close();
        }
      } finally {
        await s.cleanup();
      }
    });

    test('a SIGKILL while runs wait for approval and for retry timers loses nothing', async () => {
      const s = setup(kind, 'gated', 20);
      try {
        let child = new Child(s.env);
        // All 20 gated runs wait for approval and all 20 timer runs wait out a 2 s retry delay.
        await child.until((c) => c.approvals === 20 && c.delayed === 20);
        await child.kill9();
        // Decide while no worker runs: the decisions are stored, nothing is held in memory.
        const store = await s.open();
        const engine = new Engine({ store, executors: createExecutors(), worker: false });
        const pending = await store.query<{ id: string }>(
          `SELECT id FROM approvals WHERE status = 'pending'`,
        );
        assert.equal(pending.rowCount, 20);
        for (const a of pending.rows)
          await engine.decideApproval('default', a.id, 'approve', 'tester');
        await engine.stop();
        await store.close();

        child = new Child({ ...s.env, CRASH_MODE: 'resume' });
        await child.until((c) => c.succeeded === 40);
        await child.stop();
        const check = await s.open();
        try {
          const r = await verify(check, s.ledger, 40, 60);
          assert.ok(r.executions >= 20 * 2 + 20 * 2); // prep, ship, and two attempts of flaky
          const retried = await check.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM attempts WHERE step_key = 'flaky' AND status = 'failed'`,
          );
          assert.equal(retried.rows[0]!.n, 20);
        } finally {
          await check.close();
        }
      } finally {
        await s.cleanup();
      }
    });
  });
}
