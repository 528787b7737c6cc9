/**
 * Runs policy-author regular expressions with a time limit. Builtin agents share the hub's event
 * loop, so a catastrophic pattern such as `(a+)+$` must not be able to stall it: matching runs in
 * a `vm` context whose `timeout` interrupts it.
 */
import vm from 'node:vm';

/** A regular expression that ran out of time. */
export class RegexTimeoutError extends Error {
  constructor(
    readonly pattern: string,
    readonly timeoutMs: number,
  ) {
    super(`the regular expression /${pattern}/ ran longer than ${timeoutMs} ms`);
    this.name = 'RegexTimeoutError';
  }
}

// A function body keeps its declarations out of the context's global scope between runs.
const search = new vm.Script(
  '(() => { pattern.lastIndex = 0; const m = pattern.exec(text); return m === null ? -1 : m.index; })()',
);

/** Searches with time-limited regular expressions; reuse one per check. */
export class RegexGuard {
  private readonly context = vm.createContext({ pattern: null as RegExp | null, text: '' });

  constructor(private readonly timeoutMs = 1000) {}

  /** The index of the first match of `pattern` in `text`, or -1. */
  search(pattern: RegExp, text: string): number {
    this.context.pattern = pattern;
    this.context.text = text;
    try {
      return search.runInContext(this.context, { timeout: this.timeoutMs }) as number;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        throw new RegexTimeoutError(pattern.source, this.timeoutMs);
      }
      throw err;
    } finally {
      this.context.text = '';
    }
  }
}
