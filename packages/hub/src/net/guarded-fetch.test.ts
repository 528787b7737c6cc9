import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  EgressRefusedError,
  GuardedFetchError,
  guardedFetch,
  type HostResolver,
} from './guarded-fetch.js';
import { json, startLocalServer, type LocalTestServer } from './local-test-server.js';

/** `allowed.test` and `other.test` are names for 127.0.0.1 that only this resolver knows. */
let resolverCalls: string[] = [];
const resolver: HostResolver = async (name) => {
  resolverCalls.push(name);
  name = name.replace(/\.$/, '').toLowerCase();
  if (name === 'allowed.test' || name === 'other.test')
    return [{ address: '127.0.0.1', family: 4 }];
  if (name === 'private.test') return [{ address: '10.1.2.3', family: 4 }];
  throw new Error(`test resolver: unknown host ${name}`);
};

let server: LocalTestServer;
let other: LocalTestServer;
let stalled: ((v?: unknown) => void)[] = [];
before(async () => {
  other = await startLocalServer((req, res) => json(res, 200, { other: true, path: req.path }));
  server = await startLocalServer(async (req, res) => {
    const [path, query = ''] = req.path.split('?');
    const params = new URLSearchParams(query);
    switch (path) {
      case '/echo':
        return json(res, 200, { method: req.method, headers: req.headers, body: req.body });
      case '/redirect': {
        res.writeHead(Number(params.get('status') ?? 302), { location: params.get('to') ?? '/' });
        return void res.end();
      }
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return void res.end();
      case '/big':
        res.writeHead(200, params.has('chunked') ? {} : { 'content-length': '4096' });
        return void res.end('x'.repeat(4096));
      case '/stall':
        await new Promise((resolve) => stalled.push(resolve));
        return void res.end('late');
      default:
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        return void res.end('hello');
    }
  });
});
after(async () => {
  for (const release of stalled) release();
  stalled = [];
  await Promise.all([server.close(), other.close()]);
});

describe('guardedFetch: allowlisted hosts', () => {
  test('an allowlisted IP answers, with status, headers and final URL', async () => {
    const res = await guardedFetch(`${server.origin}/`, { allowHosts: ['127.0.0.1'] });
    assert.equal(res.status, 200);
    assert.equal(res.text(), 'hello');
    assert.equal(res.url, `${server.origin}/`);
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
  });

  for (const allow of ['127.0.0.0/8', '::ffff:127.0.0.1', '::ffff:127.0.0.0/104', ' 127.0.0.1 ']) {
    test(`allowHosts ${JSON.stringify(allow)} exempts 127.0.0.1`, async () => {
      const res = await guardedFetch(`${server.origin}/`, { allowHosts: [allow] });
      assert.equal(res.status, 200);
    });
  }

  test('an allowlisted name connects to the address the guard resolved (pinned lookup)', async () => {
    // The system resolver does not know allowed.test: only the pinned lookup can connect it.
    resolverCalls = [];
    const res = await guardedFetch(`http://Allowed.Test.:${server.port}/echo`, {
      allowHosts: ['allowed.test'],
      lookup: resolver,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(resolverCalls, ['allowed.test.'], 'resolved once, then the socket reused it');
  });

  test('a name exemption does not exempt another name resolving to the same address', async () => {
    await assert.rejects(
      guardedFetch(`http://other.test:${server.port}/`, {
        allowHosts: ['allowed.test'],
        lookup: resolver,
      }),
      /other\.test resolves to 127\.0\.0\.1, a loopback address|other\.test resolves to 127\.0\.0\.1 is/,
    );
  });

  test('an invalid allowlist entry exempts nothing and is named in the refusal', async () => {
    await assert.rejects(guardedFetch(`${server.origin}/`, { allowHosts: ['127.0.0.1/99'] }), {
      name: 'EgressRefusedError',
      message: /ignored invalid allowlist entries: egressAllowHosts entry "127\.0\.0\.1\/99"/,
    });
  });

  test('POST sends body and headers; the default method with a body is POST', async () => {
    const res = await guardedFetch(`${server.origin}/echo`, {
      allowHosts: ['127.0.0.1'],
      headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' },
      body: JSON.stringify({ a: 1 }),
    });
    const echoed = res.json() as { method: string; headers: Record<string, string>; body: string };
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.headers['x-trace'], 'abc');
    assert.equal(echoed.headers['content-type'], 'application/json');
    assert.equal(echoed.body, '{"a":1}');
  });
});

describe('guardedFetch: redirects', () => {
  const allowHosts = ['allowed.test', '127.0.0.1'];
  const via = (status: number, to: string) =>
    `${server.origin}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

  for (const to of [
    'http://169.254.169.254/latest/meta-data/',
    'http://private.test/',
    'http://[::1]/',
    'file:///etc/passwd',
  ]) {
    test(`a redirect to ${to} is refused`, async () => {
      await assert.rejects(
        guardedFetch(via(302, to), { allowHosts, lookup: resolver }),
        (err: unknown) => {
          assert.ok(err instanceof EgressRefusedError);
          assert.match(err.reason, /redirect from http:\/\/127\.0\.0\.1:/);
          return true;
        },
      );
    });
  }

  test('a redirect from an allowlisted name to another local port is refused', async () => {
    const before = other.connections();
    const start = `http://allowed.test:${server.port}/redirect?to=${encodeURIComponent(other.origin + '/')}`;
    await assert.rejects(guardedFetch(start, { allowHosts: ['allowed.test'], lookup: resolver }), {
      name: 'EgressRefusedError',
      message: new RegExp(`refused: 127\\.0\\.0\\.1 is a loopback address`),
    });
    assert.equal(other.connections(), before);
  });

  test('302 turns POST into GET without body; cross-origin drops credentials', async () => {
    const res = await guardedFetch(via(302, `http://allowed.test:${server.port}/echo`), {
      allowHosts,
      lookup: resolver,
      method: 'POST',
      headers: {
        authorization: 'Bearer t',
        cookie: 'c=1',
        'content-type': 'text/plain',
        'x-keep': '1',
      },
      body: 'payload',
    });
    const echoed = res.json() as { method: string; headers: Record<string, string>; body: string };
    assert.equal(echoed.method, 'GET');
    assert.equal(echoed.body, '');
    assert.equal(echoed.headers.authorization, undefined);
    assert.equal(echoed.headers.cookie, undefined);
    assert.equal(echoed.headers['content-type'], undefined);
    assert.equal(echoed.headers['x-keep'], '1');
    assert.equal(res.url, `http://allowed.test:${server.port}/echo`);
  });

  test('307 keeps method, body and (same origin) authorization', async () => {
    const res = await guardedFetch(via(307, '/echo'), {
      allowHosts,
      method: 'PUT',
      headers: { authorization: 'Bearer t' },
      body: 'payload',
    });
    const echoed = res.json() as { method: string; headers: Record<string, string>; body: string };
    assert.deepEqual(
      [echoed.method, echoed.body, echoed.headers.authorization],
      ['PUT', 'payload', 'Bearer t'],
    );
  });

  test('maxRedirects 0 returns the 3xx itself; a loop ends with a redirects error', async () => {
    const res = await guardedFetch(via(301, '/echo'), { allowHosts, maxRedirects: 0 });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/echo');
    await assert.rejects(guardedFetch(`${server.origin}/loop`, { allowHosts, maxRedirects: 3 }), {
      name: 'GuardedFetchError',
      kind: 'redirects',
      message: /more than 3 redirects/,
    });
  });
});

