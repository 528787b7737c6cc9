/**
 * Runs the `git` binary for the patcher: `execFile` (never a shell), a timeout and the attempt's
 * abort signal on every call, a scrubbed environment (no inherited `GIT_*` variables, a temporary
 * `HOME`, no system config, no prompts) and command-line settings that keep a repository's own
 * configuration from running programs (hooks, fsmonitor) or reaching other transports.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import type { Redactor } from './redact.js';

/** Settings of one {@link Git} runner (one per attempt). */
export interface GitOptions {
  /** The git executable; default `git` from PATH. */
  gitPath: string;
  /** An empty temporary directory used as `HOME` (no user config, no credentials). */
  home: string;
  signal: AbortSignal;
  /** Per command. */
  timeoutMs: number;
  redactor: Redactor;
  /** Committer (and default author) of commits. */
  identity: { name: string; email: string };
}

/** One call's settings. */
export interface GitCall {
  cwd: string;
  /** Written to the command's stdin. */
  input?: string;
  /** Extra environment (e.g. `GIT_CONFIG_*` entries that must not appear on the command line). */
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 of `show-ref --verify --quiet`). */
  okExitCodes?: readonly number[];
}

/** What a successful call printed. */
export interface GitOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Why a git command failed. */
export type GitErrorKind = 'exit' | 'timeout' | 'aborted' | 'missing';

/** A git command failed; message and stderr are already redacted. */
export class GitError extends Error {
  readonly kind: GitErrorKind;
  readonly exitCode?: number;
  /** Redacted stderr of the command (trimmed). */
  readonly stderr: string;
  /** The git subcommand and arguments, redacted. */
  readonly command: string;

  constructor(
    kind: GitErrorKind,
    command: string,
    message: string,
    stderr = '',
    exitCode?: number,
  ) {
    super(message);
    this.name = 'GitError';
    this.kind = kind;
    this.command = command;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

/** Settings that neutralise what a repository's config could run or reach. */
const safetyConfig: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.quotePath=false',
  'credential.helper=',
  'protocol.allow=never',
  'protocol.file.allow=always',
  'protocol.https.allow=always',
  'protocol.http.allow=always',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'advice.detachedHead=false',
];

const maxBuffer = 64 * 1024 * 1024;

/** Runs git commands for one attempt. */
export class Git {
  constructor(private readonly opts: GitOptions) {}

  /** Runs `git <args>`; throws {@link GitError} on failure (exit code not in `okExitCodes`). */
  run(args: readonly string[], call: GitCall): Promise<GitOutput> {
    const { identity, redactor } = this.opts;
    const config = [...safetyConfig, `user.name=${identity.name}`, `user.email=${identity.email}`];
    const argv = [...config.flatMap((c) => ['-c', c]), ...args];
    const command = redactor.apply(`git ${args.join(' ')}`);
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.opts.gitPath,
        argv,
        {
          cwd: call.cwd,
          env: { ...this.baseEnv(), ...call.env },
          timeout: this.opts.timeoutMs,
          killSignal: 'SIGKILL',
          signal: this.opts.signal,
          maxBuffer,
          encoding: 'utf8',
          windowsHide: true,
        },
        (err, stdout, stderr) => {
          if (!err) return resolve({ stdout, stderr, exitCode: 0 });
          const exitCode = typeof err.code === 'number' ? err.code : undefined;
          if (exitCode !== undefined && call.okExitCodes?.includes(exitCode)) {
            return resolve({ stdout, stderr, exitCode });
          }
          reject(this.toError(err, command, redactor.apply(stderr.trim())));
        },
      );
      // Never leave git waiting on stdin: commands that read it get their input, others EOF.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(call.input ?? '');
    });
  }

  /** The environment of every call: nothing inherited but PATH (and TMPDIR). */
  private baseEnv(): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.opts.home,
      XDG_CONFIG_HOME: this.opts.home,
      LANG: 'C',
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
    return env;
  }

  private toError(err: ExecFileException, command: string, stderr: string): GitError {
    if (err.code === 'ENOENT') {
      return new GitError(
        'missing',
        command,
        `git was not found at "${this.opts.gitPath}": install git on the hub's host or set ` +
          'the patcher option gitPath to its location',
      );
    }
    if (err.name === 'AbortError' || this.opts.signal.aborted) {
      return new GitError('aborted', command, `${command} was cancelled`, stderr);
    }
    if (err.killed) {
      return new GitError(
        'timeout',
        command,
        `${command} did not finish within ${this.opts.timeoutMs} ms`,
        stderr,
      );
    }
    const exitCode = typeof err.code === 'number' ? err.code : undefined;
    const detail = stderr || `exit code ${exitCode ?? String(err.code)}`;
    return new GitError('exit', command, `${command} failed: ${detail}`, stderr, exitCode);
  }
}
