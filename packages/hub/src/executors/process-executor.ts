import { accessSync, constants } from 'node:fs';
import { protocolRequest } from './protocol-request.js';
import type { ExecutionRequest, ExecutionResult } from '@commandcenter/protocol';
import type { AgentExecutionContext } from './agent-context.js';
import { classifyOutcome } from './classify-outcome.js';
import { buildChildEnv } from './env-scrub.js';
import { applyMemoryLimit } from './memory-limit.js';
import { createPersistentExecutor } from './persistent-executor.js';
import { endedBeforeStart } from './persistent-outcome.js';
import { startAttempt, type RunningAttempt } from './process-attempt.js';
import { compileProcessRuntime, processDefaults, type ProcessRuntime } from './process-runtime.js';
import { createStderrLog } from './stderr-log.js';

export type { ProcessRuntime } from './process-runtime.js';

/** Options of {@link createProcessExecutor}. */
export interface ProcessExecutorOptions {
  /** Replaces the base environment allowlist (`BASE_ENV_ALLOWLIST`). */
  baseEnvAllowlist?: string[];
  /** Where allowlisted variables are read from; default `process.env`. */
  hubEnv?: Readonly<Record<string, string | undefined>>;
  /** Path of util-linux `prlimit`, or null to never use it; default `/usr/bin/prlimit` if present. */
  prlimitPath?: string | null;
  /** Per-attempt stderr caps; defaults in `processDefaults`. */
  maxLogLines?: number;
  maxLogBytes?: number;
  maxLogLineBytes?: number;
  /** Persistent agents: stop a process idle this long; default 5 minutes. */
  persistentIdleTimeoutMs?: number;
  /** Persistent agents: how long a new process may take to print its ready line; default 30 s. */
  persistentStartupTimeoutMs?: number;
}

/** The execution context plus the declared secrets as environment variables. */
export type ProcessExecutionContext = AgentExecutionContext;

/**
 * Runs process agents (SPEC §4): one child process per attempt, or (`runtime.persistent`) one
 * request at a time on a warm process of the agent's pool.
 */
export interface ProcessExecutor {
  /** Runs one attempt. Never rejects: every failure is a `StepError` in the result. */
  execute(
    runtime: ProcessRuntime,
    request: ExecutionRequest,
    ctx: ProcessExecutionContext,
  ): Promise<ExecutionResult>;
  /**
   * SIGKILLs the group of every attempt still running and of every warm process, and waits for
   * them to settle. Later attempts fail as cancelled (retryable).
   */
  closeAll(): Promise<void>;
}

/**
 * Protocol, per attempt: the command is spawned in its own process group with a scrubbed
 * environment; one JSON request line goes to stdin, which is then closed; every stderr line is a
 * step log line (live); the last non-empty stdout line is the result. Timeout, abort and the
 * output cap SIGTERM the whole group, then SIGKILL it after `killGraceMs`; processes the agent
 * leaves in its group are SIGKILLed when it exits. A result is returned only once the group is
 * gone.
 *
 * Persistent runtimes are routed to warm pools (see `persistent-executor.ts` and the protocol in
 * packages/agent-sdk/README.md): same environment scrub, secrets, memory limit, cwd, limits and
 * error classification, but the process (started with `CC_AGENT_MODE=persistent`) serves one
 * request line after another.
 */
