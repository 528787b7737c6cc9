import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createProcessExecutor, type ProcessRuntime } from './process-executor.js';
import {
  assertGone,
  assertNotRunning,
  failure,
  fixtureCommand,
  output,
  pidOf,
  runAttempt,
  startedPid,
  testRequest,
  waitUntilGone,
} from './persistent-test-helpers.js';

const executor = createProcessExecutor();
after(() => executor.closeAll());

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cc-persistent-'));
});
after(() => rm(scratch, { recursive: true, force: true }));

/** A persistent runtime of the fixture agent; each test uses its own agentId, so its own pool. */
function agent(agentId: string, extra: Partial<ProcessRuntime> = {}): ProcessRuntime {
  return { command: fixtureCommand('persistent-agent'), persistent: true, agentId, ...extra };
}

describe('persistent process agents: a warm process per request', () => {
  test('a step costs no spawn: the same process answers every request', async () => {
    const runtime = agent('reuse@1.0.0');
    const first = await runAttempt(executor, runtime, { do: 'log', lines: 2 }, { step: 's1' });
    const second = await runAttempt(executor, runtime, { do: 'log', lines: 1 }, { step: 's2' });
    const third = await runAttempt(executor, runtime, { n: 3 });
    const pid = pidOf(first.result);
    assert.equal(pidOf(second.result), pid);
    assert.deepEqual(output(third.result), { pid, input: { n: 3 } });
    // Each attempt sees its own stderr lines only; startup lines belong to the first attempt.
    assert.deepEqual(first.logs, [
      `[commandcenter] started persistent agent process ${pid}`,
      `persistent-agent starting pid=${pid}`,
      'line 0 of s1',
      'line 1 of s1',
    ]);
    assert.deepEqual(second.logs, ['line 0 of s2']);
    assert.deepEqual(third.logs, []);
  });

  test('the request line carries what one-shot agents get in their environment', async () => {
    const { result } = await runAttempt(executor, agent('request@1.0.0'), { do: 'request' });
    const { request } = output<{ request: unknown }>(result);
    assert.deepEqual(request, testRequest({ do: 'request' }));
  });

  test('the environment is scrubbed, has the secrets and CC_AGENT_MODE, no per-request names', async () => {
    process.env.DATABASE_URL = 'postgres://user:hunter2@db/cc';
    try {
      const { result } = await runAttempt(
        executor,
        agent('env@1.0.0', { env: { FIXED: 'yes', CC_RUN_ID: 'spoofed' } }),
        { do: 'env' },
        { secretsEnv: { API_TOKEN: 't0ken' } },
      );
      const { env } = output<{ env: Record<string, string> }>(result);
      const base = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'].filter(
        (name) => process.env[name] !== undefined,
      );
      assert.deepEqual(
        Object.keys(env).sort(),
        [...base, 'API_TOKEN', 'CC_AGENT_MODE', 'FIXED'].sort(),
      );
      assert.equal(env.CC_AGENT_MODE, 'persistent');
      assert.equal(env.API_TOKEN, 't0ken');
    } finally {
      delete process.env.DATABASE_URL;
    }
  });

  test('a rotated secret starts a fresh process and the old one is stopped at once', async () => {
    const runtime = agent('rotate@1.0.0');
    const before = await runAttempt(executor, runtime, { do: 'env' }, { secretsEnv: { K: 'v1' } });
    const again = await runAttempt(executor, runtime, { do: 'env' }, { secretsEnv: { K: 'v1' } });
    const rotated = await runAttempt(executor, runtime, { do: 'env' }, { secretsEnv: { K: 'v2' } });
    const old = pidOf(before.result);
    assert.equal(pidOf(again.result), old);
    assert.notEqual(pidOf(rotated.result), old);
    assert.equal(output<{ env: { K: string } }>(rotated.result).env.K, 'v2');
    await waitUntilGone(old);
  });

  test('an agent that exits between requests is replaced on the next request', async () => {
    const runtime = agent('exit-after@1.0.0');
    const first = pidOf((await runAttempt(executor, runtime, { do: 'exit-after' })).result);
    await waitUntilGone(first);
    const { result, logs } = await runAttempt(executor, runtime, {});
    assert.notEqual(pidOf(result), first);
    assert.equal(startedPid(logs), pidOf(result));
  });

  test('a second answer (stdout outside a request) gets the process replaced', async () => {
    const runtime = agent('extra-line@1.0.0');
    const { result } = await runAttempt(executor, runtime, { do: 'extra-line' });
    const first = pidOf(result);
    await waitUntilGone(first);
    assert.notEqual(pidOf((await runAttempt(executor, runtime, {})).result), first);
  });

  test('an idle process is stopped after the idle timeout', async () => {
    const idle = createProcessExecutor({ persistentIdleTimeoutMs: 50 });
    try {
      const pid = pidOf((await runAttempt(idle, agent('idle@1.0.0'), {})).result);
      await waitUntilGone(pid);
    } finally {
      await idle.closeAll();
    }
  });
});

