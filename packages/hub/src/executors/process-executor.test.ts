import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ExecutionRequest, ExecutionResult, StepError } from '@commandcenter/protocol';
import { createProcessExecutor, type ProcessRuntime } from './process-executor.js';

const executor = createProcessExecutor();
after(() => executor.closeAll());

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cc-process-executor-'));
});
after(() => rm(scratch, { recursive: true, force: true }));

function fixture(name: string): string[] {
  return [process.execPath, fileURLToPath(new URL(`./fixtures/${name}.mjs`, import.meta.url))];
}

function request(input: unknown): ExecutionRequest {
  return {
    action: 'do-it',
    input,
    run: { id: 'run-1', project: 'demo', workflow: 'wf', version: 3 },
    step: { id: 'step-1', key: 'build' },
    attempt: 2,
    idempotencyKey: 'run-1:build',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
}

interface RunOptions {
  input?: unknown;
  runtime?: Partial<ProcessRuntime>;
  signal?: AbortSignal;
  secretsEnv?: Record<string, string>;
  /** Called with every log line as it arrives. */
  onLog?: (line: string) => void;
}

async function run(command: string | string[], opts: RunOptions = {}) {
  const logs: string[] = [];
  const result = await executor.execute({ command, ...opts.runtime }, request(opts.input ?? {}), {
    signal: opts.signal ?? new AbortController().signal,
    log: (line) => {
      logs.push(line);
      opts.onLog?.(line);
    },
    ...(opts.secretsEnv ? { secretsEnv: opts.secretsEnv } : {}),
  });
  return { result, logs };
}

function failure(result: ExecutionResult): StepError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: StepError }).error;
}

/** The group id a fixture reported with `ready()`; it must be its own pid (a new group). */
function readyGroup(logs: string[]): number {
  const line = logs.find((l) => / ready pid=/.test(l));
  const match = line?.match(/pid=(\d+) pgid=(\d+)/);
  assert.ok(match, `no ready line in ${JSON.stringify(logs)}`);
  assert.equal(match[1], match[2], 'the agent must lead its own process group');
  return Number(match[1]);
}

/** No process of the group exists any more (not even a zombie). */
function assertGroupGone(pgid: number): void {
  assert.throws(() => process.kill(-pgid, 0), { code: 'ESRCH' });
}

/**
 * The process no longer runs: gone, or a zombie. A killed grandchild is an orphan, and reaping
 * it is init's job, which may happen later; a zombie holds nothing but its pid.
 */
function assertNotRunning(pid: number): void {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  assert.ok(state === 'Z' || state === 'X', `process ${pid} still runs (state ${state})`);
}

/** Resolves once `-pgid` is ESRCH, i.e. init has reaped the killed orphans too. */
async function groupReaped(pgid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    assert.ok(Date.now() < deadline, `process group ${pgid} was never reaped`);
    await setTimeout(20);
  }
}

/** Aborts `controller` with `reason` when a log line matching `pattern` arrives. */
function abortOn(pattern: RegExp, controller: AbortController, reason?: unknown) {
  return (line: string) => {
    if (pattern.test(line)) controller.abort(reason);
  };
}

