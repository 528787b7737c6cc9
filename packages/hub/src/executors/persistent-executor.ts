import { createHash } from 'node:crypto';
import type { ExecutionRequest, ExecutionResult } from '@commandcenter/protocol';
import { buildChildEnv } from './env-scrub.js';
import type { LimitedCommand } from './memory-limit.js';
import { PersistentPool } from './persistent-pool.js';
import { PersistentProcess } from './persistent-process.js';
import { classifyProcessEnd, classifyResultLine, endedBeforeStart } from './persistent-outcome.js';
import type { AgentExecutionContext } from './agent-context.js';
import type { CompiledProcessRuntime } from './process-runtime.js';
import { createStderrLog, type StderrLimits } from './stderr-log.js';

/** Hub-level settings of persistent agents (see `processDefaults` for the defaults). */
export interface PersistentExecutorOptions {
  hubEnv: Readonly<Record<string, string | undefined>>;
  baseEnvAllowlist: readonly string[] | undefined;
  stderrLimits: StderrLimits;
  idleTimeoutMs: number;
  startupTimeoutMs: number;
}

/** One attempt of a persistent agent, prepared by the process executor. */
export interface PersistentAttempt {
  compiled: CompiledProcessRuntime;
  /** The command with the memory limit applied. */
  limited: LimitedCommand;
  /** The command as configured, for messages. */
  command: string;
  request: ExecutionRequest;
  /** The request line, newline included. */
  line: string;
  ctx: AgentExecutionContext;
  note(line: string): void;
}

/** Runs attempts of persistent process agents on warm pools (one pool per configuration). */
export interface PersistentExecutor {
  execute(attempt: PersistentAttempt): Promise<ExecutionResult>;
  /** Kills every warm process (attempts in flight end as `shutdown`) and waits until all are gone. */
  closeAll(): Promise<void>;
}

/**
 * The environment variables that describe one request (`CC_RUN_ID`, ...) make no sense in a
 * process that serves many: the request line carries them. `CC_AGENT_MODE=persistent` tells the
 * agent SDK to announce readiness and read one request per line.
 */
const PER_REQUEST_ENV = [
  'CC_RUN_ID',
  'CC_STEP_ID',
  'CC_ATTEMPT',
  'CC_IDEMPOTENCY_KEY',
  'TRACEPARENT',
];

/**
 * Pools are keyed by project, agent identity and a hash of everything the process is started
 * with — command, arguments, cwd and the complete environment, declared secret values included.
 * A process cannot see a secret rotated after it started, so a new value means a new pool; when
 * the identity's key changes, the old pool is retired at once (idle processes stop now, busy ones
 * after their attempt).
 */
export function createPersistentExecutor(opts: PersistentExecutorOptions): PersistentExecutor {
  const pools = new Map<string, PersistentPool>();
  /** `<project> <agentId>` → the key of its current pool. */
  const currentKey = new Map<string, string>();
  const retiring = new Set<PersistentPool>();
  let closed = false;

  function poolFor(attempt: PersistentAttempt, env: Record<string, string>): PersistentPool {
    const { compiled, limited, request } = attempt;
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          request.run.project,
          compiled.agentId ?? null,
          limited.file,
          limited.args,
          compiled.cwd ?? null,
          Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        ]),
      )
      .digest('hex');
    if (compiled.agentId !== undefined) {
      const identity = `${request.run.project} ${compiled.agentId}`;
      const previous = currentKey.get(identity);
      currentKey.set(identity, key);
      const old = previous !== undefined && previous !== key ? pools.get(previous) : undefined;
      if (old && previous !== undefined) {
        pools.delete(previous);
        retiring.add(old);
        old.retire();
      }
    }
    const existing = pools.get(key);
    if (existing) {
      existing.resize(compiled.concurrency);
      return existing;
    }
    const spec = {
      file: limited.file,
      args: limited.args,
      cwd: compiled.cwd,
      env,
      maxOutputBytes: compiled.maxOutputBytes,
      killGraceMs: compiled.killGraceMs,
      startupTimeoutMs: opts.startupTimeoutMs,
      maxLogLineBytes: opts.stderrLimits.maxLineBytes,
    };
    const pool: PersistentPool = new PersistentPool({
      size: compiled.concurrency,
      idleTimeoutMs: opts.idleTimeoutMs,
      start: () => new PersistentProcess(spec),
      onEmpty: () => {
        if (pools.get(key) === pool) pools.delete(key);
        retiring.delete(pool);
      },
    });
    pools.set(key, pool);
    return pool;
  }

  async function execute(attempt: PersistentAttempt): Promise<ExecutionResult> {
    const { compiled, command, ctx, note } = attempt;
    if (closed) return endedBeforeStart({ kind: 'shutdown' }, command);
    const env = buildChildEnv({
      hubEnv: opts.hubEnv,
      ...(opts.baseEnvAllowlist ? { baseAllowlist: opts.baseEnvAllowlist } : {}),
      allowlist: compiled.envAllowlist,
      fixed: compiled.env,
      ...(ctx.secretsEnv ? { secrets: ctx.secretsEnv } : {}),
      request: attempt.request,
    });
    for (const name of PER_REQUEST_ENV) delete env[name];
    env.CC_AGENT_MODE = 'persistent';

    const pool = poolFor(attempt, env);
    const acquired = await pool.acquire(ctx.signal);
    if (acquired.kind === 'closed') return endedBeforeStart({ kind: 'shutdown' }, command);
    if (acquired.kind === 'aborted') {
      return endedBeforeStart({ kind: 'abort', reason: acquired.reason }, command);
    }
    const { process } = acquired;
    if (acquired.fresh && process.pid !== undefined) {
      note(`[commandcenter] started persistent agent process ${process.pid}`);
    }
    const stderr = createStderrLog(ctx.log, {
      ...opts.stderrLimits,
      // The process-level splitter already cut long lines and noted the cut.
      maxLineBytes: Number.MAX_SAFE_INTEGER,
    });
    try {
      const outcome = await process.run({
        line: attempt.line,
        timeoutMs: compiled.timeoutMs,
        signal: ctx.signal,
        stderr,
        note,
      });
      if (outcome.kind === 'ended') {
        return classifyProcessEnd(outcome.end, {
          command,
          cwd: compiled.cwd,
          timeoutMs: compiled.timeoutMs,
          maxOutputBytes: compiled.maxOutputBytes,
          memoryMb: compiled.memoryMb,
          startupTimeoutMs: opts.startupTimeoutMs,
        });
      }
      const { result, valid } = classifyResultLine(outcome.line);
      if (!valid) await process.stop({ kind: 'recycle', reason: 'it broke the result protocol' });
      return result;
    } finally {
      pool.release(process);
    }
  }

  async function closeAll(): Promise<void> {
    closed = true;
    const all = [...pools.values(), ...retiring];
    pools.clear();
    retiring.clear();
    await Promise.all(all.map((pool) => pool.close()));
  }

  return { execute, closeAll };
}
