import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isCCError } from '../errors.js';
import { HubClient } from './hub-client.js';

/**
 * `HubClient.followLogs` against a small local HTTP server that speaks the hub's log stream (the
 * real hub is exercised in packages/hub/src/api/api-log-stream.test.ts): lines in order, resumed
 * after a dropped connection with Last-Event-ID, ended by `event: end`.
 */

const line = (cursor: string, n: number) =>
  `id: ${cursor}\nevent: log\ndata: ${JSON.stringify({
    id: String(n),
    stepKey: 'a',
    attempt: 1,
    ts: '2026-01-01T00:00:00.000Z',
    line: `line ${n}`,
  })}\n\n`;

describe('HubClient.followLogs', () => {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    res.writeHead(500).end();
  const server = createServer((req, res) => handler(req, res));
  let url = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('yields lines with their cursors, resumes after a drop, stops at `end`', async () => {
    const requests: { url?: string; lastEventId?: string }[] = [];
    handler = (req, res) => {
      requests.push({ url: req.url, lastEventId: req.headers['last-event-id'] as string });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (requests.length === 1) {
        // The first connection drops after one line (and a comment).
        res.write(': connected\n\n');
        res.end(line('7-1', 1));
      } else {
        res.write(line('7-2', 2));
        res.end('event: end\ndata: {"status":"succeeded"}\n\n');
      }
    };
    const client = new HubClient({ url, token: 'cc_t' });
    const got = [];
    for await (const l of client.followLogs('run-1', { step: 'a', reconnectDelayMs: 1 }))
      got.push(l);
    assert.deepEqual(
      got.map((l) => [l.cursor, l.id, l.line, l.stepKey]),
      [
        ['7-1', '1', 'line 1', 'a'],
        ['7-2', '2', 'line 2', 'a'],
      ],
    );
    assert.deepEqual(requests, [
      { url: '/api/v1/runs/run-1/logs/stream?step=a', lastEventId: undefined },
      { url: '/api/v1/runs/run-1/logs/stream?step=a', lastEventId: '7-1' },
    ]);
  });

  test('starts after `cursor`; a 404 is thrown at once', async () => {
    let lastEventId: string | undefined;
    handler = (req, res) => {
      lastEventId = req.headers['last-event-id'] as string;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: end\ndata: {"status":"failed"}\n\n');
    };
    const client = new HubClient({ url });
    const got = [];
    for await (const l of client.followLogs('run-2', { cursor: '9-9' })) got.push(l);
    assert.deepEqual(got, []);
    assert.equal(lastEventId, '9-9');

    handler = (_req, res) =>
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Not found',
          status: 404,
          code: 'CC_E_NOT_FOUND',
          detail: 'run run-3 not found',
        }),
      );
    await assert.rejects(
      (async () => {
        for await (const l of client.followLogs('run-3')) assert.fail(`unexpected ${l.line}`);
      })(),
      (err) => isCCError(err) && err.code === 'CC_E_NOT_FOUND',
    );
  });
});
