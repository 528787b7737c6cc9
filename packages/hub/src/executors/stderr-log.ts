import { createLineSplitter, type LineSplitter } from './line-splitter.js';

/** Caps on what one attempt's stderr may push into the step log. */
export interface StderrLimits {
  /** Longer lines are cut (the cut is noted on the line). */
  maxLineBytes: number;
  /** Per attempt; after either cap, lines are dropped and the drop is noted once. */
  maxLines: number;
  maxBytes: number;
}

/** Turns stderr bytes into step log lines, live, and keeps a short tail for crash reports. */
export interface StderrLog extends LineSplitter {
  /** The last lines seen (including dropped ones), oldest first. */
  tail(): string[];
}

const TAIL_LINES = 10;
const TAIL_LINE_CHARS = 1_000;

export function createStderrLog(log: (line: string) => void, limits: StderrLimits): StderrLog {
  const recent: string[] = [];
  let lines = 0;
  let bytes = 0;
  let dropped = false;

  const emit = (line: string): void => {
    try {
      log(line);
    } catch {
      // A failing log sink must not take the agent (or the hub) down; the line is lost.
    }
  };

  const splitter = createLineSplitter(limits.maxLineBytes, (line, truncatedBytes) => {
    recent.push(line.length > TAIL_LINE_CHARS ? line.slice(0, TAIL_LINE_CHARS) + '…' : line);
    if (recent.length > TAIL_LINES) recent.shift();
    if (dropped) return;
    const size = Buffer.byteLength(line);
    if (lines >= limits.maxLines || bytes + size > limits.maxBytes) {
      dropped = true;
      emit(
        `[commandcenter] log limit reached (${limits.maxLines} lines or ${limits.maxBytes} bytes` +
          ' per attempt): further stderr lines of this attempt are dropped',
      );
      return;
    }
    lines += 1;
    bytes += size;
    emit(truncatedBytes > 0 ? `${line} …[line truncated: ${truncatedBytes} more bytes]` : line);
  });

  return {
    write: (chunk) => splitter.write(chunk),
    end: () => splitter.end(),
    tail: () => [...recent],
  };
}