describe('process executor: results', () => {
  test('echo: sends one request line, returns the input, logs stderr', async () => {
    const { result, logs } = await run(fixture('echo'), { input: { n: 42, s: 'x' } });
    assert.deepEqual(result, { ok: true, output: { n: 42, s: 'x' } });
    assert.equal(logs.length, 1);
    const sent = JSON.parse(logs[0]!.replace(/^echo received /, ''));
    assert.deepEqual(sent, request({ n: 42, s: 'x' }));
  });

  test('banner: the last non-empty stdout line is the result', async () => {
    const { result } = await run(fixture('banner'), { input: { name: 'ada' } });
    assert.deepEqual(result, { ok: true, output: { greeting: 'hello ada' } });
  });

  test('fail: { error } becomes an agent error with its retryable flag', async () => {
    const { result, logs } = await run(fixture('fail'));
    assert.deepEqual(failure(result), {
      type: 'agent',
      code: 'CC_E_AGENT_ERROR',
      retryable: false,
      message: 'the widget is broken',
      details: { agentCode: 'WIDGET_BROKEN', exitCode: 0, signal: null },
    });
    assert.deepEqual(logs, ['about to fail']);
  });

  test('crash: a non-zero exit is a retryable crash with the stderr tail', async () => {
    const error = failure((await run(fixture('crash'))).result);
    assert.equal(error.type, 'crash');
    assert.equal(error.code, 'CC_E_AGENT_CRASH');
    assert.equal(error.retryable, true);
    assert.match(error.message, /exited with code 3; last stderr line: about to crash/);
    assert.deepEqual(error.details, { exitCode: 3, signal: null, stderrTail: ['about to crash'] });
  });

  test('invalid-json: protocol error quoting the line', async () => {
    const error = failure((await run(fixture('invalid-json'))).result);
    assert.equal(error.type, 'crash');
    assert.equal(error.code, 'CC_E_AGENT_PROTOCOL');
    assert.equal(error.retryable, true);
    assert.equal(
      error.message,
      'the last stdout line is not valid JSON: "{\\"output\\": not json"',
    );
  });

  test('invalid-json: only the first 200 characters are quoted', async () => {
    const text = 'y'.repeat(1000);
    const error = failure((await run(fixture('invalid-json'), { input: { text } })).result);
    assert.equal(error.message, `the last stdout line is not valid JSON: "${'y'.repeat(200)}"`);
  });

  test('a result with neither output nor error is a protocol error', async () => {
    const error = failure(
      (await run(fixture('invalid-json'), { input: { text: '{"result":1}' } })).result,
    );
    assert.equal(error.code, 'CC_E_AGENT_PROTOCOL');
    assert.match(error.message, /neither "output" nor "error": "\{\\"result\\":1\}"/);
  });

  test('no-result: empty stdout is a protocol error; EPIPE on a large request is harmless', async () => {
    const { result } = await run(fixture('no-result'), { input: 'z'.repeat(8 * 1024 * 1024) });
    const error = failure(result);
    assert.equal(error.code, 'CC_E_AGENT_PROTOCOL');
    assert.equal(error.message, 'the agent printed no result line on stdout');
  });
});

