import type { ExecutionResult, StepError } from '@commandcenter/protocol';
import {
  classifyOutcome,
  execFailureError,
  memoryNote,
  type OutcomeContext,
} from './classify-outcome.js';
import type { Termination } from './process-attempt.js';
import type { ProcessEnd } from './persistent-process.js';
import { parseStdoutResult } from './stdout-result.js';

/** What the classification needs to know about the attempt besides how it ended. */
export interface PersistentOutcomeContext extends Omit<OutcomeContext, 'stderrTail'> {
  startupTimeoutMs: number;
}

const EXCERPT_CHARS = 200;

/** Turns a result line into the attempt's result; `valid: false` means: replace the process. */
export function classifyResultLine(line: string): { result: ExecutionResult; valid: boolean } {
  const excerpt = JSON.stringify(line.trim().slice(0, EXCERPT_CHARS));
  try {
    JSON.parse(line);
  } catch {
    return { result: protocolError(`the result line is not valid JSON: ${excerpt}`), valid: false };
  }
  const parsed = parseStdoutResult(line);
  switch (parsed.kind) {
    case 'output':
      return { result: { ok: true, output: parsed.output }, valid: true };
    case 'error':
      return {
        result: fail({
          type: 'agent',
          code: 'CC_E_AGENT_ERROR',
          retryable: parsed.retryable,
          message: parsed.message,
          ...(parsed.code !== undefined || parsed.details
            ? {
                details: {
                  ...(parsed.code !== undefined ? { agentCode: parsed.code } : {}),
                  ...(parsed.details ? { agentDetails: parsed.details } : {}),
                },
              }
            : {}),
        }),
        valid: true,
      };
    case 'invalid':
      return { result: protocolError(`${parsed.reason}: ${excerpt}`), valid: false };
  }
}

/**
 * Turns the end of a persistent process during an attempt into the attempt's result. Spawn
 * failures, timeouts, aborts and shutdown read as in one-shot mode; the rest is persistent-only.
 */
export function classifyProcessEnd(
  end: ProcessEnd,
  ctx: PersistentOutcomeContext,
): ExecutionResult {
  const termination = end.termination;
  if (end.spawnError || (termination && isOneShotTermination(termination))) {
    return classifyOutcome(
      {
        ...(end.spawnError ? { spawnError: end.spawnError } : {}),
        exitCode: end.exitCode,
        signal: end.signal,
        stdout: Buffer.alloc(0),
        ...(termination && isOneShotTermination(termination) ? { termination } : {}),
        escalatedToSigkill: end.escalatedToSigkill,
      },
      { ...ctx, stderrTail: end.stderrTail },
    );
  }
  const exit = { pid: end.pid, exitCode: end.exitCode, signal: end.signal };
  const killed = { escalatedToSigkill: end.escalatedToSigkill };
  switch (termination?.kind) {
    case 'output-too-large':
      return fail({
        type: 'crash',
        code: 'CC_E_AGENT_OUTPUT_TOO_LARGE',
        retryable: false,
        message: `agent wrote a stdout line longer than maxOutputBytes=${ctx.maxOutputBytes} bytes and was killed`,
        details: { maxOutputBytes: ctx.maxOutputBytes, ...killed },
      });
    case 'startup-timeout':
      return fail({
        type: 'config',
        code: 'CC_E_AGENT_PROTOCOL',
        retryable: false,
        message:
          `persistent agent "${ctx.command}" did not print {"ready":true} on stdout within ` +
          `${ctx.startupTimeoutMs} ms of starting and was killed: a persistent agent must ` +
          'announce readiness, then answer one request per stdin line (the agent SDK does both); ' +
          'for an agent that reads a single request until stdin closes, remove runtime.persistent',
        details: { startupTimeoutMs: ctx.startupTimeoutMs, ...killed },
      });
    case 'recycle':
      return fail({
        type: 'crash',
        code: 'CC_E_AGENT_CRASH',
        retryable: true,
        message: `persistent agent process was stopped while handling the request: ${termination.reason}`,
        details: exit,
      });
    default:
      return crash(end, ctx, exit);
  }
}

/** The process exited (or was killed by a signal) on its own during the attempt. */
function crash(
  end: ProcessEnd,
  ctx: PersistentOutcomeContext,
  exit: Record<string, unknown>,
): ExecutionResult {
  const stderrTail = end.stderrTail;
  const cannotStart = execFailureError(end.exitCode, stderrTail, ctx.command, exit);
  if (cannotStart) return fail(cannotStart);
  const how =
    end.signal !== null ? `was killed by signal ${end.signal}` : `exited with code ${end.exitCode}`;
  const when = end.wasReady ? 'while handling the request' : 'before it printed {"ready":true}';
  const memory = memoryNote(ctx.memoryMb, end.signal, stderrTail);
  const hint =
    !end.wasReady && end.exitCode === 0
      ? ' — it looks like a one-shot agent: remove runtime.persistent, or make it print ' +
        '{"ready":true} and answer one request per stdin line (the agent SDK does)'
      : '';
  const last = stderrTail.at(-1);
  return fail({
    type: 'crash',
    code: 'CC_E_AGENT_CRASH',
    retryable: true,
    message:
      `persistent agent process ${how} ${when}${memory}${hint}` +
      (last ? `; last stderr line: ${last.slice(0, 200)}` : ''),
    details: {
      ...exit,
      phase: end.wasReady ? 'request' : 'startup',
      stderrTail,
      ...(memory ? { memoryMb: ctx.memoryMb } : {}),
    },
  });
}

/**
 * The attempt ended before it had a process: aborted while waiting for one, or the hub is
 * closing. Reads exactly like the same ends of a one-shot attempt.
 */
export function endedBeforeStart(termination: Termination, command: string): ExecutionResult {
  return classifyOutcome(
    {
      exitCode: null,
      signal: null,
      stdout: Buffer.alloc(0),
      termination,
      escalatedToSigkill: false,
    },
    { command, timeoutMs: undefined, maxOutputBytes: 0, memoryMb: undefined, stderrTail: [] },
  );
}

function isOneShotTermination(
  t: ProcessEnd['termination'],
): t is Exclude<Termination, { kind: 'output-too-large' }> {
  return t?.kind === 'timeout' || t?.kind === 'abort' || t?.kind === 'shutdown';
}

function protocolError(message: string): ExecutionResult {
  return fail({
    type: 'crash',
    code: 'CC_E_AGENT_PROTOCOL',
    retryable: true,
    message: `${message}; the persistent agent process was replaced`,
  });
}

function fail(error: StepError): ExecutionResult {
  return { ok: false, error };
}
