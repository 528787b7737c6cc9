import { basename } from 'node:path';

/** How `memoryMb` is enforced for one command. */
export type MemoryEnforcement = 'prlimit' | 'node-heap' | 'none';

export interface LimitedCommand {
  file: string;
  args: string[];
  enforcement: MemoryEnforcement;
}

/**
 * Applies `memoryMb` to a command.
 * - Node scripts get `--max-old-space-size=<memoryMb>` (a V8 heap limit). They never get
 *   `prlimit --as`: V8 reserves about 1 GiB of address space at start-up, so node refuses to
 *   start (or hangs) under any realistic address-space limit.
 * - Other commands run under `prlimit --as=<bytes> --` (util-linux), which execs the command in
 *   place, so the pid and process group are unchanged.
 * - Otherwise the limit is not enforced (the caller logs that).
 */
export function applyMemoryLimit(
  file: string,
  args: string[],
  memoryMb: number | undefined,
  prlimitPath: string | null,
): LimitedCommand {
  if (memoryMb === undefined) return { file, args, enforcement: 'none' };
  const mb = Math.max(1, Math.floor(memoryMb));
  if (isNodeExecutable(file)) {
    return { file, args: [`--max-old-space-size=${mb}`, ...args], enforcement: 'node-heap' };
  }
  if (prlimitPath !== null) {
    const bytes = mb * 1024 * 1024;
    return {
      file: prlimitPath,
      args: [`--as=${bytes}`, '--', file, ...args],
      enforcement: 'prlimit',
    };
  }
  return { file, args, enforcement: 'none' };
}

function isNodeExecutable(file: string): boolean {
  return file === process.execPath || /^node(js)?(\.exe)?$/i.test(basename(file));
}

const MEMORY_SIGNALS = new Set(['SIGKILL', 'SIGABRT', 'SIGSEGV', 'SIGBUS', 'SIGTRAP']);
const MEMORY_TEXT =
  /out of memory|heap limit|ENOMEM|cannot allocate memory|MemoryError|bad_alloc|failed to reserve/i;

/**
 * Whether a crash looks like the memory limit was hit. Only a hint: an address-space limit
 * makes allocations fail, and how a program reacts (abort, segfault, error exit) varies.
 */
export function looksLikeMemoryExhaustion(
  signal: NodeJS.Signals | null,
  stderrTail: readonly string[],
): boolean {
  return (
    (signal !== null && MEMORY_SIGNALS.has(signal)) ||
    stderrTail.some((line) => MEMORY_TEXT.test(line))
  );
}

/** prlimit's own failure to exec the command (it exits 126/127 with this message). */
export function prlimitExecFailure(exitCode: number | null, stderrTail: readonly string[]) {
  if (exitCode !== 126 && exitCode !== 127) return undefined;
  return stderrTail.find((line) => line.startsWith('prlimit: failed to execute'));
}
