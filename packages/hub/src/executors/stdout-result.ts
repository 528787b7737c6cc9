/** What an agent's stdout said, before exit status and limits are taken into account. */
export type StdoutResult =
  | { kind: 'output'; output: unknown }
  | {
      kind: 'error';
      message: string;
      retryable: boolean;
      /** The agent's own error code, if it gave one (kept in `details.agentCode`). */
      code?: string;
      details?: Record<string, unknown>;
    }
  | { kind: 'invalid'; reason: string; excerpt: string };

const EXCERPT_CHARS = 200;

/**
 * Reads the result from an agent's stdout. The result is the LAST non-empty line, so agents that
 * print a banner or progress text to stdout before it still work; everything before it is
 * ignored. The line must be a JSON object with `output` or `error`
 * (`{ "error": { "message": string, "retryable"?: boolean, "code"?: string } }`); `error` wins
 * when both are present.
 */
export function parseStdoutResult(stdout: string): StdoutResult {
  const line = lastNonEmptyLine(stdout);
  if (line === undefined) {
    return { kind: 'invalid', reason: 'the agent printed no result line on stdout', excerpt: '' };
  }
  const excerpt = line.slice(0, EXCERPT_CHARS);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: 'invalid', reason: 'the last stdout line is not valid JSON', excerpt };
  }
  if (!isObject(parsed)) {
    return { kind: 'invalid', reason: 'the result line is not a JSON object', excerpt };
  }
  if (parsed.error !== undefined && parsed.error !== null) return agentError(parsed.error);
  if ('output' in parsed) return { kind: 'output', output: parsed.output };
  return {
    kind: 'invalid',
    reason: 'the result line has neither "output" nor "error"',
    excerpt,
  };
}

function agentError(error: unknown): StdoutResult {
  const fields = isObject(error) ? error : { message: error };
  const message =
    typeof fields.message === 'string' && fields.message !== ''
      ? fields.message
      : 'the agent reported an error without a message';
  return {
    kind: 'error',
    message,
    retryable: typeof fields.retryable === 'boolean' ? fields.retryable : true,
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(isObject(fields.details) ? { details: fields.details } : {}),
  };
}

function lastNonEmptyLine(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
