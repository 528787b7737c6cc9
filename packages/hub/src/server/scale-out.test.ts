/**
 * Scale-out with real processes: one hub (`up`) and two workers share one PostgreSQL schema.
 * 2,000 runs of a 3-step workflow are triggered through the hub's HTTP API while all three
 * processes drain them; one worker is SIGKILLed midway. Every run must succeed, every step must
 * have exactly one recorded result, a step may only have run twice if its earlier attempt was on
 * the killed worker, all three processes must have done a share of the work, and the survivors
 * must stop gracefully on SIGTERM. The evidence is read from the database (`attempts.worker`).
 *
 * PostgreSQL only: PGlite's data directory belongs to one process, so there is nothing to scale.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import pg from 'pg';
import { testDatabaseUrl } from '../testing/stores.js';

const CHILD = new URL('../testing/hub-child.ts', import.meta.url).pathname;
const RUNS = 2000;
const NODES = ['fetch', 'transform', 'store'];
const WORKFLOW = 'scale-out';
/** POST /runs in flight at once. */
const TRIGGER_LANES = 16;
/** Upper bound of every wait below: the test fails with what it saw instead of hanging. */
const WAIT_MS = 90_000;
/**
 * The victim is killed once this many runs were triggered and it recorded this many steps, at a
 * moment it holds leases on this many attempts.
 */
const KILL_AFTER_TRIGGERS = RUNS / 2;
const KILL_AFTER_STEPS = 30;
const KILL_WHEN_HOLDING = 3;
const TERMINAL = [
  'workflow.run.succeeded',
  'workflow.run.failed',
  'workflow.run.cancelled',
  'workflow.run.timed_out',
];

interface Ready {
  role: 'up' | 'worker';
  pid: number;
  workerId: string;
  url?: string;
}

/** Rejects after `ms` with `what` and whatever `state()` says, unless `p` settles first. */
function within<T>(p: Promise<T>, ms: number, what: string, state = () => ''): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms. ${state()}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A hub-child process and what it printed. */
class Proc {
  readonly proc: ChildProcess;
  readonly ready: Promise<Ready>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Steps it recorded as succeeded, attempts it holds (its last WORK line). */
  done = 0;
  inflight = 0;
  stopped = false;
  stderr = '';
  private waiters: { pred: (p: Proc) => boolean; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    role: 'up' | 'worker',
    env: Record<string, string>,
  ) {
    this.proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, role], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stderr!.on(
      'data',
      (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)),
    );
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let onReady!: (r: Ready) => void;
    this.ready = new Promise<Ready>((resolve, reject) => {
      onReady = resolve;
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${this.stderr}`)),
      );
    });
    this.ready.catch(() => {}); // observed by whoever awaits it
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) onReady(JSON.parse(line.slice(6)) as Ready);
      else if (line === 'STOPPED') this.stopped = true;
      else if (line.startsWith('WORK ')) {
        const [done, inflight] = line.slice(5).split(' ').map(Number);
        this.done = done!;
        this.inflight = inflight!;
        this.waiters = this.waiters.filter((w) => (w.pred(this) ? (w.resolve(), false) : true));
      }
    });
  }

  /** Resolves once a WORK line satisfies `pred`; rejects if the process exits first. */
  until(pred: (p: this) => boolean): Promise<void> {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ pred: pred as (p: Proc) => boolean, resolve });
      void this.exited.then(() =>
        reject(new Error(`${this.name} exited after ${this.done} steps: ${this.stderr}`)),
      );
    });
  }

  kill9() {
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  terminate() {
    this.proc.kill('SIGTERM');
    return this.exited;
  }

  get running() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }
}

/**
 * Subscribes to the hub's event stream (terminal run events of the workflow) before anything is
 * triggered; `all` resolves when every run has ended, with the statuses seen.
 */
async function watchRuns(url: string, token: string) {
  const ac = new AbortController();
  const res = await fetch(`${url}/api/v1/events?workflow=${WORKFLOW}&types=${TERMINAL.join(',')}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: ac.signal,
  });
  assert.equal(res.status, 200, `GET /events: ${res.status} ${res.statusText}`);
  const ended = new Map<string, string>();
  let duplicates = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const reading = (async () => {
    let buf = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body! as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const message = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = message
          .split('\n')
          .find((l) => l.startsWith('data: '))
          ?.slice(6);
        if (!data) continue; // a comment (connected, keepalive)
        const e = JSON.parse(data) as { type: string; runId: string };
        if (ended.has(e.runId)) duplicates++;
        ended.set(e.runId, e.type);
        if (ended.size === RUNS) resolveAll();
      }
    }
  })().catch((err: unknown) => {
    if (!ac.signal.aborted) throw err;
  });
  return {
    ended,
    all,
    get duplicates() {
      return duplicates;
    },
    async close() {
      ac.abort();
      await reading;
    },
  };
}

