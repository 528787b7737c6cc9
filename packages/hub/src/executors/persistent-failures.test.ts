import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createProcessExecutor, type ProcessRuntime } from './process-executor.js';
import {
  assertGone,
  failure,
  fixtureCommand,
  output,
  pidOf,
  runAttempt,
  startedPid,
} from './persistent-test-helpers.js';

const executor = createProcessExecutor();
after(() => executor.closeAll());

/** A persistent runtime of the fixture agent; each test uses its own agentId, so its own pool. */
function agent(agentId: string, extra: Partial<ProcessRuntime> = {}): ProcessRuntime {
  return { command: fixtureCommand('persistent-agent'), persistent: true, agentId, ...extra };
}

/** The pid a fixture logged with "<name> ready pid=<pid> ...". */
function readyPid(logs: string[]): number {
  const match = logs.find((l) => / ready pid=/.test(l))?.match(/pid=(\d+)/);
  assert.ok(match, `no ready line in ${JSON.stringify(logs)}`);
  return Number(match[1]);
}

/** After a failure that killed the process, the next request gets a new, working one. */
async function nextRequestGetsANewProcess(runtime: ProcessRuntime, old: number): Promise<void> {
  assertGone(old);
  const { result, logs } = await runAttempt(executor, runtime, { after: 'failure' });
  assert.notEqual(pidOf(result), old);
  assert.equal(startedPid(logs), pidOf(result));
}

