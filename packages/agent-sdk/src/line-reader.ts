/**
 * Yields the lines of a byte stream (without `\n` / `\r\n`), as they complete; a last line
 * without a newline is yielded at the end. Only `\n` ends a line: JSON never contains a raw one,
 * while U+2028 or a lone `\r` may appear inside a request line. Bytes are joined before decoding,
 * so a multi-byte character split across chunks survives.
 */
export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  for await (const data of input) {
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10)) {
      parts.push(chunk.subarray(0, nl));
      const line = Buffer.concat(parts).toString('utf8');
      parts = [];
      chunk = chunk.subarray(nl + 1);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
    if (chunk.length > 0) parts.push(chunk);
  }
  if (parts.length > 0) yield Buffer.concat(parts).toString('utf8');
}