async function api(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const dbUrl = testDatabaseUrl();

describe('scale-out on PostgreSQL: one hub and two workers', () => {
  test(
    `${RUNS} runs triggered through the API drain across three processes; a worker SIGKILLed midway loses nothing`,
    {
      timeout: 150_000,
      skip: dbUrl
        ? false
        : 'needs PostgreSQL (CC_TEST_DATABASE_URL; `npm test` sets it when 127.0.0.1:5432 answers): ' +
          'PGlite is locked to one process, so several processes cannot share it',
    },
    async (t) => {
      const url = dbUrl!;
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const token = `cc_${randomBytes(24).toString('hex')}`;
      const dataDir = mkdtempSync(join(tmpdir(), 'cc-scale-'));
      const env: Record<string, string> = {
        DATABASE_URL: url,
        CC_DB_SCHEMA: schema,
        CC_PORT: '0',
        CC_HOST: '127.0.0.1',
        CC_ADMIN_TOKEN: token,
        CC_RATE_LIMIT: '0',
        CC_LEASE_MS: '2000',
        CC_CONCURRENCY: '20',
        CC_RETENTION_DAYS: '0',
        CC_SECRET_KEY: randomBytes(32).toString('hex'),
        CC_DATA_DIR: dataDir,
      };
      const procs: Proc[] = [];
      try {
        // The hub first: it migrates the schema; then the workers, which find it current.
        const hub = new Proc('hub', 'up', env);
        procs.push(hub);
        const hubReady = await within(hub.ready, WAIT_MS, 'hub ready');
        const base = hubReady.url!;
        const victim = new Proc('worker A (killed)', 'worker', env);
        const survivor = new Proc('worker B', 'worker', env);
        procs.push(victim, survivor);
        const [victimReady, survivorReady] = await within(
          Promise.all([victim.ready, survivor.ready]),
          WAIT_MS,
          'workers ready',
        );

        await api(base, token, 'POST', '/agents', {
          name: 'scale',
          version: '1.0.0',
          type: 'builtin',
          actions: { step: {} },
        });
        await api(base, token, 'POST', '/workflows', {
          name: WORKFLOW,
          nodes: NODES.map((id, i) => ({
            id,
            agent: 'scale',
            action: 'step',
            // A lost lease counts as an attempt: leave room for the kill.
            retry: { attempts: 3, backoff: 'fixed', delay: '10ms' },
            ...(i > 0 ? { dependsOn: [NODES[i - 1]] } : {}),
          })),
        });
        const feed = await watchRuns(base, token);

        // Trigger through the API in bounded lanes; the kill happens while they still come in.
        let next = 0;
        let triggered = 0;
        let halfway!: () => void;
        const triggeredHalf = new Promise<void>((r) => (halfway = r));
        const lane = async () => {
          while (next < RUNS) {
            const i = next++;
            const res = await fetch(`${base}/api/v1/runs`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${token}`,
                'content-type': 'application/json',
                'idempotency-key': `scale-${i}`,
              },
              body: JSON.stringify({ workflow: WORKFLOW, input: { i } }),
              signal: AbortSignal.timeout(30_000),
            });
            const text = await res.text();
            assert.equal(res.status, 202, `POST /runs #${i}: ${text}`);
            if (++triggered === KILL_AFTER_TRIGGERS) halfway();
          }
        };
        const started = performance.now();
        const triggering = Promise.all(Array.from({ length: TRIGGER_LANES }, lane));
        triggering.catch(() => {}); // awaited below

        const state = () =>
          `triggered ${triggered}/${RUNS}, ended ${feed.ended.size}, steps reported: hub ${hub.done}, ` +
          `A ${victim.done} (holding ${victim.inflight}), B ${survivor.done}`;
        await within(
          Promise.race([
            Promise.all([triggeredHalf, victim.until((p) => p.done >= KILL_AFTER_STEPS)]),
            triggering.then(() => {
              throw new Error('the triggers ended before the kill');
            }),
          ]),
          WAIT_MS,
          'midway (half triggered, the victim working)',
          state,
        );
        // Kill it while it holds leases: those attempts must come back on another process. (Should
        // the triggers end first, it is killed at once; the checks below hold either way.)
        await within(
          Promise.race([victim.until((p) => p.inflight >= KILL_WHEN_HOLDING), triggering]),
          WAIT_MS,
          'the victim holding attempts',
          state,
        );
        const atKill = state();
        await victim.kill9();
        const killedAt = performance.now() - started;

        await within(triggering, WAIT_MS, 'all triggers accepted', state);
        const triggeredIn = performance.now() - started;
        await within(feed.all, WAIT_MS, 'every run ended', state);
        const drainedIn = performance.now() - started;
        const duplicates = feed.duplicates;
        await feed.close();

        // The survivors stop gracefully on SIGTERM.
        const [hubExit, survivorExit] = await within(
          Promise.all([hub.terminate(), survivor.terminate()]),
          WAIT_MS,
          'graceful stop',
          () => `hub stderr: ${hub.stderr}\nworker B stderr: ${survivor.stderr}`,
        );
        assert.deepEqual(hubExit, { code: 0, signal: null }, `hub: ${hub.stderr}`);
        assert.deepEqual(survivorExit, { code: 0, signal: null }, `worker B: ${survivor.stderr}`);
        assert.ok(hub.stopped && survivor.stopped, 'both printed STOPPED');

        assert.equal(duplicates, 0, 'the event stream delivered a run end twice');
        const statuses = [...feed.ended.values()];
        assert.deepEqual(
          statuses.filter((s) => s !== 'workflow.run.succeeded'),
          [],
          'every run succeeded (event stream)',
        );

        // The database's account.
        const db = new pg.Client({ connectionString: url });
        await db.connect();
        try {
          await db.query(`SET search_path TO "${schema}"`);
          const q = async <R>(sql: string) => (await db.query(sql)).rows as R[];
          assert.deepEqual(await q('SELECT status, count(*)::int AS n FROM runs GROUP BY status'), [
            { status: 'succeeded', n: RUNS },
          ]);
          assert.deepEqual(
            await q('SELECT status, count(*)::int AS n FROM steps GROUP BY status'),
            [{ status: 'succeeded', n: RUNS * NODES.length }],
          );
          // Exactly one recorded result per step.
          assert.deepEqual(
            await q(`SELECT count(*)::int AS steps, count(*) FILTER (WHERE n <> 1)::int AS bad
                       FROM (SELECT run_id, step_key, count(*) FILTER (WHERE status = 'succeeded') AS n
                               FROM attempts GROUP BY run_id, step_key) x`),
            [{ steps: RUNS * NODES.length, bad: 0 }],
          );
          // Every attempt other than the succeeded one was the killed worker's, lost with it,
          // and came before the success: at least once on a crash, exactly once otherwise.
          const extra = await q<{ worker: string; status: string; n: number; after: number }>(
            `SELECT a.worker, a.status, count(*)::int AS n,
                    count(*) FILTER (WHERE a.attempt > s.attempt)::int AS after
               FROM attempts a
               JOIN attempts s ON s.run_id = a.run_id AND s.step_key = a.step_key AND s.status = 'succeeded'
              WHERE a.status <> 'succeeded'
              GROUP BY a.worker, a.status`,
          );
          for (const e of extra) {
            assert.equal(
              e.worker,
              victimReady.workerId,
              `a repeated step ran first on ${e.worker}`,
            );
            assert.equal(e.status, 'lost');
            assert.equal(e.after, 0, 'a lost attempt came after the success');
          }
          const repeated = extra.reduce((s, e) => s + e.n, 0);

          // Every process did a share.
          const split = await q<{ worker: string; n: number }>(
            `SELECT worker, count(*)::int AS n FROM attempts WHERE status = 'succeeded' GROUP BY worker`,
          );
          const by = new Map(split.map((r) => [r.worker, r.n]));
          const names = new Map([
            [hubReady.workerId, 'hub'],
            [victimReady.workerId, 'worker A (killed)'],
            [survivorReady.workerId, 'worker B'],
          ]);
          for (const r of split) assert.ok(names.has(r.worker), `unknown worker ${r.worker}`);
          const shares = [...names].map(([id, name]) => `${name} ${by.get(id) ?? 0}`).join(', ');
          t.diagnostic(
            `${RUNS} runs × ${NODES.length} steps; succeeded steps by process: ${shares}; ` +
              `${repeated} step(s) re-run after the kill (lost attempts on worker A)`,
          );
          t.diagnostic(
            `killed worker A at ${Math.round(killedAt)} ms (${atKill}); all triggered at ` +
              `${Math.round(triggeredIn)} ms, all ended at ${Math.round(drainedIn)} ms`,
          );
          for (const [id, name] of names) assert.ok((by.get(id) ?? 0) > 0, `${name} did no step`);
        } finally {
          await db.end();
        }
      } finally {
        for (const p of procs) if (p.running) await p.kill9();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
