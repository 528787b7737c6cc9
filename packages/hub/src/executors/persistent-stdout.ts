/** Receives the stdout of a persistent agent one line at a time. */
export interface StdoutLineReader {
  write(chunk: Buffer): void;
}

/**
 * Splits a persistent agent's stdout into lines (without `\n` / `\r\n`). A line (complete or
 * still growing) longer than `maxLineBytes` calls `onOverflow` once, as soon as the cap is
 * passed — a process that floods stdout without a newline must not grow the hub's memory — and
 * everything after it is dropped: the caller kills the process.
 */
export function createStdoutLineReader(
  maxLineBytes: number,
  onLine: (line: string) => void,
  onOverflow: () => void,
): StdoutLineReader {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowed = false;

  const take = (part: Buffer): boolean => {
    if (pendingBytes + part.length > maxLineBytes) {
      overflowed = true;
      pending = [];
      onOverflow();
      return false;
    }
    pending.push(part);
    pendingBytes += part.length;
    return true;
  };

  return {
    write(chunk) {
      if (overflowed) return;
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        if (!take(chunk.subarray(start, nl))) return;
        const line = Buffer.concat(pending, pendingBytes).toString('utf8');
        pending = [];
        pendingBytes = 0;
        onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
        start = nl + 1;
      }
      if (start < chunk.length) take(chunk.subarray(start));
    },
  };
}
