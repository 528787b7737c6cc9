import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validateAgainstSchema, validateAgentManifest } from '@commandcenter/protocol';
import { StepFailure, type BuiltinContext } from '../../executors/builtin.js';
import { json, startLocalServer, type LocalTestServer } from '../../net/local-test-server.js';
import { createHttpActions } from './actions.js';
import { manifest, type HttpRequestInput, type HttpRequestOutput } from './manifest.js';

const actions = createHttpActions({ maxResponseBytes: 16 * 1024 });
const outputs: unknown[] = [];

let server: LocalTestServer;
let released: (() => void)[] = [];
before(async () => {
  server = await startLocalServer(async (req, res) => {
    const path = req.path.split('?')[0];
    switch (path) {
      case '/echo':
        res.setHeader('set-cookie', ['session=abc; HttpOnly']);
        res.setHeader('x-request-id', 'req-42');
        res.setHeader('x-internal', 'not selected');
        return json(res, 200, {
          method: req.method,
          path: req.path,
          contentType: req.headers['content-type'] ?? null,
          authorization: req.headers.authorization ?? null,
          body: req.body,
        });
      case '/text':
        res.setHeader('content-type', 'text/plain');
        return void res.end('plain words');
      case '/json-as-text':
        res.setHeader('content-type', 'text/plain');
        return void res.end('{"a":1}');
      case '/created':
        return json(res, 201, { id: 7 });
      case '/missing':
        return json(res, 404, { error: 'no such thing' });
      case '/busy':
        res.writeHead(503, { 'retry-after': '12' });
        return void res.end('try later');
      case '/limited':
        res.writeHead(429);
        return void res.end();
      case '/redirect':
        res.writeHead(302, { location: '/echo' });
        return void res.end();
      case '/to-private':
        res.writeHead(302, { location: 'http://10.0.0.8/admin' });
        return void res.end();
      case '/huge':
        return void res.end('y'.repeat(32 * 1024));
      case '/slow':
        await new Promise<void>((resolve) => released.push(resolve));
        return void res.end('late');
      default:
        return json(res, 500, { error: 'unexpected path' });
    }
  });
});
after(async () => {
  for (const release of released) release();
  released = [];
  await server.close();
});

function context(allowHosts: string[] = ['127.0.0.1']): BuiltinContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    logs,
    signal: new AbortController().signal,
    log: (line) => logs.push(line),
    allowHosts,
    request: {
      action: 'request',
      input: {},
      run: { id: 'run-1', project: 'shop', workflow: 'sync', version: 1 },
      step: { id: 'step-1', key: 'call' },
      attempt: 1,
      idempotencyKey: 'run-1:call',
    },
  };
}

async function call(input: Partial<HttpRequestInput>, allowHosts?: string[]) {
  const full = { ...input, url: input.url ?? `${server.origin}/echo` };
  const output = (await actions.request(full, context(allowHosts))) as HttpRequestOutput;
  outputs.push(output);
  return output;
}

