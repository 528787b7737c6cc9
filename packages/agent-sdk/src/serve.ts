import { readLines } from './line-reader.js';
import type { AgentMode, ResultLine } from './types.js';

/** Where an agent reads requests and writes results and logs. */
export interface AgentIO {
  /** stdin: request lines. */
  input: AsyncIterable<Buffer | string>;
  /** Writes to stdout; resolves once the text is handed to the operating system. */
  writeStdout(text: string): Promise<void>;
  /** Writes to stderr. */
  writeStderr(text: string): void;
  /** Resolves once everything written to stderr so far is handed to the operating system. */
  flushStderr(): Promise<void>;
}

/** The part of an agent that {@link serve} drives. */
export interface ServedAgent {
  handle(
    request: unknown,
    options: { signal?: AbortSignal; log: (line: string) => void; mode: AgentMode },
  ): Promise<ResultLine>;
  setup?: () => void | Promise<void>;
}

/** Printed once, in persistent mode, when the agent takes requests. */
export const READY_LINE = '{"ready":true}\n';

/**
 * The stdio protocol. One-shot: handles the first request line and returns. Persistent: prints
 * {@link READY_LINE}, then handles one request line after another until stdin ends or `signal`
 * aborts (a request in flight is finished first: its handler sees the same signal). Logs are
 * flushed before each result line, because the hub counts the stderr lines that arrive between
 * a request and its result as that request's logs.
 */
export async function serve(
  agent: ServedAgent,
  io: AgentIO,
  mode: AgentMode,
  signal?: AbortSignal,
): Promise<void> {
  const log = (line: string): void => io.writeStderr(line + '\n');
  await agent.setup?.();
  if (mode === 'persistent') await io.writeStdout(READY_LINE);
  const lines = readLines(io.input)[Symbol.asyncIterator]();
  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal?.aborted) resolve('stopped');
    else signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  let served = 0;
  for (;;) {
    const next = await Promise.race([lines.next(), stopped]);
    if (next === 'stopped' || next.done) break;
    const text = next.value.trim();
    if (text === '') continue;
    const result = await handleLine(agent, text, { ...(signal ? { signal } : {}), log, mode });
    await io.flushStderr();
    await io.writeStdout(resultText(result) + '\n');
    served += 1;
    if (mode === 'one-shot') return;
  }
  if (mode === 'one-shot' && served === 0 && !signal?.aborted) {
    const error = { message: 'no request on stdin', retryable: false, code: 'BAD_REQUEST' };
    await io.writeStdout(JSON.stringify({ error }) + '\n');
  }
}

async function handleLine(
  agent: ServedAgent,
  text: string,
  options: { signal?: AbortSignal; log: (line: string) => void; mode: AgentMode },
): Promise<ResultLine> {
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (error) {
    const message = `the request line is not valid JSON (${(error as Error).message})`;
    return { error: { message, retryable: false, code: 'BAD_REQUEST' } };
  }
  return agent.handle(request, options);
}

/** The result as one JSON line; an output JSON cannot represent becomes an error. */
function resultText(result: ResultLine): string {
  try {
    if ('output' in result && JSON.stringify(result.output) === undefined) {
      throw new Error(`a ${typeof result.output} is not JSON`);
    }
    return JSON.stringify(result);
  } catch (error) {
    const message =
      `the action's output cannot be serialised to JSON (${(error as Error).message}): ` +
      'return plain objects, arrays, strings, numbers, booleans or null';
    return JSON.stringify({ error: { message, retryable: false, code: 'OUTPUT_NOT_JSON' } });
  }
}
