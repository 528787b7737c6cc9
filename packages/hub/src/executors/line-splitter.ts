/** Receives one line (without its `\n` / `\r\n`); `truncatedBytes` > 0 when it was cut. */
export type LineHandler = (line: string, truncatedBytes: number) => void;

/** Splits a byte stream into lines, live, with bounded memory. */
export interface LineSplitter {
  write(chunk: Buffer): void;
  /** Flushes a last line that had no trailing newline. */
  end(): void;
}

/**
 * Emits one line per `\n` as soon as it arrives. Of a line longer than `maxLineBytes` only the
 * first `maxLineBytes` bytes are kept; the rest is counted (not buffered) and reported as
 * `truncatedBytes`. A cut may split a multi-byte character, which then decodes as U+FFFD.
 */
export function createLineSplitter(maxLineBytes: number, onLine: LineHandler): LineSplitter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false; // inside an over-long line whose head was already emitted
  let skipped = 0;

  const take = (part: Buffer): void => {
    if (skipping) {
      skipped += part.length;
      return;
    }
    const room = maxLineBytes - pendingBytes;
    if (part.length <= room) {
      pending.push(part);
      pendingBytes += part.length;
      return;
    }
    pending.push(part.subarray(0, room));
    pendingBytes += room;
    skipping = true;
    skipped = part.length - room;
  };

  const flush = (): void => {
    const line = Buffer.concat(pending, pendingBytes).toString('utf8');
    onLine(line.endsWith('\r') ? line.slice(0, -1) : line, skipped);
    pending = [];
    pendingBytes = 0;
    skipping = false;
    skipped = 0;
  };

  return {
    write(chunk) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        take(chunk.subarray(start, nl));
        flush();
        start = nl + 1;
      }
      if (start < chunk.length) take(chunk.subarray(start));
    },
    end() {
      if (pendingBytes > 0 || skipping) flush();
    },
  };
}