describe('persistent process agents: failures during a request', () => {
  test('crash mid-request: a retryable crash with exit code and stderr tail', async () => {
    const runtime = agent('crash@1.0.0');
    const pid = pidOf((await runAttempt(executor, runtime, {})).result);
    const error = failure((await runAttempt(executor, runtime, { do: 'crash' })).result);
    assert.deepEqual(error, {
      type: 'crash',
      code: 'CC_E_AGENT_CRASH',
      retryable: true,
      message:
        'persistent agent process exited with code 3 while handling the request; ' +
        'last stderr line: about to crash',
      details: { pid, exitCode: 3, signal: null, phase: 'request', stderrTail: ['about to crash'] },
    });
    await nextRequestGetsANewProcess(runtime, pid);
  });

  test('{ error } is an agent error; the process stays warm', async () => {
    const runtime = agent('error@1.0.0');
    const pid = pidOf((await runAttempt(executor, runtime, {})).result);
    assert.deepEqual(failure((await runAttempt(executor, runtime, { do: 'error' })).result), {
      type: 'agent',
      code: 'CC_E_AGENT_ERROR',
      retryable: false,
      message: 'no widget',
      details: { agentCode: 'NO_WIDGET' },
    });
    assert.equal(pidOf((await runAttempt(executor, runtime, {})).result), pid);
  });

  test('hang: the timeout SIGTERMs the group; the next request gets a new process', async () => {
    const runtime = agent('hang@1.0.0', { timeoutMs: 1_000, killGraceMs: 10_000 });
    const { result, logs } = await runAttempt(executor, runtime, { do: 'hang' });
    assert.deepEqual(failure(result), {
      type: 'timeout',
      code: 'CC_E_STEP_TIMEOUT',
      retryable: true,
      message: 'agent did not finish within timeoutMs=1000 and was killed',
      details: { timeoutMs: 1_000, escalatedToSigkill: false },
    });
    assert.ok(logs.includes('persistent-agent got SIGTERM, exiting'), JSON.stringify(logs));
    await nextRequestGetsANewProcess(runtime, startedPid(logs)!);
  });

  test('ignore-sigterm: an abort ends in SIGKILL after killGraceMs', async () => {
    const runtime = agent('sigterm@1.0.0', { killGraceMs: 200 });
    const controller = new AbortController();
    const { result, logs } = await runAttempt(
      executor,
      runtime,
      { do: 'ignore-sigterm' },
      {
        signal: controller.signal,
        onLog: (line) => / ready pid=/.test(line) && controller.abort(new Error('user stop')),
      },
    );
    assert.deepEqual(failure(result), {
      type: 'cancelled',
      code: 'CC_E_STEP_CANCELLED',
      retryable: false,
      message: 'step attempt cancelled: user stop',
      details: { escalatedToSigkill: true },
    });
    assert.ok(logs.includes('ignoring SIGTERM'));
    assert.ok(logs.includes('[commandcenter] agent still running 200 ms after SIGTERM: SIGKILL'));
    await nextRequestGetsANewProcess(runtime, readyPid(logs));
  });

  test('an invalid result line is a protocol error and the process is replaced', async () => {
    const runtime = agent('invalid@1.0.0');
    const pid = pidOf((await runAttempt(executor, runtime, {})).result);
    const error = failure((await runAttempt(executor, runtime, { do: 'invalid' })).result);
    assert.deepEqual(error, {
      type: 'crash',
      code: 'CC_E_AGENT_PROTOCOL',
      retryable: true,
      message:
        'the result line is not valid JSON: "{\\"output\\": not json"; ' +
        'the persistent agent process was replaced',
    });
    const neither = failure(
      (await runAttempt(executor, runtime, { do: 'invalid', text: '{"result":1}' })).result,
    );
    assert.match(neither.message, /neither "output" nor "error": "\{\\"result\\":1\}"/);
    await nextRequestGetsANewProcess(runtime, pid);
  });

  test('flood-stdout: a result line past maxOutputBytes kills the process', async () => {
    const runtime = agent('flood-stdout@1.0.0', { maxOutputBytes: 256 * 1024 });
    const { result, logs } = await runAttempt(executor, runtime, { do: 'flood-stdout' });
    assert.deepEqual(failure(result), {
      type: 'crash',
      code: 'CC_E_AGENT_OUTPUT_TOO_LARGE',
      retryable: false,
      message: 'agent wrote a stdout line longer than maxOutputBytes=262144 bytes and was killed',
      details: { maxOutputBytes: 262144, escalatedToSigkill: false },
    });
    await nextRequestGetsANewProcess(runtime, readyPid(logs));
  });

  test('flood-stderr: the log caps apply per attempt, and the next attempt starts afresh', async () => {
    const runtime = agent('flood-stderr@1.0.0');
    const flood = await runAttempt(executor, runtime, { do: 'flood-stderr', lines: 20_000 });
    const pid = pidOf(flood.result);
    // The start note (not stderr), then 10 000 stderr lines: the startup line and 9 999 flood
    // lines; then the cap note.
    assert.equal(flood.logs.length, 10_002);
    assert.equal(flood.logs[2], 'flood line 0');
    assert.equal(flood.logs[10_000], 'flood line 9998');
    assert.match(flood.logs.at(-1)!, /^\[commandcenter\] log limit reached \(10000 lines/);
    const next = await runAttempt(executor, runtime, { do: 'log', lines: 1 }, { step: 'calm' });
    assert.equal(pidOf(next.result), pid);
    assert.deepEqual(next.logs, ['line 0 of calm']);
  });

  test('memory: exceeding memoryMb crashes the attempt with the limit named', async () => {
    const runtime = agent('memory@1.0.0', { memoryMb: 64 });
    const pid = pidOf((await runAttempt(executor, runtime, {})).result);
    const { result, logs } = await runAttempt(executor, runtime, { do: 'memory' });
    const error = failure(result);
    assert.equal(error.code, 'CC_E_AGENT_CRASH');
    assert.equal(error.retryable, true);
    assert.match(error.message, /while handling the request \(possibly exceeded memoryMb=64\)/);
    assert.ok(logs.some((l) => /heap out of memory/.test(l)));
    await nextRequestGetsANewProcess(runtime, pid);
  });

  test(
    'memory: a non-node agent runs under prlimit --as and dies past it',
    { skip: !existsSync('/usr/bin/prlimit') },
    async () => {
      // A shell agent: answers with its address-space limit; "hog" builds a 200 MB string.
      const script = [
        'echo \'{"ready":true}\'',
        'while read -r line; do',
        '  case "$line" in *hog*) x=$(head -c 200000000 /dev/zero | tr "\\0" a) ;; esac',
        '  printf \'{"output":{"limitKb":"%s","pid":%s}}\\n\' "$(ulimit -v)" "$$"',
        'done',
      ].join('\n');
      const runtime: ProcessRuntime = {
        command: ['/bin/sh', '-c', script],
        persistent: true,
        agentId: 'shell-memory@1.0.0',
        memoryMb: 50,
      };
      const first = output<{ limitKb: string; pid: number }>(
        (await runAttempt(executor, runtime, {})).result,
      );
      assert.equal(first.limitKb, String(50 * 1024));
      const error = failure((await runAttempt(executor, runtime, { hog: true })).result);
      assert.equal(error.code, 'CC_E_AGENT_CRASH');
      assert.match(error.message, /^persistent agent process (was killed by signal|exited with)/);
      assertGone(first.pid);
      const next = output<{ pid: number }>((await runAttempt(executor, runtime, {})).result);
      assert.notEqual(next.pid, first.pid);
    },
  );
});

describe('persistent process agents: start-up failures', () => {
  test('no ready line: a one-shot agent marked persistent fails with a fix', async () => {
    const short = createProcessExecutor({ persistentStartupTimeoutMs: 300 });
    try {
      const runtime: ProcessRuntime = { command: fixtureCommand('echo'), persistent: true };
      const { result, logs } = await runAttempt(short, runtime, {});
      const error = failure(result);
      assert.equal(error.type, 'config');
      assert.equal(error.code, 'CC_E_AGENT_PROTOCOL');
      assert.equal(error.retryable, false);
      assert.match(error.message, /did not print \{"ready":true\} on stdout within 300 ms/);
      assert.match(error.message, /remove runtime.persistent/);
      assertGone(startedPid(logs)!);
    } finally {
      await short.closeAll();
    }
  });

  test('exit 0 before the ready line reads as a one-shot agent', async () => {
    const runtime: ProcessRuntime = { command: fixtureCommand('no-result'), persistent: true };
    const error = failure((await runAttempt(executor, runtime, {})).result);
    assert.equal(error.code, 'CC_E_AGENT_CRASH');
    assert.match(
      error.message,
      /^persistent agent process exited with code 0 before it printed \{"ready":true\} — it looks like a one-shot agent/,
    );
    assert.equal(error.details?.phase, 'startup');
  });

  test('a crash at start-up names the last stderr line', async () => {
    const runtime: ProcessRuntime = {
      command: ['/bin/sh', '-c', 'echo "cannot load config" >&2; exit 2'],
      persistent: true,
    };
    const error = failure((await runAttempt(executor, runtime, {})).result);
    assert.equal(
      error.message,
      'persistent agent process exited with code 2 before it printed {"ready":true}; ' +
        'last stderr line: cannot load config',
    );
  });

  test('a missing command is a non-retryable config error', async () => {
    const runtime: ProcessRuntime = { command: '/nonexistent/agent-bin', persistent: true };
    const error = failure((await runAttempt(executor, runtime, {})).result);
    assert.equal(error.type, 'config');
    assert.equal(error.retryable, false);
    assert.match(error.message, /^cannot start agent command "\/nonexistent\/agent-bin": ENOENT/);
  });

  test('an invalid concurrency is a config error', async () => {
    const error = failure(
      (await runAttempt(executor, agent('bad@1.0.0', { concurrency: 1.5 }), {})).result,
    );
    assert.equal(error.type, 'config');
    assert.match(error.message, /concurrency must be a positive integer \(got 1.5\)/);
  });
});
