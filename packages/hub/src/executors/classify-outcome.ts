import type { ExecutionResult, StepError, StepErrorType } from '@commandcenter/protocol';
import type { AttemptOutcome } from './process-attempt.js';
import { looksLikeMemoryExhaustion, prlimitExecFailure } from './memory-limit.js';
import { parseStdoutResult } from './stdout-result.js';

/** What the classification needs to know about the attempt besides its outcome. */
export interface OutcomeContext {
  /** The command as configured, for messages. */
  command: string;
  cwd?: string | undefined;
  timeoutMs: number | undefined;
  maxOutputBytes: number;
  memoryMb: number | undefined;
  /** Last stderr lines of the attempt. */
  stderrTail: string[];
}

const STDERR_TAIL_IN_DETAILS = 10;

/**
 * Turns how a process attempt ended into its result. Precedence: failed spawn, then the
 * executor's own termination (output cap, timeout, abort, shutdown), then an `{ error }` the agent
 * reported (whatever its exit status), then a non-zero exit or a signal, then `{ output }`.
 */
export function classifyOutcome(outcome: AttemptOutcome, ctx: OutcomeContext): ExecutionResult {
  if (outcome.spawnError) return fail(spawnFailure(outcome.spawnError, ctx));

  const stderrTail = ctx.stderrTail.slice(-STDERR_TAIL_IN_DETAILS);
  const killed = { escalatedToSigkill: outcome.escalatedToSigkill };
  switch (outcome.termination?.kind) {
    case 'output-too-large':
      return fail({
        type: 'crash',
        code: 'CC_E_AGENT_OUTPUT_TOO_LARGE',
        retryable: false,
        message: `agent wrote more than maxOutputBytes=${ctx.maxOutputBytes} bytes to stdout and was killed`,
        details: { maxOutputBytes: ctx.maxOutputBytes, ...killed },
      });
    case 'timeout':
      return fail({
        type: 'timeout',
        code: 'CC_E_STEP_TIMEOUT',
        retryable: true,
        message: `agent did not finish within timeoutMs=${ctx.timeoutMs} and was killed`,
        details: { timeoutMs: ctx.timeoutMs, ...killed },
      });
    case 'abort': {
      const reason = outcome.termination.reason;
      if (isStepError(reason)) return fail(reason);
      return fail({
        type: 'cancelled',
        code: 'CC_E_STEP_CANCELLED',
        retryable: false,
        message: `step attempt cancelled: ${describeReason(reason)}`,
        details: killed,
      });
    }
    case 'shutdown':
      return fail({
        type: 'cancelled',
        code: 'CC_E_STEP_CANCELLED',
        retryable: true,
        message: 'agent process killed because the hub is shutting down',
      });
    case undefined:
      break;
  }

  const stdout = outcome.stdout.toString('utf8');
  const parsed = parseStdoutResult(stdout);
  const exit = { exitCode: outcome.exitCode, signal: outcome.signal };
  if (parsed.kind === 'error') {
    return fail({
      type: 'agent',
      code: 'CC_E_AGENT_ERROR',
      retryable: parsed.retryable,
      message: parsed.message,
      details: {
        ...(parsed.code !== undefined ? { agentCode: parsed.code } : {}),
        ...(parsed.details ? { agentDetails: parsed.details } : {}),
        ...exit,
      },
    });
  }

  const cannotStart = execFailureError(outcome.exitCode, stderrTail, ctx.command, exit);
  if (cannotStart) return fail(cannotStart);

  if (outcome.exitCode !== 0) {
    const how =
      outcome.signal !== null
        ? `was killed by signal ${outcome.signal}`
        : `exited with code ${outcome.exitCode}`;
    const memory = memoryNote(ctx.memoryMb, outcome.signal, stderrTail);
    const last = stderrTail.at(-1);
    return fail({
      type: 'crash',
      code: 'CC_E_AGENT_CRASH',
      retryable: true,
      message: `agent process ${how}${memory}${last ? `; last stderr line: ${last.slice(0, 200)}` : ''}`,
      details: { ...exit, stderrTail, ...(memory ? { memoryMb: ctx.memoryMb } : {}) },
    });
  }

  if (parsed.kind === 'output') return { ok: true, output: parsed.output };
  return fail({
    type: 'crash',
    code: 'CC_E_AGENT_PROTOCOL',
    retryable: true,
    message: parsed.excerpt ? `${parsed.reason}: ${JSON.stringify(parsed.excerpt)}` : parsed.reason,
    details: { stdoutBytes: outcome.stdout.length, ...exit },
  });
}

/** The command could not be executed under prlimit (the wrapper reported it), if so. */
export function execFailureError(
  exitCode: number | null,
  stderrTail: string[],
  command: string,
  exit: Record<string, unknown>,
): StepError | undefined {
  const execFailure = prlimitExecFailure(exitCode, stderrTail);
  if (execFailure === undefined) return undefined;
  return {
    type: 'config',
    code: 'CC_E_AGENT_CRASH',
    retryable: false,
    message: `cannot start agent command "${command}": ${execFailure}`,
    details: { command, ...exit },
  };
}

/** ` (possibly exceeded memoryMb=N)` when the way the process died looks like a memory limit. */
export function memoryNote(
  memoryMb: number | undefined,
  signal: NodeJS.Signals | null,
  stderrTail: string[],
): string {
  return memoryMb !== undefined && looksLikeMemoryExhaustion(signal, stderrTail)
    ? ` (possibly exceeded memoryMb=${memoryMb})`
    : '';
}

function spawnFailure(error: Error, { command, cwd }: OutcomeContext): StepError {
  const code = (error as NodeJS.ErrnoException).code;
  // spawn reports a missing cwd as ENOENT of the command: name the cwd so both can be checked.
  const where = cwd !== undefined ? ` in cwd "${cwd}"` : '';
  return {
    type: 'config',
    code: 'CC_E_AGENT_CRASH',
    retryable: false,
    message: `cannot start agent command "${command}"${where}: ${code ? `${code} ` : ''}(${error.message})`,
    details: { command, ...(cwd !== undefined ? { cwd } : {}), ...(code ? { errno: code } : {}) },
  };
}

const STEP_ERROR_TYPES: ReadonlySet<string> = new Set<StepErrorType>([
  'agent',
  'crash',
  'timeout',
  'cancelled',
  'lost',
  'template',
  'validation',
  'rejected',
  'expired',
  'config',
]);

/** The engine aborts with a StepError as the reason; anything else is a plain cancellation. */
export function isStepError(value: unknown): value is StepError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.type === 'string' &&
    STEP_ERROR_TYPES.has(v.type) &&
    typeof v.code === 'string' &&
    typeof v.retryable === 'boolean' &&
    typeof v.message === 'string'
  );
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === 'string' && reason !== '') return reason;
  return 'the signal was aborted';
}

function fail(error: StepError): ExecutionResult {
  return { ok: false, error };
}
