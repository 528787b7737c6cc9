/**
 * A real HTTP server on 127.0.0.1 for tests of outbound HTTP: records every request (method,
 * path, headers, body) and counts TCP connections, so a test can prove a refused request never
 * reached it. Test support only; nothing in the hub imports it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers one request; the body is already read. */
export type TestHandler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

/** A running test server. */
export interface LocalTestServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Resolves with the next request received (for tests that wait on the server, not a clock). */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and an ephemeral port (or on `host` when given). */
export async function startLocalServer(
  handler: TestHandler,
  host = '127.0.0.1',
): Promise<LocalTestServer> {
  const requests: RecordedRequest[] = [];
  const waiters: ((r: RecordedRequest) => void)[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      for (const w of waiters.splice(0)) w(rec);
      Promise.resolve(handler(rec, res)).catch((err: unknown) => {
        res.destroy(err as Error);
      });
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    port,
    requests,
    connections: () => connections,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler answering JSON with a status. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}
