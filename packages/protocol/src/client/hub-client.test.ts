import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CCError, isCCError } from '../errors.js';
import type { StreamedEvent } from './api-types.js';
import { HubClient } from './hub-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A tiny HTTP server on 127.0.0.1:0 whose handler each test sets. */
async function listen(): Promise<{ server: Server; url: string; handle(h: Handler): void }> {
  let handler: Handler = (_req, res) => res.writeHead(500).end();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, handle: (h) => (handler = h) };
}

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

async function rejects(promise: Promise<unknown>): Promise<CCError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isCCError(err), `expected a CCError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

function event(id: number, runId = 'r1') {
  return {
    id,
    project: 'default',
    type: 'workflow.step.succeeded',
    runId,
    data: { runId, stepKey: `s${id}` },
    time: '2026-01-01T00:00:00.000Z',
  };
}

const sse = (id: string, e: unknown) => `id: ${id}\nevent: x\ndata: ${JSON.stringify(e)}\n\n`;

describe('HubClient', () => {
  let srv: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    srv = await listen();
  });
  after(() => {
    srv.server.closeAllConnections();
    return new Promise<void>((resolve) => srv.server.close(() => resolve()));
  });

  test('sends the token, the project of project-scoped routes, and JSON or YAML bodies', async () => {
    const seen: { method?: string; url?: string; auth?: string; type?: string; body: string }[] =
      [];
    srv.handle((req, res, body) => {
      seen.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        body,
      });
      json(res, 201, { name: 'w', version: 1, created: true, definition: {} });
    });
    const client = new HubClient({ url: `${srv.url}/`, token: 'cc_t', project: 'team-a' });
    await client.applyWorkflow('name: w\n');
    await client.startRun({ workflow: 'w', input: { a: 1 } }, { idempotencyKey: 'k1' });
    await client.getRun('0190-abc');
    await client.listRuns({ workflow: 'w', limit: 5 });
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.auth, s.type, s.body]),
      [
        [
          'POST',
          '/api/v1/workflows?project=team-a',
          'Bearer cc_t',
          'application/yaml',
          'name: w\n',
        ],
        [
          'POST',
          '/api/v1/runs?project=team-a',
          'Bearer cc_t',
          'application/json',
          '{"workflow":"w","input":{"a":1}}',
        ],
        ['GET', '/api/v1/runs/0190-abc', 'Bearer cc_t', undefined, ''],
        ['GET', '/api/v1/runs?workflow=w&limit=5&project=team-a', 'Bearer cc_t', undefined, ''],
      ],
    );
  });

  test('a problem+json answer becomes the CCError the hub threw, with its problems', async () => {
    srv.handle((_req, res) =>
      json(
        res,
        422,
        {
          type: 'https://commandcenter.dev/errors/CC_E_WORKFLOW_INVALID',
          title: 'The workflow definition is invalid',
          status: 422,
          code: 'CC_E_WORKFLOW_INVALID',
          detail: 'The workflow definition is invalid: node "x" is bad',
          errors: [
            {
              code: 'CC_E_WORKFLOW_CYCLE',
              path: 'nodes[0].dependsOn',
              message: 'cycle a → b → a',
              fix: 'break it',
            },
          ],
        },
        'application/problem+json',
      ),
    );
    const err = await rejects(new HubClient({ url: srv.url }).validateWorkflow({ name: 'x' }));
    assert.equal(err.code, 'CC_E_WORKFLOW_INVALID');
    assert.equal(err.status, 422);
    assert.equal(err.detail, 'The workflow definition is invalid: node "x" is bad');
    assert.deepEqual(err.problems, [
      {
        code: 'CC_E_WORKFLOW_CYCLE',
        path: 'nodes[0].dependsOn',
        message: 'cycle a → b → a',
        fix: 'break it',
      },
    ]);
  });

  test('an unknown code becomes CC_E_INTERNAL and keeps the hub code in the detail', async () => {
    srv.handle((_req, res) =>
      json(res, 418, { code: 'CC_E_TEAPOT', detail: 'short and stout', errors: [] }),
    );
    const err = await rejects(new HubClient({ url: srv.url }).whoami());
    assert.equal(err.code, 'CC_E_INTERNAL');
    assert.equal(err.detail, 'short and stout (hub error code CC_E_TEAPOT)');
  });

  test('a 429 carries Retry-After; a non-JSON error page is described', async () => {
    srv.handle((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7' });
      res.end(JSON.stringify({ code: 'CC_E_RATE_LIMITED', detail: 'slow down', errors: [] }));
    });
    const limited = await rejects(new HubClient({ url: srv.url }).listAgents());
    assert.equal(limited.code, 'CC_E_RATE_LIMITED');
    assert.equal(limited.detail, 'slow down (retry after 7 s)');

    srv.handle((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>bad'));
    const proxy = await rejects(new HubClient({ url: srv.url }).listAgents());
    assert.equal(proxy.code, 'CC_E_INTERNAL');
    assert.equal(proxy.detail, 'the hub answered HTTP 502 to GET /api/v1/agents: <h1>bad');
  });

  test('a closed port throws CC_E_HUB_UNREACHABLE naming the URL and the reason', async () => {
    const closed = await listen();
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const err = await rejects(new HubClient({ url: closed.url, token: 'cc_x' }).listRuns());
    assert.equal(err.code, 'CC_E_HUB_UNREACHABLE');
    assert.match(err.detail, new RegExp(`^cannot reach the hub at ${closed.url}: .*ECONNREFUSED`));
  });

  test('events: filters in the query, parsed events, reconnect with Last-Event-ID', async () => {
    const requests: { url?: string; lastEventId?: string }[] = [];
    srv.handle((req, res) => {
      const lastEventId = req.headers['last-event-id'] as string | undefined;
      requests.push({ url: req.url, lastEventId });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (requests.length === 1) {
        // Two events, then the connection drops in the middle of a third.
        res.write(`retry: 1\n: keepalive\n\n${sse('c1', event(1))}${sse('c2', event(2))}`);
        res.write('id: c3\nevent: x\ndata: {"trunc');
        setImmediate(() => res.destroy());
      } else {
        res.write(sse('c3', event(3)));
      }
    });
    const client = new HubClient({ url: srv.url, token: 'cc_t', project: 'p' });
    const got: StreamedEvent[] = [];
    for await (const e of client.events({ run: 'r1', types: ['workflow.step.succeeded'] })) {
      got.push(e);
      if (got.length === 3) break;
    }
    assert.deepEqual(
      got.map((e) => [e.cursor, e.event.id]),
      [
        ['c1', 1],
        ['c2', 2],
        ['c3', 3],
      ],
    );
    assert.deepEqual(requests, [
      {
        url: '/api/v1/events?project=p&run=r1&types=workflow.step.succeeded',
        lastEventId: undefined,
      },
      { url: '/api/v1/events?project=p&run=r1&types=workflow.step.succeeded', lastEventId: 'c2' },
    ]);
  });

  test('events: gives up with CC_E_HUB_UNREACHABLE when reconnecting keeps failing', async () => {
    const own = await listen();
    own.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse('c1', event(1)));
      // The hub goes away: this connection drops and nothing listens any more.
      setImmediate(() => {
        own.server.close();
        own.server.closeAllConnections();
      });
    });
    const client = new HubClient({ url: own.url });
    const got: number[] = [];
    const err = await rejects(
      (async () => {
        for await (const e of client.events({}, { maxReconnects: 2, reconnectDelayMs: 1 })) {
          got.push(e.event.id);
        }
      })(),
    );
    assert.deepEqual(got, [1]);
    assert.equal(err.code, 'CC_E_HUB_UNREACHABLE');
    assert.match(err.detail, /ECONNREFUSED/);
  });

  test('events: starts after lastEventId, ends quietly on abort, throws a 401 at once', async () => {
    let lastEventId: string | undefined;
    srv.handle((req, res) => {
      lastEventId = req.headers['last-event-id'] as string | undefined;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse('c9', event(9)));
    });
    const controller = new AbortController();
    const got: number[] = [];
    const client = new HubClient({ url: srv.url });
    for await (const e of client.events({}, { lastEventId: 'c8', signal: controller.signal })) {
      got.push(e.event.id);
      controller.abort();
    }
    assert.deepEqual(got, [9]);
    assert.equal(lastEventId, 'c8');

    srv.handle((_req, res) =>
      json(res, 401, { code: 'CC_E_UNAUTHORIZED', detail: 'no token', errors: [] }),
    );
    const iterator = client.events();
    const err = await rejects(iterator.next());
    assert.equal(err.code, 'CC_E_UNAUTHORIZED');
  });
});