describe('persistent process agents: concurrency', () => {
  test('concurrency N runs at most N processes; further requests wait for a free one', async () => {
    const file = join(scratch, 'go-concurrency');
    const runtime = agent('concurrency@1.0.0', { concurrency: 2 });
    const started: string[] = [];
    let releaseWhenTwo: () => void;
    const twoStarted = new Promise<void>((resolve) => (releaseWhenTwo = resolve));
    const attempts = Array.from({ length: 5 }, () =>
      runAttempt(
        executor,
        runtime,
        { do: 'wait-file', file },
        {
          onLog: (line) => {
            if (!line.startsWith('started pid=')) return;
            started.push(line);
            if (started.length === 2) releaseWhenTwo();
          },
        },
      ),
    );
    await twoStarted;
    assert.equal(started.length, 2, 'only two requests run while both processes are busy');
    await writeFile(file, '');
    const results = await Promise.all(attempts);
    const pids = new Set(results.map(({ result }) => pidOf(result)));
    assert.equal(pids.size, 2);
    assert.equal(results.filter(({ logs }) => startedPid(logs) !== undefined).length, 2);
  });

  test('a request waiting for a free process honours its signal and spawns nothing', async () => {
    const file = join(scratch, 'go-wait');
    const runtime = agent('waiting@1.0.0', { concurrency: 1 });
    let busy: () => void;
    const isBusy = new Promise<void>((resolve) => (busy = resolve));
    const first = runAttempt(
      executor,
      runtime,
      { do: 'wait-file', file },
      { onLog: (line) => line.startsWith('started pid=') && busy() },
    );
    await isBusy;
    const controller = new AbortController();
    const waiting = runAttempt(executor, runtime, {}, { signal: controller.signal });
    const reason = {
      type: 'cancelled' as const,
      code: 'CC_E_STEP_CANCELLED',
      retryable: false,
      message: 'run cancelled by alice',
    };
    controller.abort(reason);
    const aborted = await waiting;
    assert.deepEqual(failure(aborted.result), reason);
    assert.deepEqual(aborted.logs, []);
    await writeFile(file, '');
    assert.equal((await first).result.ok, true);
  });
});

describe('persistent process agents: closing', () => {
  test('closeAll kills warm and busy processes and their groups; later attempts are refused', async () => {
    const closing = createProcessExecutor();
    const runtime = agent('close@1.0.0', { concurrency: 2 });
    const busyLogs: string[] = [];
    let busy: () => void;
    const isBusy = new Promise<void>((resolve) => (busy = resolve));
    const hanging = runAttempt(
      closing,
      runtime,
      { do: 'hang' },
      {
        onLog: (line) => {
          busyLogs.push(line);
          if (/ ready pid=/.test(line)) busy();
        },
      },
    );
    await isBusy;
    // The first process is busy, so this starts a second one, which stays warm (idle).
    const warm = output<{ pid: number; grandchild: number }>(
      (await runAttempt(closing, runtime, { do: 'grandchild' })).result,
    );
    await closing.closeAll();
    const busyPid = startedPid(busyLogs);
    assert.ok(busyPid !== undefined && busyPid !== warm.pid);
    assert.deepEqual(failure((await hanging).result), {
      type: 'cancelled',
      code: 'CC_E_STEP_CANCELLED',
      retryable: true,
      message: 'agent process killed because the hub is shutting down',
    });
    // Our children are reaped by the hub: not even a zombie is left.
    assertGone(warm.pid);
    assertGone(busyPid);
    assertNotRunning(warm.grandchild);
    const later = await runAttempt(closing, runtime, {});
    assert.equal(failure(later.result).code, 'CC_E_STEP_CANCELLED');
  });
});
