import type { ProcessRuntime as ManifestProcessRuntime } from '@commandcenter/protocol';

/**
 * `runtime` of a process agent as the executor uses it (SPEC §4): the manifest's runtime, plus
 * `killGraceMs` (time between SIGTERM and SIGKILL of the process group; default 2000).
 * `persistent` and `secrets` are read by the engine, not here.
 */
export type ProcessRuntime = ManifestProcessRuntime & { killGraceMs?: number };

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
  })) {
    const min = name === 'killGraceMs' ? 0 : Number.MIN_VALUE;
    if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
      return `runtime.${name} must be a ${min === 0 ? 'non-negative' : 'positive'} number (got ${String(value)})`;
    }
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
  };
}
