/** Reads a response body into memory without ever holding more than the cap. */
import type { Readable } from 'node:stream';
import { GuardedFetchError } from './egress-errors.js';

/**
 * Reads a whole body, failing with a `too-large` {@link GuardedFetchError} as soon as it (or its
 * declared Content-Length) exceeds `maxBytes`; the stream is destroyed so the server stops.
 */
export async function readCappedBody(
  body: Readable,
  headers: Record<string, string | string[] | undefined>,
  maxBytes: number,
  url: string,
): Promise<Buffer> {
  const tooLarge = (size: string) => {
    // undici's body emits an abort error when destroyed; nobody else listens any more.
    body.on('error', () => undefined);
    body.destroy();
    return new GuardedFetchError(
      'too-large',
      url,
      `the response from ${url} is larger than ${maxBytes} bytes (${size}); ` +
        'request less data or raise the response size limit',
    );
  };
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw tooLarge(`Content-Length ${declared}`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > maxBytes) throw tooLarge(`more than ${total} bytes received`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}
