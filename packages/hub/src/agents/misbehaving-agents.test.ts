/**
 * Agents that crash, hang, ignore SIGTERM, flood stdout/stderr, print invalid JSON or exceed
 * memory, run as workflow steps of a real hub (one-shot and persistent): each ends in a clear
 * step error, the hub keeps answering, and no child process is left behind — neither running
 * nor a zombie.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openApiHarness, V1, type ApiHarness } from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../executors/fixtures/${name}.mjs`, import.meta.url));

/** Children of this process (pid, state) from /proc: `Z` is a zombie. */
function children(): { pid: number; state: string; cmd: string }[] {
  const out: { pid: number; state: string; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [, rest] = stat.split(') ');
      const [state, ppid] = rest!.split(' ');
      if (Number(ppid) !== process.pid) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(name), state: state!, cmd });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

interface Case {
  name: string;
  runtime: Record<string, unknown>;
  input?: Record<string, unknown>;
  timeout?: string;
  status: 'failed' | 'timed_out' | 'succeeded';
  code?: string;
  message?: RegExp;
}

const node = process.execPath;
const oneShot = (name: string, extra: Record<string, unknown> = {}) => ({
  command: [node, fixture(name)],
  ...extra,
});
const persistent = (extra: Record<string, unknown> = {}) => ({
  command: [node, fixture('persistent-agent')],
  persistent: true,
  ...extra,
});

const cases: Case[] = [
  {
    name: 'crash',
    runtime: oneShot('crash'),
    status: 'failed',
    code: 'CC_E_AGENT_CRASH',
    message: /exit code 3|exited with code 3/,
  },
  {
    name: 'hang',
    runtime: oneShot('hang'),
    timeout: '1s',
    status: 'timed_out',
    code: 'CC_E_STEP_TIMEOUT',
  },
  {
    name: 'ignore-sigterm',
    runtime: oneShot('ignore-sigterm'),
    timeout: '1s',
    status: 'timed_out',
    code: 'CC_E_STEP_TIMEOUT',
  },
  {
    name: 'flood-stdout',
    runtime: oneShot('flood-stdout', { maxOutputBytes: 65_536 }),
    status: 'failed',
    code: 'CC_E_AGENT_OUTPUT_TOO_LARGE',
  },
  {
    name: 'flood-stderr',
    runtime: oneShot('flood-stderr'),
    input: { lines: 20_000 },
    status: 'succeeded',
  },
  {
    name: 'invalid-json',
    runtime: oneShot('invalid-json'),
    status: 'failed',
    code: 'CC_E_AGENT_PROTOCOL',
  },
  {
    name: 'memory-hog',
    runtime: oneShot('memory-hog', { memoryMb: 32 }),
    status: 'failed',
    code: 'CC_E_AGENT_CRASH',
    message: /memoryMb=32/,
  },
  {
    name: 'p-crash',
    runtime: persistent(),
    input: { do: 'crash' },
    status: 'failed',
    code: 'CC_E_AGENT_CRASH',
  },
  {
    name: 'p-hang',
    runtime: persistent(),
    input: { do: 'hang' },
    timeout: '1s',
    status: 'timed_out',
    code: 'CC_E_STEP_TIMEOUT',
  },
  {
    name: 'p-ignore-sigterm',
    runtime: persistent(),
    input: { do: 'ignore-sigterm' },
    timeout: '1s',
    status: 'timed_out',
    code: 'CC_E_STEP_TIMEOUT',
  },
  {
    name: 'p-invalid',
    runtime: persistent(),
    input: { do: 'invalid' },
    status: 'failed',
    code: 'CC_E_AGENT_PROTOCOL',
  },
  {
    name: 'p-flood-stdout',
    runtime: persistent({ maxOutputBytes: 65_536 }),
    input: { do: 'flood-stdout' },
    status: 'failed',
    code: 'CC_E_AGENT_OUTPUT_TOO_LARGE',
  },
];

for (const kind of storeKinds()) {
  describe(`misbehaving agents on a real hub (${kind})`, { timeout: 120_000 }, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => {
      await h.close();
      // Closing the hub ends every agent process it started, persistent ones included.
      assert.deepEqual(
        children().filter((c) => c.cmd.includes('/fixtures/')),
        [],
      );
    });

    test('each ends in a clear step error; the hub stays healthy; no zombies remain', async () => {
      for (const c of cases) {
        const agent = {
          name: `fx-${c.name}`,
          version: '1.0.0',
          type: 'process',
          runtime: c.runtime,
          actions: { go: {} },
        };
        const reg = await h.call('POST', `${V1}/agents`, { body: agent });
        assert.ok(reg.status === 201 || reg.status === 200, reg.text);
        const wf = {
          name: `wf-${c.name}`,
          nodes: [
            {
              id: 'go',
              agent: agent.name,
              action: 'go',
              ...(c.input ? { inputs: c.input } : {}),
              ...(c.timeout ? { timeout: c.timeout } : {}),
            },
          ],
        };
        const applied = await h.call('POST', `${V1}/workflows`, { body: wf });
        assert.ok(applied.status === 201 || applied.status === 200, applied.text);
        const run = await h.call('POST', `${V1}/runs`, { body: { workflow: wf.name } });
        assert.equal(run.status, 202, run.text);
        const status = await h.waitForRun(run.json.id, 60_000);
        const shown = await h.call('GET', `${V1}/runs/${run.json.id}`);
        const step = shown.json.steps[0];
        const what = `${c.name}: ${JSON.stringify(step.error)}`;
        assert.equal(step.status, c.status, what);
        if (c.status !== 'succeeded') assert.equal(status, 'failed', what);
        if (c.code) assert.equal(step.error.code, c.code, what);
        if (c.message) assert.match(step.error.message, c.message, what);
        if (c.code) assert.ok(step.error.message.length > 20, `a message that explains: ${what}`);

        const health = await h.call('GET', '/healthz');
        assert.equal(health.status, 200, `the hub answers after ${c.name}`);
        assert.deepEqual(
          children().filter((p) => p.state === 'Z'),
          [],
          `no zombie after ${c.name}`,
        );
        // One-shot agents are gone once their step ended (persistent ones may stay warm).
        if (!c.name.startsWith('p-')) {
          assert.deepEqual(
            children().filter((p) => p.cmd.includes(`/fixtures/${c.name}.mjs`)),
            [],
            `no ${c.name} process left`,
          );
        }
      }
    });
  });
}
