import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { Queryable, Store } from '../store/port.js';
import { V1, node } from '../testing/api-harness.js';
import { apiSuite, ok } from '../testing/api-suite.js';
import { storeKinds } from '../testing/stores.js';
import { AGENTS_SQL, BUCKETS_SQL, WORKFLOWS_SQL } from './overview-stats.js';
import { WORKFLOW_STATS_SQL } from './workflow-stats.js';

/**
 * What the web UI's workflows page, overview charts and approval page read: stats in
 * `GET /workflows`, `GET /stats/overview`, the snapshot of `GET /approvals/{id}`. Real runs where the engine must have made them (attempts, approvals);
 * rows with chosen times where the numbers depend on when runs were created and how long they ran.
 */

interface RunRow {
  workflow: string;
  status: string;
  /** Seconds before now (the database's clock). */
  ago: number;
  /** Started → finished; `null`: never started. */
  durationMs: number | null;
}

/** Stores runs as the engine leaves them, created `ago` seconds back; returns their ids. */
async function insertRuns(db: Queryable, project: string, rows: RunRow[]): Promise<string[]> {
  const ids = rows.map(() => randomUUID());
  await db.query(
    `INSERT INTO runs (id, project, workflow, version, status, steps_open, created_at, started_at, finished_at)
     SELECT x.id, $1, x.workflow, 1, x.status, 0, t.now - make_interval(secs => x.ago),
            CASE WHEN x.status <> 'queued' AND (x.ms IS NOT NULL OR x.status IN ('running', 'waiting_approval'))
                 THEN t.now - make_interval(secs => x.ago) END,
            CASE WHEN x.status IN ('succeeded', 'failed', 'cancelled', 'timed_out')
                 THEN t.now - make_interval(secs => x.ago) + make_interval(secs => coalesce(x.ms, 1000) / 1000.0) END
       FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, workflow text, status text, ago float, ms float),
            (SELECT now() AS now) t`,
    [project, JSON.stringify(rows.map((x, i) => ({ ...x, id: ids[i], ms: x.durationMs })))],
  );
  return ids;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** How the store reads `runs` for a query: each scan's type and index (sequential scans off). */
async function runsScans(store: Store, sql: string, params: unknown[]): Promise<string[]> {
  const r = await store.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_seqscan = off');
    return tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  });
  let plan = r.rows[0]!['QUERY PLAN'];
  if (typeof plan === 'string') plan = JSON.parse(plan);
  const scans: string[] = [];
  const walk = (n: PlanNode) => {
    if (n['Relation Name'] === 'runs')
      scans.push(`${n['Node Type']} ${n['Index Name'] ?? ''}`.trim());
    for (const c of n.Plans ?? []) walk(c);
  };
  walk((plan as { Plan: PlanNode }[])[0]!.Plan);
  return scans;
}