describe('process executor: limits', () => {
  test('flood-stdout: past maxOutputBytes the group is killed, not retryable', async () => {
    const { result, logs } = await run(fixture('flood-stdout'), {
      runtime: { maxOutputBytes: 1024 * 1024 },
    });
    const error = failure(result);
    assert.equal(error.type, 'crash');
    assert.equal(error.code, 'CC_E_AGENT_OUTPUT_TOO_LARGE');
    assert.equal(error.retryable, false);
    assert.match(error.message, /more than maxOutputBytes=1048576 bytes/);
    assertGroupGone(readyGroup(logs));
  });

  test('flood-stderr: long lines are cut and the per-attempt cap is noted once', async () => {
    const { result, logs } = await run(fixture('flood-stderr'), { input: { lines: 20_000 } });
    assert.deepEqual(result, { ok: true, output: { lines: 20_000 } });
    assert.equal(logs.length, 10_001);
    assert.equal(
      logs[0],
      `${'L'.repeat(16 * 1024)} …[line truncated: ${100_000 - 16 * 1024} more bytes]`,
    );
    assert.equal(logs[1], 'log line 0');
    assert.equal(logs[9_999], 'log line 9998');
    assert.match(logs[10_000]!, /^\[commandcenter\] log limit reached \(10000 lines/);
  });

  test('memory-hog: exceeding memoryMb is a crash that names the limit', async () => {
    const { result, logs } = await run(fixture('memory-hog'), { runtime: { memoryMb: 32 } });
    const error = failure(result);
    assert.equal(error.type, 'crash');
    assert.equal(error.code, 'CC_E_AGENT_CRASH');
    assert.equal(error.retryable, true);
    assert.match(error.message, /possibly exceeded memoryMb=32/);
    assert.ok(logs.some((l) => /heap out of memory/.test(l)));
  });

  test(
    'memoryMb on a non-node command runs it under prlimit --as',
    { skip: !hasPrlimit() },
    async () => {
      const { result } = await run(['/bin/sh', '-c', 'printf \'{"output":"%s"}\' "$(ulimit -v)"'], {
        runtime: { memoryMb: 50 },
      });
      assert.deepEqual(result, { ok: true, output: String(50 * 1024) });
    },
  );

  test('memoryMb without prlimit on a non-node command is noted as not enforced', async () => {
    const noPrlimit = createProcessExecutor({ prlimitPath: null });
    const logs: string[] = [];
    const result = await noPrlimit.execute(
      { command: ['/bin/sh', '-c', 'echo \'{"output":1}\''], memoryMb: 50 },
      request({}),
      { signal: new AbortController().signal, log: (l) => logs.push(l) },
    );
    assert.deepEqual(result, { ok: true, output: 1 });
    assert.deepEqual(logs, ['[commandcenter] memoryMb=50 not enforced: prlimit is not available']);
  });
});

describe('process executor: timeouts, aborts and process groups', () => {
  test('timeout: SIGTERM to the group; an agent that exits on it ends the attempt', async () => {
    const { result, logs } = await run(fixture('hang'), {
      runtime: { timeoutMs: 1_000, killGraceMs: 10_000 },
    });
    assert.deepEqual(failure(result), {
      type: 'timeout',
      code: 'CC_E_STEP_TIMEOUT',
      retryable: true,
      message: 'agent did not finish within timeoutMs=1000 and was killed',
      details: { timeoutMs: 1_000, escalatedToSigkill: false },
    });
    assert.ok(logs.includes('hang got SIGTERM, exiting'));
    assertGroupGone(readyGroup(logs));
  });

  test('ignore-sigterm: SIGKILL after killGraceMs; plain abort reason is a cancellation', async () => {
    const controller = new AbortController();
    const { result, logs } = await run(fixture('ignore-sigterm'), {
      runtime: { killGraceMs: 200 },
      signal: controller.signal,
      onLog: abortOn(/ready/, controller, new Error('user pressed stop')),
    });
    assert.deepEqual(failure(result), {
      type: 'cancelled',
      code: 'CC_E_STEP_CANCELLED',
      retryable: false,
      message: 'step attempt cancelled: user pressed stop',
      details: { escalatedToSigkill: true },
    });
    assert.ok(logs.includes('ignoring SIGTERM'));
    assert.ok(logs.some((l) => /still running 200 ms after SIGTERM: SIGKILL/.test(l)));
    assertGroupGone(readyGroup(logs));
  });

  test('abort with a StepError reason returns that error', async () => {
    const controller = new AbortController();
    const reason: StepError = {
      type: 'cancelled',
      code: 'CC_E_STEP_CANCELLED',
      retryable: false,
      message: 'run cancelled by alice',
    };
    const { result, logs } = await run(fixture('hang'), {
      signal: controller.signal,
      onLog: abortOn(/ready/, controller, reason),
    });
    assert.deepEqual(failure(result), reason);
    assertGroupGone(readyGroup(logs));
  });

  test('an already aborted signal spawns nothing', async () => {
    const reason: StepError = {
      type: 'lost',
      code: 'CC_E_LEASE_LOST',
      retryable: true,
      message: 'x',
    };
    const { result, logs } = await run(fixture('echo'), { signal: AbortSignal.abort(reason) });
    assert.deepEqual(failure(result), reason);
    assert.deepEqual(logs, []);
  });

  test('spawn-grandchild: killing the group leaves no orphan', async () => {
    const controller = new AbortController();
    const { result, logs } = await run(fixture('spawn-grandchild'), {
      signal: controller.signal,
      onLog: abortOn(/ready/, controller),
    });
    assert.equal(failure(result).code, 'CC_E_STEP_CANCELLED');
    const grandchild = Number(logs.find((l) => l.startsWith('grandchild pid='))!.split('=')[1]);
    const pgid = readyGroup(logs);
    assertNotRunning(pgid);
    assertNotRunning(grandchild);
    await groupReaped(pgid);
  });

  test('spawn-grandchild: processes left behind after a normal exit are killed', async () => {
    const { result, logs } = await run(fixture('spawn-grandchild'), {
      input: { exitAfterSpawn: true },
    });
    assert.equal(result.ok, true);
    const { grandchild } = (result as { output: { grandchild: number } }).output;
    assert.ok(
      logs.includes('[commandcenter] killed processes the agent left running in its process group'),
    );
    assertNotRunning(readyGroup(logs));
    assertNotRunning(grandchild);
  });

  test('closeAll kills running attempts; later attempts are refused', async () => {
    const closing = createProcessExecutor();
    const logs: string[] = [];
    const result = await closing.execute({ command: fixture('hang') }, request({}), {
      signal: new AbortController().signal,
      log: (line) => {
        logs.push(line);
        if (/ready/.test(line)) void closing.closeAll();
      },
    });
    assert.deepEqual(failure(result), {
      type: 'cancelled',
      code: 'CC_E_STEP_CANCELLED',
      retryable: true,
      message: 'agent process killed because the hub is shutting down',
    });
    assertGroupGone(readyGroup(logs));
    const later = await closing.execute({ command: fixture('echo') }, request({}), {
      signal: new AbortController().signal,
      log: () => {},
    });
    assert.equal(failure(later).code, 'CC_E_STEP_CANCELLED');
  });
});

describe('process executor: environment, logs and spawn failures', () => {
  test('env-dump: the child sees only allowlisted, declared and CC_* variables', async () => {
    process.env.DATABASE_URL = 'postgres://user:hunter2@db/cc';
    process.env.CC_SECRET_KEY = 'super-secret';
    process.env.CC_TEST_PASSTHROUGH = 'passed';
    try {
      const { result } = await run(fixture('env-dump'), {
        runtime: { env: { FIXED: 'yes' }, envAllowlist: ['CC_TEST_PASSTHROUGH', 'NOT_SET'] },
        secretsEnv: { API_TOKEN: 't0ken' },
      });
      assert.equal(result.ok, true);
      const env = (result as { output: Record<string, string> }).output;
      const base = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'].filter(
        (name) => process.env[name] !== undefined,
      );
      assert.deepEqual(
        Object.keys(env).sort(),
        [
          ...base,
          'API_TOKEN',
          'CC_ATTEMPT',
          'CC_IDEMPOTENCY_KEY',
          'CC_RUN_ID',
          'CC_STEP_ID',
          'CC_TEST_PASSTHROUGH',
          'FIXED',
          'TRACEPARENT',
        ].sort(),
      );
      assert.equal(env.API_TOKEN, 't0ken');
      assert.equal(env.CC_IDEMPOTENCY_KEY, 'run-1:build');
      assert.equal(env.CC_ATTEMPT, '2');
    } finally {
      delete process.env.DATABASE_URL;
      delete process.env.CC_SECRET_KEY;
      delete process.env.CC_TEST_PASSTHROUGH;
    }
  });

  test('slow-echo: log lines arrive while the agent is still running', async () => {
    const untilFile = join(scratch, 'go');
    const { result, logs } = await run(fixture('slow-echo'), {
      input: { untilFile },
      // The agent waits for this file, created only once its first log line has arrived: if logs
      // were buffered until exit, the attempt would run into the timeout.
      runtime: { timeoutMs: 10_000 },
      onLog: (line) => {
        if (line === 'slow-echo started') void writeFile(untilFile, '');
      },
    });
    assert.deepEqual(result, { ok: true, output: { untilFile } });
    assert.deepEqual(logs, ['slow-echo started', 'slow-echo done']);
  });

  test('ENOENT: a missing command is a non-retryable config error naming it', async () => {
    const error = failure((await run('/nonexistent/agent-bin')).result);
    assert.equal(error.type, 'config');
    assert.equal(error.code, 'CC_E_AGENT_CRASH');
    assert.equal(error.retryable, false);
    assert.match(error.message, /^cannot start agent command "\/nonexistent\/agent-bin": ENOENT/);
  });

  test('a missing cwd is a config error that names the cwd', async () => {
    const error = failure(
      (await run(fixture('echo'), { runtime: { cwd: '/nonexistent/dir' } })).result,
    );
    assert.equal(error.type, 'config');
    assert.match(error.message, /in cwd "\/nonexistent\/dir": ENOENT/);
  });

  test('EACCES: a non-executable command is a config error', async () => {
    const file = join(scratch, 'not-executable.sh');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o644);
    const error = failure((await run(file)).result);
    assert.equal(error.type, 'config');
    assert.match(error.message, /^cannot start agent command ".*not-executable\.sh": EACCES/);
  });

  test('ENOENT under prlimit is still a config error', { skip: !hasPrlimit() }, async () => {
    const error = failure(
      (await run('/nonexistent/agent-bin', { runtime: { memoryMb: 64 } })).result,
    );
    assert.equal(error.type, 'config');
    assert.equal(error.retryable, false);
    assert.match(error.message, /"\/nonexistent\/agent-bin": prlimit: failed to execute/);
  });

  test('an invalid runtime is a config error', async () => {
    const error = failure((await run(fixture('echo'), { runtime: { timeoutMs: -1 } })).result);
    assert.equal(error.type, 'config');
    assert.match(error.message, /runtime.timeoutMs must be a positive number/);
  });
});

function hasPrlimit(): boolean {
  return existsSync('/usr/bin/prlimit');
}
