import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { keyIdOf } from '../secrets/secret-key.js';
import { SecretStore } from '../secrets/secret-store.js';
import { startEngine, waitForEvent, type Harness } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';
import type { Store } from '../store/port.js';

const fixture = (name: string) => [
  process.execPath,
  fileURLToPath(new URL(`../executors/fixtures/${name}.mjs`, import.meta.url)),
];

/** Process agents: `echo` logs the whole request to stderr; `dump` returns its environment. */
const processAgent = (name: string, script: string, secrets: string[] = []) => ({
  name,
  version: '1.0.0',
  type: 'process',
  risk: 'low',
  runtime: { command: fixture(script), ...(secrets.length ? { secrets } : {}) },
  actions: { run: {} },
});

const node = (id: string, agent: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent,
  action,
  ...extra,
});

/** Every row of every table of the store's schema, as text, by table. */
async function dumpSchema(store: Store): Promise<Map<string, string[]>> {
  const tables = await store.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [store.schema],
  );
  const out = new Map<string, string[]>();
  for (const { table_name } of tables.rows) {
    const r = await store.query<{ row: string }>(
      `SELECT t::text AS row FROM "${store.schema}"."${table_name}" t`,
    );
    out.set(
      table_name,
      r.rows.map((x) => x.row),
    );
  }
  return out;
}

