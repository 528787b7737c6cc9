import { spawn, type ChildProcess } from 'node:child_process';
import { createLineSplitter } from './line-splitter.js';
import type { Termination } from './process-attempt.js';
import { signalGroup, waitForGroupExit } from './process-group.js';
import { processDefaults } from './process-runtime.js';
import { createStdoutLineReader } from './persistent-stdout.js';
import type { StderrLog } from './stderr-log.js';

/** Why the hub ended a persistent process itself (first cause wins). */
export type PersistentTermination =
  | Termination
  | { kind: 'startup-timeout' }
  /** Stopped without an attempt to blame: idle, replaced, or it broke the protocol. */
  | { kind: 'recycle'; reason: string };

/** Everything needed to start one warm process. */
export interface PersistentProcessSpec {
  file: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  /** Cap of one stdout line (the ready line and each result line). */
  maxOutputBytes: number;
  killGraceMs: number;
  /** How long the process may take to print its ready line. */
  startupTimeoutMs: number;
  /** Longer stderr lines are cut (the cut is noted on the line). */
  maxLogLineBytes: number;
}

/** How a persistent process ended, as raw facts; settles once its process group is gone. */
export interface ProcessEnd {
  pid: number | undefined;
  spawnError?: Error;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  termination?: PersistentTermination;
  /** SIGTERM was not enough: the group was SIGKILLed after the grace period. */
  escalatedToSigkill: boolean;
  /** The process had printed its ready line. */
  wasReady: boolean;
  /** Last stderr lines since the current attempt took the process, oldest first. */
  stderrTail: string[];
}

/** One attempt on a warm process. */
export interface RunSpec {
  /** The request: one JSON line, newline included. */
  line: string;
  timeoutMs: number | undefined;
  signal: AbortSignal;
  /** Receives the attempt's stderr lines (one per write, newline included). */
  stderr: StderrLog;
  /** Executor notes ("[commandcenter] ...") into the step log. */
  note(line: string): void;
}

/** A result line (the process lives on), or the end of the process (it is gone). */
export type RunOutcome = { kind: 'result'; line: string } | { kind: 'ended'; end: ProcessEnd };

const TAIL_LINES = 10;
const TAIL_LINE_CHARS = 1_000;

/**
 * One warm agent process (`runtime.persistent`), serving one request at a time. Protocol: the
 * process prints `{"ready":true}` on stdout once it takes requests (stdout lines before it are
 * ignored); then, per attempt, the hub writes one request line to stdin and the first non-empty
 * stdout line after it is the result; the stderr lines in between are the attempt's logs. Any
 * other stdout line gets the process replaced. It runs in its own process group, which is killed
 * when it exits or is stopped.
 */
export class PersistentProcess {
  /** Undefined when the command could not be spawned. */
  readonly pid: number | undefined;
  /** Settles once the process and every member of its group are gone. */
  readonly ended: Promise<ProcessEnd>;
  private readonly child: ChildProcess | undefined;
  private ready = false;
  private exited = false;
  private termination: PersistentTermination | undefined;
  private escalatedToSigkill = false;
  private killTimer: NodeJS.Timeout | undefined;
  private startupTimer: NodeJS.Timeout | undefined;
  private owner: RunSpec | undefined;
  private expectingResult = false;
  private onReady: (() => void) | undefined;
  private onResult: ((line: string) => void) | undefined;
  private tail: string[] = [];
  private settled = false;
  private resolveEnded!: (end: ProcessEnd) => void;

