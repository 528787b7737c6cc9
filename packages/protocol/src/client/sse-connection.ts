/**
 * A Server-Sent Events stream of the hub that survives dropped connections: it reconnects with
 * `Last-Event-ID`, so the hub resends exactly what was missed. The event feed and the live logs
 * build on it.
 */
import { isCCError } from '../errors.js';
import { SseParser, type SseMessage } from './sse.js';
import type { Query, Transport } from './transport.js';

/** Options of a resumable stream ({@link HubClient.events}, {@link HubClient.followLogs}). */
export interface ResumableSseOptions {
  /** Resume after this cursor (the `cursor` of a message received before). */
  lastEventId?: string;
  /** Aborting ends the iteration (without an error). */
  signal?: AbortSignal;
  /**
   * Failed reconnections in a row before the iterator gives up and throws the last error
   * (default 10). The first connection is never retried: its failure is thrown at once.
   */
  maxReconnects?: number;
  /**
   * Delay before reconnecting when the server did not set one with `retry:` (default 1000 ms);
   * doubled after each failed reconnection, up to 30 s.
   */
  reconnectDelayMs?: number;
  /** Called each time a connection is established (the hub then sends every new message). */
  onOpen?: () => void;
}

const maxDelayMs = 30_000;

/**
 * The messages of `GET path?query`, across reconnections, until the consumer stops iterating or
 * `signal` aborts. Each message's `id` is the cursor to resume after it.
 */
export async function* resumableSse(
  transport: Transport,
  path: string,
  query: Query,
  opts: ResumableSseOptions = {},
): AsyncGenerator<SseMessage, void, undefined> {
  const { signal } = opts;
  const maxReconnects = opts.maxReconnects ?? 10;
  let delayMs = opts.reconnectDelayMs ?? 1000;
  let lastEventId = opts.lastEventId;
  let failures = 0;
  let connected = false;
  for (;;) {
    if (signal?.aborted) return;
    let res: Response;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      res = await transport.open('GET', path, { query, headers, signal });
    } catch (err) {
      if (signal?.aborted) return;
      if (!connected || !retryable(err) || failures >= maxReconnects) throw err;
      failures++;
      await sleep(Math.min(delayMs * 2 ** failures, maxDelayMs), signal);
      continue;
    }
    connected = true;
    failures = 0;
    opts.onOpen?.();
    const parser = new SseParser(lastEventId);
    if (res.body) {
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch {
            // A dropped connection: reconnect below (or stop, when aborted).
            if (signal?.aborted) return;
            break;
          }
          if (chunk.done) break;
          for (const message of parser.push(decoder.decode(chunk.value, { stream: true }))) {
            if (message.id) lastEventId = message.id;
            yield message;
          }
        }
      } finally {
        // Also runs when the consumer stops iterating: release the connection.
        reader.cancel().catch(() => undefined);
      }
    }
    if (parser.retryMs !== undefined) delayMs = parser.retryMs;
    await sleep(Math.max(delayMs, 1), signal);
  }
}

function retryable(err: unknown): boolean {
  return (
    isCCError(err) &&
    (err.code === 'CC_E_HUB_UNREACHABLE' || err.code === 'CC_E_RATE_LIMITED' || err.status >= 500)
  );
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