export function createProcessExecutor(opts: ProcessExecutorOptions = {}): ProcessExecutor {
  const prlimitPath = opts.prlimitPath !== undefined ? opts.prlimitPath : findPrlimit();
  const stderrLimits = {
    maxLineBytes: opts.maxLogLineBytes ?? processDefaults.maxLogLineBytes,
    maxLines: opts.maxLogLines ?? processDefaults.maxLogLines,
    maxBytes: opts.maxLogBytes ?? processDefaults.maxLogBytes,
  };
  const running = new Set<RunningAttempt>();
  const persistent = createPersistentExecutor({
    hubEnv: opts.hubEnv ?? process.env,
    baseEnvAllowlist: opts.baseEnvAllowlist,
    stderrLimits,
    idleTimeoutMs: opts.persistentIdleTimeoutMs ?? processDefaults.persistentIdleTimeoutMs,
    startupTimeoutMs: opts.persistentStartupTimeoutMs ?? processDefaults.persistentStartupTimeoutMs,
  });
  let closed = false;

  async function execute(
    runtime: ProcessRuntime,
    request: ExecutionRequest,
    ctx: ProcessExecutionContext,
  ): Promise<ExecutionResult> {
    const compiled = compileProcessRuntime(runtime);
    const command = Array.isArray(runtime.command) ? runtime.command.join(' ') : runtime.command;
    if (typeof compiled === 'string') return configError(`invalid process runtime: ${compiled}`);
    if (closed) return endedBeforeStart({ kind: 'shutdown' }, command);
    if (ctx.signal.aborted) {
      return endedBeforeStart({ kind: 'abort', reason: ctx.signal.reason }, command);
    }

    let stdin: string;
    try {
      stdin = JSON.stringify(protocolRequest(request)) + '\n';
    } catch (error) {
      return {
        ok: false,
        error: {
          type: 'validation',
          code: 'CC_E_AGENT_PROTOCOL',
          retryable: false,
          message: `step input cannot be serialised to JSON: ${(error as Error).message}`,
        },
      };
    }

    const note = (line: string): void => {
      try {
        ctx.log(line);
      } catch {
        // see stderr-log.ts: a failing log sink must not fail the attempt
      }
    };
    const limited = applyMemoryLimit(compiled.file, compiled.args, compiled.memoryMb, prlimitPath);
    if (compiled.memoryMb !== undefined && limited.enforcement === 'none') {
      note(`[commandcenter] memoryMb=${compiled.memoryMb} not enforced: prlimit is not available`);
    }
    if (compiled.persistent) {
      return persistent.execute({ compiled, limited, command, request, line: stdin, ctx, note });
    }
    const stderr = createStderrLog(ctx.log, stderrLimits);
    const attempt = startAttempt({
      file: limited.file,
      args: limited.args,
      cwd: compiled.cwd,
      env: buildChildEnv({
        hubEnv: opts.hubEnv ?? process.env,
        ...(opts.baseEnvAllowlist ? { baseAllowlist: opts.baseEnvAllowlist } : {}),
        allowlist: compiled.envAllowlist,
        fixed: compiled.env,
        ...(ctx.secretsEnv ? { secrets: ctx.secretsEnv } : {}),
        request,
        tracestate: ctx.tracestate,
      }),
      stdin,
      timeoutMs: compiled.timeoutMs,
      maxOutputBytes: compiled.maxOutputBytes,
      killGraceMs: compiled.killGraceMs,
      signal: ctx.signal,
      stderr,
      note,
    });
    running.add(attempt);
    try {
      const outcome = await attempt.done;
      return classifyOutcome(outcome, {
        command,
        cwd: compiled.cwd,
        timeoutMs: compiled.timeoutMs,
        maxOutputBytes: compiled.maxOutputBytes,
        memoryMb: compiled.memoryMb,
        stderrTail: stderr.tail(),
      });
    } finally {
      running.delete(attempt);
    }
  }

  async function closeAll(): Promise<void> {
    closed = true;
    const attempts = [...running];
    for (const attempt of attempts) attempt.terminate({ kind: 'shutdown' }, true);
    await Promise.all([...attempts.map((attempt) => attempt.done), persistent.closeAll()]);
  }

  return { execute, closeAll };
}

function configError(message: string): ExecutionResult {
  return {
    ok: false,
    error: { type: 'config', code: 'CC_E_AGENT_CRASH', retryable: false, message },
  };
}

function findPrlimit(): string | null {
  try {
    accessSync('/usr/bin/prlimit', constants.X_OK);
    return '/usr/bin/prlimit';
  } catch {
    return null;
  }
}