  constructor(private readonly spec: PersistentProcessSpec) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    try {
      this.child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true, // own process group: one signal reaches every descendant
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      // Invalid arguments or environment (e.g. a NUL byte) throw synchronously.
      this.settle({ spawnError: asError(error), exitCode: null, signal: null });
      return;
    }
    this.pid = this.child.pid;
    this.wire(this.child);
    this.startupTimer = setTimeout(() => {
      if (!this.ready) this.terminate({ kind: 'startup-timeout' });
    }, spec.startupTimeoutMs);
  }

  /** Ready, alive and not being stopped: it may take the next request. */
  get usable(): boolean {
    return this.ready && !this.exited && this.termination === undefined;
  }

  /**
   * Runs one attempt: waits for the ready line if the process is new, writes the request and
   * waits for the result line. Timeout and abort stop the process; the outcome is then `ended`,
   * returned only once its group is gone.
   */
  async run(run: RunSpec): Promise<RunOutcome> {
    if (this.owner) throw new Error('a persistent agent process serves one request at a time');
    this.owner = run;
    this.tail = [];
    this.setRef(true);
    const onAbort = (): void => this.terminate({ kind: 'abort', reason: run.signal.reason });
    if (run.signal.aborted) onAbort();
    else run.signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      run.timeoutMs !== undefined
        ? setTimeout(() => this.terminate({ kind: 'timeout' }), run.timeoutMs)
        : undefined;
    try {
      if (!this.ready) {
        const started = await this.until<true>((resolve) => (this.onReady = () => resolve(true)));
        if (started !== true) return { kind: 'ended', end: started };
      }
      this.expectingResult = true;
      this.child?.stdin?.write(run.line);
      const answered = await this.until<string>((resolve) => (this.onResult = resolve));
      if (typeof answered !== 'string') return { kind: 'ended', end: answered };
      // The agent flushed its logs to stderr before writing the result to stdout; both pipes are
      // read in the same poll phase, so after one more turn every log line of this attempt is in.
      await new Promise((resolve) => setImmediate(resolve));
      return { kind: 'result', line: answered };
    } finally {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onAbort);
      this.expectingResult = false;
      this.onReady = undefined;
      this.onResult = undefined;
      this.owner = undefined;
      run.stderr.end();
      if (this.termination === undefined) this.setRef(false);
    }
  }

  /**
   * Stops the process: at once with SIGKILL (`immediately`), otherwise the group gets SIGTERM,
   * then SIGKILL after the grace (for `recycle`, stdin is closed first). Resolves once the group
   * is gone.
   */
  stop(termination: PersistentTermination, immediately = false): Promise<ProcessEnd> {
    this.terminate(termination, immediately);
    return this.ended;
  }

  /** Whichever comes first: what `register` resolves with, or the end of the process. */
  private until<T>(register: (resolve: (value: T) => void) => void): Promise<T | ProcessEnd> {
    return Promise.race([new Promise<T>(register), this.ended]);
  }

  private terminate(cause: PersistentTermination, immediately = false): void {
    const pid = this.child?.pid;
    if (this.exited || pid === undefined) return;
    this.termination ??= cause;
    this.setRef(true); // whoever stops it waits for its end, which an unref'd process would not keep
    // Closing stdin lets an idle agent finish on its own; an attempt that is being cut short
    // learns it from SIGTERM (the SDK aborts the handler's signal).
    if (cause.kind === 'recycle') this.child?.stdin?.end();
    if (immediately || this.spec.killGraceMs === 0) {
      this.escalatedToSigkill = true;
      signalGroup(pid, 'SIGKILL');
      return;
    }
    if (this.killTimer !== undefined) return; // already terminating; SIGKILL is scheduled
    signalGroup(pid, 'SIGTERM');
    this.killTimer = setTimeout(() => {
      if (this.exited) return;
      this.escalatedToSigkill = true;
      this.owner?.note(
        `[commandcenter] agent still running ${this.spec.killGraceMs} ms after SIGTERM: SIGKILL`,
      );
      signalGroup(pid, 'SIGKILL');
    }, this.spec.killGraceMs);
  }

  private onStdoutLine(line: string): void {
    if (this.termination !== undefined) return; // being stopped: nothing it says counts any more
    const blank = line.trim() === '';
    if (!this.ready) {
      if (!isReadyLine(line)) return; // a banner before the ready line
      this.ready = true;
      clearTimeout(this.startupTimer);
      this.onReady?.();
    } else if (this.expectingResult) {
      if (blank) return;
      this.expectingResult = false;
      this.onResult?.(line);
    } else if (!blank) {
      this.owner?.note(
        `[commandcenter] persistent agent process ${this.pid} wrote to stdout outside a request: replacing it`,
      );
      this.terminate({ kind: 'recycle', reason: 'it wrote to stdout outside a request' });
    }
  }

  private onStderrLine(line: string): void {
    this.tail.push(line.length > TAIL_LINE_CHARS ? line.slice(0, TAIL_LINE_CHARS) + '…' : line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    // Lines written between requests belong to no attempt: only the tail keeps them.
    this.owner?.stderr.write(Buffer.from(line + '\n'));
  }

  private wire(child: ChildProcess): void {
    const stdout = createStdoutLineReader(
      this.spec.maxOutputBytes,
      (line) => this.onStdoutLine(line),
      () => this.terminate({ kind: 'output-too-large' }),
    );
    const stderr = createLineSplitter(this.spec.maxLogLineBytes, (line, cut) =>
      this.onStderrLine(cut > 0 ? `${line} …[line truncated: ${cut} more bytes]` : line),
    );
    child.on('error', (error) => {
      // Without a pid the process never started; otherwise this is a failed kill(), ignorable.
      if (child.pid === undefined) this.settle({ spawnError: error, exitCode: null, signal: null });
    });
    // EPIPE when the agent exits while a request is written: its exit status tells.
    child.stdin?.on('error', () => {});
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});
    child.stdout?.on('data', (chunk: Buffer) => stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.write(chunk));
    child.on('exit', (exitCode, signal) => {
      const pid = child.pid;
      if (pid === undefined) return; // a failed spawn; 'error' settles it
      this.exited = true;
      clearTimeout(this.startupTimer);
      clearTimeout(this.killTimer);
      // Descendants left in the group are orphans now, and go too.
      if (signalGroup(pid, 'SIGKILL') && this.termination === undefined) {
        this.owner?.note(
          '[commandcenter] killed processes the agent left running in its process group',
        );
      }
      // As in process-attempt.ts: an escaped descendant may hold stdio open; give the pipes one
      // poll phase after the grace before destroying them, so no buffered line is lost.
      const stdioTimer = setTimeout(() => {
        setImmediate(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        });
      }, processDefaults.stdioCloseGraceMs);
      child.once('close', () => {
        clearTimeout(stdioTimer);
        stderr.end();
        void waitForGroupExit(pid, processDefaults.groupExitWaitMs).then((gone) => {
          if (!gone) this.owner?.note(`[commandcenter] process group ${pid} did not exit`);
          this.settle({ exitCode, signal });
        });
      });
    });
  }

  private settle(facts: Pick<ProcessEnd, 'spawnError' | 'exitCode' | 'signal'>): void {
    if (this.settled) return;
    this.settled = true;
    this.exited = true;
    clearTimeout(this.startupTimer);
    clearTimeout(this.killTimer);
    this.resolveEnded({
      ...facts,
      pid: this.child?.pid,
      ...(this.termination ? { termination: this.termination } : {}),
      escalatedToSigkill: this.escalatedToSigkill,
      wasReady: this.ready,
      stderrTail: [...this.tail],
    });
  }

  /** An idle process must not keep the hub's event loop alive; a busy one must. */
  private setRef(on: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) {
      const h = handle as { ref?(): void; unref?(): void } | null;
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }
}

/** `{"ready":true}` (other fields are allowed, for versions to come). */
function isReadyLine(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { ready?: unknown }).ready === true
    );
  } catch {
    return false;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