for (const kind of storeKinds()) {
  describe(`REST API reads of the web UI on ${kind}`, () => {
    const api = apiSuite(kind);

    before(async () => {
      await api.createProject('charts');
      await api.apply({ name: 'wf-ok', nodes: [node('a', 'echo', { inputs: { n: 1 } })] });
      await api.apply({ name: 'wf-bad', nodes: [node('a', 'fail')] });
      await api.apply({ name: 'wf-none', nodes: [node('a', 'noop')] });
      await api.apply({ name: 'wf-hist', nodes: [node('a', 'noop')] });
      await api.apply({ name: 'wf-gate', nodes: [node('a', 'deploy')] });
    });

    test('workflows list: last run, success rate over the latest 50 finished, 20 durations oldest first', async () => {
      const okRuns = [await api.runToEnd('wf-ok'), await api.runToEnd('wf-ok')];
      await api.runToEnd('wf-bad');
      // wf-hist: i minutes ago, ran i × 100 ms; i = 2 and 5 failed, and so did every run older
      // than the latest 50 finished (so counting them would show). The newest finished run never
      // started (no duration); the newest of all is still running.
      const hist: RunRow[] = [{ workflow: 'wf-hist', status: 'running', ago: 1, durationMs: null }];
      hist.push({ workflow: 'wf-hist', status: 'cancelled', ago: 30, durationMs: null });
      for (let i = 1; i <= 60; i++) {
        const failed = i === 2 || i === 5 || i > 49;
        hist.push({
          workflow: 'wf-hist',
          status: failed ? 'failed' : 'succeeded',
          ago: i * 60,
          durationMs: i * 100,
        });
      }
      const [runningId] = await insertRuns(api.h.store, 'default', hist);

      const list = await api.h.call('GET', `${V1}/workflows`);
      ok(list);
      const stats = Object.fromEntries(
        list.json.items.map((w: { name: string; stats: unknown }) => [w.name, w.stats]),
      );
      assert.deepEqual(stats['wf-none'], {
        lastRun: null,
        runs: 0,
        successRate: null,
        recentDurationsMs: [],
      });
      const h = stats['wf-hist'];
      assert.equal(h.lastRun.id, runningId);
      assert.equal(h.lastRun.status, 'running');
      assert.equal(h.lastRun.finishedAt, null);
      assert.equal(h.runs, 50);
      assert.equal(h.successRate, 0.94); // 47 of the cancelled run + i = 1..49
      assert.deepEqual(
        h.recentDurationsMs,
        Array.from({ length: 20 }, (_, k) => (20 - k) * 100),
      );

      const runs = await api.h.call('GET', `${V1}/runs?workflow=wf-ok`);
      const last = runs.json.items[0];
      assert.deepEqual(stats['wf-ok'].lastRun, {
        id: okRuns[1],
        status: 'succeeded',
        createdAt: last.createdAt,
        finishedAt: last.finishedAt,
      });
      assert.equal(stats['wf-ok'].runs, 2);
      assert.equal(stats['wf-ok'].successRate, 1);
      // Oldest first; the store keeps microseconds, the run view milliseconds.
      const durations: number[] = runs.json.items
        .map((x: { durationMs: number }) => x.durationMs)
        .reverse();
      assert.equal(stats['wf-ok'].recentDurationsMs.length, 2);
      stats['wf-ok'].recentDurationsMs.forEach((ms: number, k: number) =>
        assert.ok(Math.abs(ms - durations[k]!) <= 1, `${ms} vs ${durations[k]}`),
      );
      assert.equal(stats['wf-bad'].successRate, 0);
      assert.equal(stats['wf-bad'].lastRun.status, 'failed');
    });

    test('overview: every bucket, counts by status, percentiles, totals, top failures by window', async () => {
      const rows: RunRow[] = [
        // 30 minutes ago, one bucket: durations 500 … 6000 of the finished runs that started.
        ...[1000, 2000, 3000, 4000].map((ms) => ({
          workflow: 'wf-x',
          status: 'succeeded',
          ago: 1800,
          durationMs: ms,
        })),
        { workflow: 'wf-x', status: 'failed', ago: 1800, durationMs: 500 },
        { workflow: 'wf-x', status: 'timed_out', ago: 1800, durationMs: 6000 },
        { workflow: 'wf-x', status: 'cancelled', ago: 1800, durationMs: null },
        // 10 minutes ago: live runs.
        { workflow: 'wf-y', status: 'running', ago: 600, durationMs: null },
        { workflow: 'wf-y', status: 'running', ago: 600, durationMs: null },
        { workflow: 'wf-y', status: 'waiting_approval', ago: 600, durationMs: null },
        { workflow: 'wf-y', status: 'queued', ago: 600, durationMs: null },
        // 3 days ago (only in 7d), and 8 days ago (never).
        { workflow: 'wf-old', status: 'failed', ago: 3 * 86400, durationMs: 100 },
        { workflow: 'wf-old', status: 'failed', ago: 3 * 86400, durationMs: 100 },
        { workflow: 'wf-ancient', status: 'failed', ago: 8 * 86400, durationMs: 100 },
      ];
      const ids = await insertRuns(api.h.store, 'charts', rows);
      const created = new Map(
        (
          await api.h.store.query<{ id: string; created_at: Date }>(
            'SELECT id, created_at FROM runs WHERE id = ANY ($1::uuid[])',
            [ids],
          )
        ).rows.map((r) => [r.id, r.created_at.getTime()]),
      );

      const hour = await api.h.call('GET', `${V1}/stats/overview?project=charts`);
      ok(hour);
      const o = hour.json;
      assert.equal(o.window, '1h');
      assert.equal(o.bucketSeconds, 60);
      assert.equal(o.buckets.length, 60);
      o.buckets.forEach((b: { t: string }, k: number) =>
        assert.equal(Date.parse(b.t), Date.parse(o.from) + k * 60_000),
      );
      assert.equal(Date.parse(o.to) - Date.parse(o.from), 3_600_000);
      assert.ok(Date.parse(o.to) >= Date.now() - 60_000);
      const bucketOf = (id: string) =>
        o.buckets.find((b: { t: string }) => {
          const t = Date.parse(b.t);
          return t <= created.get(id)! && created.get(id)! < t + 60_000;
        });
      assert.deepEqual(bucketOf(ids[0]!), {
        t: bucketOf(ids[0]!).t,
        queued: 0,
        running: 0,
        succeeded: 4,
        failed: 1,
        cancelled: 1,
        timedOut: 1,
        p50Ms: 2500,
        p95Ms: 5500,
        p99Ms: 5900,
      });
      const live = bucketOf(ids[7]!);
      assert.deepEqual(
        [live.queued, live.running, live.succeeded, live.p50Ms, live.p95Ms, live.p99Ms],
        [1, 3, 0, null, null, null],
      );
      const busy = new Set([bucketOf(ids[0]!).t, live.t]);
      for (const b of o.buckets.filter((x: { t: string }) => !busy.has(x.t))) {
        assert.deepEqual(
          [b.queued, b.running, b.succeeded, b.failed, b.cancelled, b.timedOut, b.p50Ms],
          [0, 0, 0, 0, 0, 0, null],
          'buckets without runs are present with zeros',
        );
      }
      assert.deepEqual(o.totals, {
        runs: 11,
        queued: 1,
        running: 3,
        succeeded: 4,
        failed: 1,
        cancelled: 1,
        timedOut: 1,
        successRate: 0.5714,
      });
      assert.deepEqual(o.topFailingWorkflows, [
        { workflow: 'wf-x', runs: 7, failed: 2, failureRate: 0.2857 },
      ]);
      assert.deepEqual(o.topFailingAgents, []);
      assert.equal(o.pendingApprovals, 0);

      const day = (await api.h.call('GET', `${V1}/stats/overview?project=charts&window=24h`)).json;
      assert.deepEqual([day.bucketSeconds, day.buckets.length, day.totals.runs], [900, 96, 11]);
      const week = (await api.h.call('GET', `${V1}/stats/overview?project=charts&window=7d`)).json;
      assert.deepEqual(
        [week.bucketSeconds, week.buckets.length, week.totals.runs],
        [3600, 168, 13],
      );
      assert.deepEqual(
        week.topFailingWorkflows.map((w: { workflow: string }) => w.workflow),
        ['wf-old', 'wf-x'],
        'two failures each: the higher rate first; 8 days ago is outside',
      );
      const six = (await api.h.call('GET', `${V1}/stats/overview?project=charts&window=6h`)).json;
      assert.deepEqual([six.bucketSeconds, six.buckets.length], [300, 72]);
    });

    test('overview of real runs: failing agents from attempts, pending approvals', async () => {
      await api.runToEnd('wf-bad');
      const gate = await api.h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-gate' } });
      ok(gate, 202);
      api.expected.push({ action: 'run.trigger', target: gate.json.id, actor: 'test-admin' });
      await api.h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === gate.json.id);

      const viewer = await api.h.token('viewer');
      const o = await api.h.call('GET', `${V1}/stats/overview`, { token: viewer });
      ok(o);
      const attempts = await api.h.store.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM attempts a JOIN steps s ON s.run_id = a.run_id AND s.key = a.step_key
          WHERE s.project = 'default' AND s.agent = 'test' AND s.action = 'fail'`,
      );
      assert.ok(attempts.rows[0]!.n >= 2);
      assert.deepEqual(o.json.topFailingAgents, [
        {
          agent: 'test',
          action: 'fail',
          attempts: attempts.rows[0]!.n,
          failed: attempts.rows[0]!.n,
          errorRate: 1,
        },
      ]);
      assert.equal(o.json.pendingApprovals, 1);
      assert.equal(
        o.json.topFailingWorkflows.find((w: { workflow: string }) => w.workflow === 'wf-bad')
          ?.failureRate,
        1,
      );
    });

    test('the queries read runs through indexes (the stats: a bounded scan per workflow)', async () => {
      const store = api.h.store;
      const stats = await runsScans(store, WORKFLOW_STATS_SQL, ['default', ['wf-ok'], 50, 20]);
      assert.ok(stats.length > 0);
      for (const scan of stats) assert.match(scan, /runs_workflow_created$/, stats.join(', '));
      const from = new Date(Date.now() - 3_600_000);
      for (const [sql, params] of [
        [BUCKETS_SQL, ['default', '60 seconds', 60]],
        [WORKFLOWS_SQL, ['default', from]],
        [AGENTS_SQL, ['default', from]],
      ] as const) {
        // Which index wins depends on the table's statistics (runs_project_created at volume).
        const scans = await runsScans(store, sql, [...params]);
        assert.ok(scans.length > 0);
        for (const scan of scans)
          assert.match(
            scan,
            /^(Index Scan|Index Only Scan|Bitmap Heap Scan)\b/,
            `${scans.join(', ')}: ${sql.slice(0, 80)}`,
          );
      }
    });

    test('approval page: one approval shows what will run (agent, version, action, risk, inputs, upstream)', async () => {
      await api.apply({
        name: 'wf-ship',
        nodes: [
          node('prep', 'echo', { inputs: { target: 'prod' } }),
          node('ship', 'deploy', {
            dependsOn: ['prep'],
            inputs: { where: '{{ nodes.prep.output.target }}', why: '{{ input.why }}' },
          }),
        ],
      });
      const run = await api.h.call('POST', `${V1}/runs`, {
        body: { workflow: 'wf-ship', input: { why: 'release 7' } },
      });
      ok(run, 202);
      api.expected.push({ action: 'run.trigger', target: run.json.id, actor: 'test-admin' });
      await api.h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === run.json.id);
      const pending = await api.h.call('GET', `${V1}/approvals`);
      const id = pending.json.items.find((a: { runId: string }) => a.runId === run.json.id).id;

      const one = await api.h.call('GET', `${V1}/approvals/${id}`, {
        token: await api.h.token('viewer'),
      });
      ok(one);
      assert.equal(one.json.workflow, 'wf-ship');
      assert.equal(one.json.stepKey, 'ship');
      assert.deepEqual(one.json.snapshot, {
        agent: 'test',
        agentVersion: '1.0.0',
        action: 'deploy',
        risk: 'high',
        input: { where: 'prod', why: 'release 7' },
        upstream: { prep: { output: { target: 'prod' } } },
      });
      ok(await api.h.call('POST', `${V1}/approvals/${id}/reject`, { body: {} }));
      api.expected.push({ action: 'approval.reject', target: id, actor: 'test-admin' });
      assert.equal(await api.h.waitForRun(run.json.id), 'failed');
    });

    test('the audit trail has the suite’s mutations only (reading records nothing)', async () => {
      await api.auditTrail();
    });
  });
}
