import type { ProcessRuntime as ManifestProcessRuntime } from '@commandcenter/protocol';

/**
 * `runtime` of a process agent as the executor uses it (SPEC §4): the manifest's runtime, plus
 * hub-side settings the manifest does not hold. `secrets` is read by the engine (it passes the
 * values as `ctx.secretsEnv`), not here.
 */
export type ProcessRuntime = ManifestProcessRuntime & {
  /** Time between SIGTERM and SIGKILL of the process group; default 2000. */
  killGraceMs?: number;
  /**
   * Persistent agents: the most warm processes of this agent in this hub (the manifest's
   * `concurrency`); default `processDefaults.persistentPoolSize`.
   */
  concurrency?: number;
  /**
   * Persistent agents: the agent's identity (`<name>@<version>`). Attempts of one identity share
   * a warm pool; when its settings or secret values change, the old pool is retired at once.
   */
  agentId?: string;
};

/** Defaults applied to every process agent; one place, compiled once. */
export const processDefaults = Object.freeze({
  maxOutputBytes: 4 * 1024 * 1024,
  killGraceMs: 2_000,
  /** Per stderr line. */
  maxLogLineBytes: 16 * 1024,
  /** Per attempt. */
  maxLogLines: 10_000,
  maxLogBytes: 2 * 1024 * 1024,
  /** After the agent exits: how long stdio may stay open (held by an escaped descendant). */
  stdioCloseGraceMs: 1_000,
  /** After the agent exits: how long to wait for killed leftovers of its group to disappear. */
  groupExitWaitMs: 2_000,
  /** Persistent agents: warm processes per agent when the manifest sets no `concurrency`. */
  persistentPoolSize: 4,
  /** Persistent agents: an idle process is stopped after this long. */
  persistentIdleTimeoutMs: 5 * 60_000,
  /** Persistent agents: how long a new process may take to print its ready line. */
  persistentStartupTimeoutMs: 30_000,
});

/** A runtime with its command split and defaults applied. */
export interface CompiledProcessRuntime {
  file: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  envAllowlist: string[];
  timeoutMs: number | undefined;
  maxOutputBytes: number;
  memoryMb: number | undefined;
  killGraceMs: number;
  persistent: boolean;
  /** Persistent agents: the most warm processes (a positive integer). */
  concurrency: number;
  agentId: string | undefined;
}

/** Returns the compiled runtime, or a message saying what is wrong with it. */
export function compileProcessRuntime(runtime: ProcessRuntime): CompiledProcessRuntime | string {
  const [file, ...commandArgs] =
    typeof runtime.command === 'string' ? [runtime.command] : runtime.command;
  if (file === undefined || file === '') return 'runtime.command is empty';
  for (const [name, value] of Object.entries({
    timeoutMs: runtime.timeoutMs,
    maxOutputBytes: runtime.maxOutputBytes,
    memoryMb: runtime.memoryMb,
    killGraceMs: runtime.killGraceMs,
    concurrency: runtime.concurrency,
  })) {
    const min = name === 'killGraceMs' ? 0 : Number.MIN_VALUE;
    if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
      return `runtime.${name} must be a ${min === 0 ? 'non-negative' : 'positive'} number (got ${String(value)})`;
    }
  }
  if (runtime.concurrency !== undefined && !Number.isInteger(runtime.concurrency)) {
    return `concurrency must be a positive integer (got ${String(runtime.concurrency)})`;
  }
  return {
    file,
    args: [...commandArgs, ...(runtime.args ?? [])],
    cwd: runtime.cwd,
    env: runtime.env ?? {},
    envAllowlist: runtime.envAllowlist ?? [],
    timeoutMs: runtime.timeoutMs,
    maxOutputBytes: runtime.maxOutputBytes ?? processDefaults.maxOutputBytes,
    memoryMb: runtime.memoryMb,
    killGraceMs: runtime.killGraceMs ?? processDefaults.killGraceMs,
    persistent: runtime.persistent === true,
    concurrency: runtime.concurrency ?? processDefaults.persistentPoolSize,
    agentId: runtime.agentId,
  };
}
