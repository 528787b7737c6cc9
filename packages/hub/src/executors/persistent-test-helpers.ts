/**
 * Shared by the persistent process tests (`persistent-*.test.ts`): fixture commands, requests,
 * and checks that processes are really gone.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ExecutionRequest, ExecutionResult, StepError } from '@commandcenter/protocol';
import type { ProcessExecutor, ProcessRuntime } from './process-executor.js';

/** `node <fixture>` for a script in ./fixtures. */
export function fixtureCommand(name: string): string[] {
  return [process.execPath, fileURLToPath(new URL(`./fixtures/${name}.mjs`, import.meta.url))];
}

/** A request as the engine builds it; `step` names the step (and is echoed in some logs). */
export function testRequest(input: unknown, step = 'step-1'): ExecutionRequest {
  return {
    action: 'do-it',
    input,
    run: { id: 'run-1', project: 'demo', workflow: 'wf', version: 3 },
    step: { id: step, key: 'build' },
    attempt: 1,
    idempotencyKey: 'run-1:build',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
}

/** Options of {@link runAttempt}. */
export interface AttemptOptions {
  step?: string;
  signal?: AbortSignal;
  secretsEnv?: Record<string, string>;
  onLog?: (line: string) => void;
}

/** Runs one attempt and collects its log lines. */
export async function runAttempt(
  executor: ProcessExecutor,
  runtime: ProcessRuntime,
  input: unknown,
  opts: AttemptOptions = {},
): Promise<{ result: ExecutionResult; logs: string[] }> {
  const logs: string[] = [];
  const result = await executor.execute(runtime, testRequest(input, opts.step), {
    signal: opts.signal ?? new AbortController().signal,
    log: (line) => {
      logs.push(line);
      opts.onLog?.(line);
    },
    ...(opts.secretsEnv ? { secretsEnv: opts.secretsEnv } : {}),
  });
  return { result, logs };
}

/** The error of a failed result (fails the test on success). */
export function failure(result: ExecutionResult): StepError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: StepError }).error;
}

/** The output of a successful result (fails the test otherwise). */
export function output<T = Record<string, unknown>>(result: ExecutionResult): T {
  assert.equal(result.ok, true, `expected success, got ${JSON.stringify(result)}`);
  return (result as { ok: true; output: T }).output;
}

/** The pid a fixture reported in its output. */
export function pidOf(result: ExecutionResult): number {
  const pid = output<{ pid: number }>(result).pid;
  assert.equal(typeof pid, 'number');
  return pid;
}

/** The pid from a "[commandcenter] started persistent agent process <pid>" note, if any. */
export function startedPid(logs: string[]): number | undefined {
  const line = logs.find((l) => l.startsWith('[commandcenter] started persistent agent process'));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/** The process is gone: not running and reaped (kill(pid, 0) says ESRCH). */
export function assertGone(pid: number): void {
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} still exists`);
}

/**
 * The process no longer runs: gone, or a zombie. A killed grandchild is an orphan, and reaping
 * it is init's job, which may happen later; a zombie holds nothing but its pid.
 */
export function assertNotRunning(pid: number): void {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  assert.ok(state === 'Z' || state === 'X', `process ${pid} still runs (state ${state})`);
}

/**
 * Resolves once the process is gone. For processes the hub stops in the background (idle
 * timeout, retirement): there is no event to wait on from outside, so this polls, bounded.
 */
export async function waitUntilGone(pid: number): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(10);
  }
  assert.fail(`process ${pid} is still there after 10 s`);
}