describe('guardedFetch: limits', () => {
  const allowHosts = ['127.0.0.1'];
  for (const path of ['/big', '/big?chunked']) {
    test(`a response over maxResponseBytes is too-large (${path})`, async () => {
      await assert.rejects(
        guardedFetch(`${server.origin}${path}`, { allowHosts, maxResponseBytes: 1024 }),
        { name: 'GuardedFetchError', kind: 'too-large', message: /larger than 1024 bytes/ },
      );
      const ok = await guardedFetch(`${server.origin}${path}`, {
        allowHosts,
        maxResponseBytes: 4096,
      });
      assert.equal(ok.body.length, 4096);
    });
  }

  test('timeoutMs ends a request the server never answers', async () => {
    await assert.rejects(guardedFetch(`${server.origin}/stall`, { allowHosts, timeoutMs: 100 }), {
      name: 'GuardedFetchError',
      kind: 'timeout',
      message: /timed out after 100 ms/,
    });
  });

  test('the caller’s signal aborts a request in flight', async () => {
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const pending = guardedFetch(`${server.origin}/stall`, {
      allowHosts,
      signal: controller.signal,
    });
    await arrived;
    controller.abort(new Error('run cancelled'));
    await assert.rejects(pending, (err: unknown) => {
      assert.ok(err instanceof GuardedFetchError);
      assert.equal(err.kind, 'aborted');
      assert.equal((err.cause as Error).message, 'run cancelled');
      return true;
    });
  });

  test('a name that does not resolve is a network error', async () => {
    await assert.rejects(guardedFetch('http://nowhere.test/', { lookup: resolver }), {
      name: 'GuardedFetchError',
      kind: 'network',
      message: /could not resolve nowhere\.test/,
    });
  });

  test('a closed port is a network error', async () => {
    const closed = await startLocalServer(() => undefined);
    await closed.close();
    await assert.rejects(guardedFetch(`${closed.origin}/`, { allowHosts }), {
      name: 'GuardedFetchError',
      kind: 'network',
      message: /ECONNREFUSED/,
    });
  });
});