async function failureOf(input: Partial<HttpRequestInput>, allowHosts?: string[]) {
  try {
    await call(input, allowHosts);
  } catch (err) {
    assert.ok(err instanceof StepFailure, `expected a StepFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to fail');
}

describe('http.request: success', () => {
  test('GET returns status, selected lowercased headers, parsed JSON, final URL and duration', async () => {
    const out = await call({});
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, {
      method: 'GET',
      path: '/echo',
      contentType: null,
      authorization: null,
      body: '',
    });
    assert.equal(out.headers['content-type'], 'application/json');
    assert.equal(out.headers['x-request-id'], 'req-42');
    assert.equal(out.headers['set-cookie'], undefined, 'cookies only when asked for');
    assert.equal(out.headers['x-internal'], undefined);
    assert.equal(out.url, `${server.origin}/echo`);
    assert.ok(Number.isInteger(out.durationMs) && out.durationMs >= 0);
  });

  test('query parameters are appended (arrays repeat) to an existing query', async () => {
    const out = await call({
      url: `${server.origin}/echo?page=1`,
      query: { tag: ['a b', 'c'], limit: 10, all: true },
    });
    assert.equal(
      (out.body as { path: string }).path,
      '/echo?page=1&tag=a+b&tag=c&limit=10&all=true',
    );
  });

  test('a JSON body is serialized; a string body is sent as text; a given content type wins', async () => {
    const jsonOut = await call({
      method: 'POST',
      body: { a: [1, 2] },
      headers: { Authorization: 'Bearer t' },
    });
    assert.deepEqual(jsonOut.body, {
      method: 'POST',
      path: '/echo',
      contentType: 'application/json',
      authorization: 'Bearer t',
      body: '{"a":[1,2]}',
    });
    const text = (await call({ method: 'PUT', body: 'raw' })).body as Record<string, unknown>;
    assert.deepEqual([text.contentType, text.body], ['text/plain; charset=utf-8', 'raw']);
    const custom = (
      await call({
        method: 'PATCH',
        body: 'a=1',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      })
    ).body as Record<string, unknown>;
    assert.equal(custom.contentType, 'application/x-www-form-urlencoded');
  });

  test('responseType: auto keeps text, text never parses, json parses whatever the type', async () => {
    assert.equal((await call({ url: `${server.origin}/text` })).body, 'plain words');
    const asText = await call({ url: `${server.origin}/echo`, responseType: 'text' });
    assert.equal(typeof asText.body, 'string');
    assert.match(asText.body as string, /^\{"method":"GET"/);
    assert.deepEqual(
      (await call({ url: `${server.origin}/json-as-text`, responseType: 'json' })).body,
      { a: 1 },
    );
    assert.equal((await call({ url: `${server.origin}/json-as-text` })).body, '{"a":1}');
  });

  test('expectStatus accepts a listed status, including a 404', async () => {
    assert.equal(
      (await call({ url: `${server.origin}/created`, expectStatus: [200, 201] })).status,
      201,
    );
    const missing = await call({ url: `${server.origin}/missing`, expectStatus: 404 });
    assert.deepEqual(missing.body, { error: 'no such thing' });
  });

  test('redirects are followed, or returned with followRedirects: false', async () => {
    assert.equal((await call({ url: `${server.origin}/redirect` })).url, `${server.origin}/echo`);
    const raw = await call({
      url: `${server.origin}/redirect`,
      followRedirects: false,
      expectStatus: 302,
    });
    assert.equal(raw.headers.location, '/echo');
  });

  test('responseHeaders adds headers, set-cookie included when named', async () => {
    const out = await call({ responseHeaders: ['Set-Cookie', 'X-Internal'] });
    assert.equal(out.headers['set-cookie'], 'session=abc; HttpOnly');
    assert.equal(out.headers['x-internal'], 'not selected');
  });

  test('the step log gets one line per request', async () => {
    const ctx = context();
    await actions.request({ url: `${server.origin}/text` }, ctx);
    assert.match(
      ctx.logs.join('\n'),
      /^GET http:\/\/127\.0\.0\.1:\d+\/text → 200 in \d+ ms \(11 bytes\)$/,
    );
  });
});

describe('http.request: failures', () => {
  const statusCases: [string, boolean, RegExp][] = [
    [
      '/missing',
      false,
      /answered HTTP 404, expected a 2xx status: "\{\\"error\\":\\"no such thing\\"\}"/,
    ],
    ['/busy', true, /answered HTTP 503/],
    ['/limited', true, /answered HTTP 429/],
  ];
  for (const [path, retryable, message] of statusCases) {
    test(`an unexpected status (${path}) is CC_E_DELIVERY_FAILED, retryable ${retryable}`, async () => {
      const err = await failureOf({ url: `${server.origin}${path}` });
      assert.deepEqual([err.code, err.retryable], ['CC_E_DELIVERY_FAILED', retryable]);
      assert.match(err.message, message);
    });
  }

  test('Retry-After and an excerpt are in the details', async () => {
    const err = await failureOf({ url: `${server.origin}/busy` });
    assert.deepEqual(err.details, {
      status: 503,
      url: `${server.origin}/busy`,
      responseExcerpt: 'try later',
      retryAfterMs: 12_000,
    });
  });

  test('a 2xx outside expectStatus fails too', async () => {
    const err = await failureOf({ url: `${server.origin}/created`, expectStatus: 200 });
    assert.match(err.message, /answered HTTP 201, expected status 200/);
  });

  test('responseType json on a non-JSON body fails without retry', async () => {
    const err = await failureOf({ url: `${server.origin}/text`, responseType: 'json' });
    assert.deepEqual([err.code, err.retryable], ['CC_E_DELIVERY_FAILED', false]);
    assert.match(err.message, /is not JSON .*use responseType "text"/);
  });

  test('a loopback URL is refused without an allowlist, and never reached', async () => {
    const before = server.connections();
    const err = await failureOf({}, []);
    assert.deepEqual([err.code, err.retryable], ['CC_E_EGRESS_REFUSED', false]);
    assert.match(err.message, /egressAllowHosts/);
    assert.equal(server.connections(), before);
  });

  test('a redirect to a private address is refused', async () => {
    const err = await failureOf({ url: `${server.origin}/to-private` });
    assert.equal(err.code, 'CC_E_EGRESS_REFUSED');
    assert.match(err.message, /10\.0\.0\.8 is a private address/);
  });

  test('a timeout is retryable', async () => {
    const err = await failureOf({ url: `${server.origin}/slow`, timeoutMs: 100 });
    assert.deepEqual(
      [err.code, err.retryable, err.details?.reason],
      ['CC_E_DELIVERY_FAILED', true, 'timeout'],
    );
  });

  test('a connection refused is retryable', async () => {
    const gone = await startLocalServer(() => undefined);
    await gone.close();
    const err = await failureOf({ url: `${gone.origin}/` });
    assert.deepEqual(
      [err.code, err.retryable, err.details?.reason],
      ['CC_E_DELIVERY_FAILED', true, 'network'],
    );
  });

  test('a response over the size cap is not retried', async () => {
    const err = await failureOf({ url: `${server.origin}/huge` });
    assert.deepEqual(
      [err.code, err.retryable, err.details?.reason],
      ['CC_E_DELIVERY_FAILED', false, 'too-large'],
    );
  });

  const badInputs: [unknown, RegExp][] = [
    [{}, /url/],
    [{ url: 'ftp://example.com/file' }, /url/],
    [{ url: 'https://example.com/', method: 'FETCH' }, /method/],
    [{ url: 'https://example.com/', expectStatus: 99 }, /expectStatus/],
    [{ url: 'https://example.com/', body: 'x' }, /GET request cannot have a body/],
  ];
  for (const [input, message] of badInputs) {
    test(`invalid input ${JSON.stringify(input)} is CC_E_STEP_INPUT_INVALID`, async () => {
      const err = await (async () => {
        try {
          await actions.request(input, context());
        } catch (e) {
          return e as StepFailure;
        }
        assert.fail('expected a failure');
      })();
      assert.ok(err instanceof StepFailure);
      assert.deepEqual([err.code, err.retryable], ['CC_E_STEP_INPUT_INVALID', false]);
      assert.match(err.message, message);
    });
  }
});

describe('http manifest', () => {
  test('is a valid builtin agent manifest', () => {
    const result = validateAgentManifest(manifest);
    assert.equal(result.ok, true, JSON.stringify(result));
    if (result.ok) assert.equal(result.agent.risk, 'medium');
  });

  test('every output the tests produced conforms to the output schema', () => {
    assert.ok(outputs.length >= 10);
    for (const output of outputs) {
      const problems = validateAgainstSchema(
        manifest.actions.request.output,
        output,
        'CC_E_OUTPUT_INVALID',
        'output',
      );
      assert.deepEqual(problems, [], JSON.stringify(output));
    }
  });
});
