import { spawn, type ChildProcess } from 'node:child_process';
import { processDefaults } from './process-runtime.js';
import { signalGroup, waitForGroupExit } from './process-group.js';
import type { StderrLog } from './stderr-log.js';

/** Why the executor ended the process itself (first cause wins). */
export type Termination =
  | { kind: 'timeout' }
  | { kind: 'abort'; reason: unknown }
  | { kind: 'output-too-large' }
  | { kind: 'shutdown' };

/** Everything needed to run one process attempt. */
export interface AttemptSpec {
  file: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  /** Written to stdin, which is then closed. */
  stdin: string;
  timeoutMs: number | undefined;
  maxOutputBytes: number;
  killGraceMs: number;
  signal: AbortSignal;
  stderr: StderrLog;
  /** Executor notes ("[commandcenter] ...") into the step log. */
  note(line: string): void;
}

/** How the attempt ended, as raw facts; `classifyOutcome` turns it into a result. */
export interface AttemptOutcome {
  spawnError?: Error;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** At most `maxOutputBytes`. */
  stdout: Buffer;
  termination?: Termination;
  /** SIGTERM was not enough: the group was SIGKILLed after the grace period. */
  escalatedToSigkill: boolean;
}

/** A started attempt. `done` settles only once the process (and its group) is gone. */
export interface RunningAttempt {
  done: Promise<AttemptOutcome>;
  /** Ends the attempt: SIGTERM then SIGKILL after the grace, or SIGKILL at once. */
  terminate(termination: Termination, immediately?: boolean): void;
}

export function startAttempt(spec: AttemptSpec): RunningAttempt {
  let child: ChildProcess;
  try {
    child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // own process group: one signal reaches every descendant
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Invalid arguments or environment (e.g. a NUL byte) throw synchronously.
    const outcome = failedSpawn(error);
    return { done: Promise.resolve(outcome), terminate: () => {} };
  }

  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let termination: Termination | undefined;
  let escalatedToSigkill = false;
  let exited = false;
  let timeoutTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let resolveDone!: (outcome: AttemptOutcome) => void;
  const done = new Promise<AttemptOutcome>((resolve) => (resolveDone = resolve));

  const terminate = (cause: Termination, immediately = false): void => {
    const pid = child.pid;
    if (exited || pid === undefined) return;
    termination ??= cause;
    if (immediately || spec.killGraceMs === 0) {
      escalatedToSigkill = true;
      signalGroup(pid, 'SIGKILL');
      return;
    }
    if (killTimer !== undefined) return; // already terminating; SIGKILL is scheduled
    signalGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => {
      if (exited) return;
      escalatedToSigkill = true;
      spec.note(
        `[commandcenter] agent still running ${spec.killGraceMs} ms after SIGTERM: SIGKILL`,
      );
      signalGroup(pid, 'SIGKILL');
    }, spec.killGraceMs);
  };
  const onAbort = (): void => terminate({ kind: 'abort', reason: spec.signal.reason });

  child.on('error', (error) => {
    // Without a pid the process never started; otherwise this is a failed kill(), ignorable.
    if (child.pid === undefined) finish(failedSpawn(error));
  });
  // EPIPE/ECONNRESET when the agent exits without reading its request: the exit status tells.
  child.stdin?.on('error', () => {});
  // Read errors on the pipes are not actionable; 'close' still follows, and the outcome with it.
  child.stdout?.on('error', () => {});
  child.stderr?.on('error', () => {});
  child.stdin?.end(spec.stdin);

  child.stdout?.on('data', (chunk: Buffer) => {
    const room = spec.maxOutputBytes - stdoutBytes;
    if (room > 0) {
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      stdout.push(kept);
      stdoutBytes += kept.length;
    }
    // Past the cap the rest is drained and dropped until the group is gone.
    if (chunk.length > room) terminate({ kind: 'output-too-large' });
  });
  child.stderr?.on('data', (chunk: Buffer) => spec.stderr.write(chunk));

  if (spec.timeoutMs !== undefined) {
    timeoutTimer = setTimeout(() => terminate({ kind: 'timeout' }), spec.timeoutMs);
  }
  if (spec.signal.aborted) queueMicrotask(onAbort);
  else spec.signal.addEventListener('abort', onAbort, { once: true });

  child.on('exit', (exitCode, signal) => {
    const pid = child.pid;
    if (pid === undefined) return; // a failed spawn; 'error' settles it
    exited = true;
    clearTimeout(timeoutTimer);
    clearTimeout(killTimer);
    // Descendants left in the group are orphans now: the attempt is over, so they go too.
    if (signalGroup(pid, 'SIGKILL') && termination === undefined) {
      spec.note('[commandcenter] killed processes the agent left running in its process group');
    }
    // stdio normally closes right after; a descendant that escaped the group may hold it open.
    // The grace is counted in event-loop turns too: a loop that was busy (a long synchronous
    // stretch elsewhere in the hub) fires timers before it reads the pipes, and the result line
    // must not be thrown away unread — so destroy only after one more poll phase has run.
    const stdioTimer = setTimeout(() => {
      setImmediate(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      });
    }, processDefaults.stdioCloseGraceMs);
    child.once('close', () => {
      clearTimeout(stdioTimer);
      spec.stderr.end();
      void waitForGroupExit(pid, processDefaults.groupExitWaitMs).then((gone) => {
        if (!gone) spec.note(`[commandcenter] process group ${pid} did not exit after SIGKILL`);
        finish({
          exitCode,
          signal,
          stdout: Buffer.concat(stdout, stdoutBytes),
          ...(termination ? { termination } : {}),
          escalatedToSigkill,
        });
      });
    });
  });

  let finished = false;
  function finish(outcome: AttemptOutcome): void {
    if (finished) return;
    finished = true;
    clearTimeout(timeoutTimer);
    clearTimeout(killTimer);
    spec.signal.removeEventListener('abort', onAbort);
    resolveDone(outcome);
  }

  return { done, terminate };
}

function failedSpawn(error: unknown): AttemptOutcome {
  return {
    spawnError: error instanceof Error ? error : new Error(String(error)),
    exitCode: null,
    signal: null,
    stdout: Buffer.alloc(0),
    escalatedToSigkill: false,
  };
}