for (const kind of storeKinds()) {
  describe(`engine secrets on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h = await startEngine(kind);
      await h.engine.registerAgent('default', processAgent('proc-echo', 'echo'));
      await h.engine.registerAgent(
        'default',
        processAgent('proc-env', 'env-dump', ['API_KEY', 'DB_PASSWORD']),
      );
    });
    after(async () => h.close());

    const steps = async (runId: string) =>
      new Map(
        (
          await h.store.query<{
            key: string;
            status: string;
            attempt: number;
            input: any;
            output: any;
            error: any;
          }>('SELECT key, status, attempt, input, output, error FROM steps WHERE run_id = $1', [
            runId,
          ])
        ).rows.map((s) => [s.key, s]),
      );

    test('secret values reach the agents and nothing stored or published holds them', async () => {
      const API_KEY = `sk_live_${randomBytes(12).toString('hex')}`;
      const DB_PASSWORD = `pw_${randomBytes(12).toString('hex')}`;
      await h.secrets.set('default', 'API_KEY', API_KEY);
      await h.secrets.set('default', 'DB_PASSWORD', DB_PASSWORD);
      await h.engine.applyWorkflow('default', {
        name: 'with-secrets',
        nodes: [
          node('use', 'test', 'echo', {
            when: "{{ secrets.API_KEY != '' }}",
            inputs: {
              key: '{{ secrets.API_KEY }}',
              header: 'Bearer {{ secrets.API_KEY }}',
              nested: { list: ['{{ secrets.API_KEY }}', 'plain'] },
            },
          }),
          node('boom', 'test', 'fail', {
            dependsOn: ['use'],
            onFailure: 'continue',
            inputs: { message: 'upstream rejected key {{ secrets.API_KEY }}' },
          }),
          node('gated', 'test', 'deploy', {
            dependsOn: ['use'],
            inputs: { token: '{{ secrets.API_KEY }}', seen: '{{ nodes.use.output.key }}' },
          }),
          node('each', 'test', 'echo', {
            dependsOn: ['use'],
            forEach: [1, 2],
            inputs: { n: '{{ item }}', key: '{{ secrets.API_KEY }}' },
          }),
          node('proc', 'proc-echo', 'run', {
            dependsOn: ['use'],
            inputs: { token: '{{ secrets.API_KEY }}' },
          }),
          node('env', 'proc-env', 'run', { dependsOn: ['use'] }),
        ],
      });
      const run = await h.engine.createRun('default', 'with-secrets');
      await waitForEvent(h, (e) => e.runId === run.id && e.type === 'approval.requested');
      const approval = (
        await h.store.query<{ id: string; snapshot: any }>(
          'SELECT id, snapshot FROM approvals WHERE run_id = $1',
          [run.id],
        )
      ).rows[0]!;
      // The approver sees the snapshot with the secret redacted.
      assert.deepEqual(approval.snapshot.input, { token: '***', seen: '***' });
      await h.engine.decideApproval('default', approval.id, 'approve', 'alice');
      assert.equal(await h.engine.waitForRun(run.id, { timeoutMs: 30_000 }), 'succeeded');

      // The agents got the real values.
      const got = (key: string) =>
        h.received.filter((r) => r.runId === run.id && r.key === key).map((r) => r.input);
      assert.deepEqual(got('use'), [
        { key: API_KEY, header: `Bearer ${API_KEY}`, nested: { list: [API_KEY, 'plain'] } },
      ]);
      assert.deepEqual(got('boom'), [{ message: `upstream rejected key ${API_KEY}` }]);
      // After the approval the step resolved its templates again: the real key, not `***`.
      assert.deepEqual(got('gated'), [{ token: API_KEY, seen: '***' }]);
      assert.deepEqual(got('each[0]'), [{ n: 1, key: API_KEY }]);
      assert.deepEqual(got('each[1]'), [{ n: 2, key: API_KEY }]);

      // What is stored is redacted (so this test cannot pass by storing nothing).
      const s = await steps(run.id);
      assert.deepEqual(s.get('use')!.output, {
        key: '***',
        header: 'Bearer ***',
        nested: { list: ['***', 'plain'] },
      });
      assert.equal(s.get('boom')!.status, 'failed');
      assert.equal(s.get('boom')!.error.message, 'upstream rejected key ***');
      assert.deepEqual(s.get('gated')!.output, { deployed: { token: '***', seen: '***' } });
      assert.deepEqual(s.get('proc')!.output, { token: '***' });
      // Declared runtime secrets reach the process agent as environment variables (whole values:
      // the output shows them redacted as a whole), and only those it declared.
      const env = s.get('env')!.output;
      assert.equal(env.API_KEY, '***');
      assert.equal(env.DB_PASSWORD, '***');
      const logs = (
        await h.store.query<{ step_key: string; line: string }>(
          'SELECT step_key, line FROM step_logs WHERE run_id = $1 ORDER BY id',
          [run.id],
        )
      ).rows;
      assert.ok(
        logs.some((l) => l.step_key === 'use' && l.line.includes('"key":"***"')),
        JSON.stringify(logs),
      );
      assert.ok(
        logs.some((l) => l.step_key === 'proc' && l.line.includes('"token":"***"')),
        JSON.stringify(logs),
      );

      // Nothing in the schema holds either value: not the steps, attempts, logs, approvals,
      // events or runs, and not even the secrets table (encrypted there).
      const dump = await dumpSchema(h.store);
      for (const t of ['steps', 'attempts', 'step_logs', 'approvals', 'events', 'runs', 'secrets'])
        assert.ok(dump.has(t), `table ${t} dumped`);
      assert.ok(dump.get('secrets')!.length >= 2);
      for (const value of [API_KEY, DB_PASSWORD]) {
        const hex = Buffer.from(value).toString('hex');
        for (const [table, rows] of dump) {
          for (const row of rows) {
            assert.ok(!row.includes(value), `${table} holds a secret value: ${row}`);
            assert.ok(!row.includes(hex), `${table} holds a secret value in hex: ${row}`);
          }
        }
        const published = JSON.stringify(h.events);
        assert.ok(!published.includes(value), 'an in-process event holds a secret value');
      }
      assert.ok(h.events.some((e) => e.runId === run.id && e.type === 'workflow.step.failed'));
    });

    test('a missing secret fails the step with CC_E_SECRET_MISSING, without retries', async () => {
      await h.engine.applyWorkflow('default', {
        name: 'missing-secret',
        nodes: [
          node('a', 'test', 'echo', {
            retry: { attempts: 3, delay: '10ms' },
            inputs: { k: '{{ secrets.NOT_SET }}' },
          }),
        ],
      });
      const run = await h.engine.createRun('default', 'missing-secret');
      assert.equal(await h.engine.waitForRun(run.id, { timeoutMs: 30_000 }), 'failed');
      const a = (await steps(run.id)).get('a')!;
      assert.equal(a.status, 'failed');
      assert.equal(a.attempt, 1);
      assert.deepEqual(a.error, {
        type: 'config',
        code: 'CC_E_SECRET_MISSING',
        retryable: false,
        message: 'secret NOT_SET is not set in project default',
      });
      assert.equal(h.received.filter((r) => r.runId === run.id).length, 0, 'the agent never ran');
    });

    test('a step skipped by `when` never needs the secrets of its inputs', async () => {
      await h.engine.applyWorkflow('default', {
        name: 'skip-missing-secret',
        nodes: [
          node('maybe', 'test', 'echo', {
            when: '{{ input.go = true }}',
            inputs: { k: '{{ secrets.ALSO_NOT_SET }}' },
          }),
        ],
      });
      const run = await h.engine.createRun('default', 'skip-missing-secret', {
        input: { go: false },
      });
      assert.equal(await h.engine.waitForRun(run.id, { timeoutMs: 30_000 }), 'succeeded');
      assert.equal((await steps(run.id)).get('maybe')!.status, 'skipped');
    });

    test('a secret encrypted with another key fails the step with CC_E_SECRET_KEY_MISMATCH', async () => {
      const key = randomBytes(32);
      const other = new SecretStore(h.store, { key, keyId: keyIdOf(key) });
      await other.set('default', 'FOREIGN', 'encrypted elsewhere');
      await h.engine.applyWorkflow('default', {
        name: 'foreign-key',
        nodes: [node('a', 'test', 'echo', { inputs: { k: '{{ secrets.FOREIGN }}' } })],
      });
      const run = await h.engine.createRun('default', 'foreign-key');
      assert.equal(await h.engine.waitForRun(run.id, { timeoutMs: 30_000 }), 'failed');
      const a = (await steps(run.id)).get('a')!;
      assert.equal(a.error.code, 'CC_E_SECRET_KEY_MISMATCH');
      assert.equal(a.error.type, 'config');
      assert.equal(a.error.retryable, false);
      assert.ok(a.error.message.includes(keyIdOf(key)), a.error.message);
    });
  });
}
