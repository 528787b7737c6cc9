import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ExecutionRequest,
  ExecutionResult,
  HttpRuntime,
  StepError,
} from '@commandcenter/protocol';
import { json, startLocalServer, type LocalTestServer } from '../net/local-test-server.js';
import type { AgentExecutionContext } from './agent-context.js';
import { createHttpTransport, type HttpAgent } from './http-executor.js';

const transport = createHttpTransport({ maxResponseBytes: 64 * 1024 });
after(() => transport.close());

let server: LocalTestServer;
let released: (() => void)[] = [];
before(async () => {
  server = await startLocalServer(async (req, res) => {
    switch (req.path) {
      case '/echo':
        return json(res, 200, { output: { request: JSON.parse(req.body), headers: req.headers } });
      case '/agent-error':
        return json(res, 200, {
          error: { message: 'input.repo does not exist', retryable: false, code: 'NO_REPO' },
        });
      case '/error-500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        return void res.end('database is down');
      case '/error-429':
        res.writeHead(429, { 'retry-after': '7' });
        return void res.end();
      case '/error-503':
        res.writeHead(503);
        return void res.end();
      case '/not-json':
        return void res.end('<html>hello</html>');
      case '/no-output':
        return json(res, 200, { result: 1 });
      case '/big':
        return void res.end(JSON.stringify({ output: 'x'.repeat(100 * 1024) }));
      case '/to-metadata':
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
        return void res.end();
      case '/slow':
        await new Promise<void>((resolve) => released.push(resolve));
        return json(res, 200, { output: 'late' });
      default:
        return json(res, 404, { message: 'no such route' });
    }
  });
});
after(async () => {
  for (const release of released) release();
  released = [];
  await server.close();
});

function agent(path: string, runtime: Partial<HttpRuntime> = {}): HttpAgent {
  return {
    name: 'remote',
    version: '1.0.0',
    type: 'http',
    description: 'test agent',
    risk: 'low',
    runtime: { url: `${server.origin}${path}`, ...runtime },
    actions: { summarize: {} },
    source: {},
  };
}

const request: ExecutionRequest = {
  action: 'summarize',
  input: { repo: 'demo' },
  run: { id: 'run-1', project: 'proj', workflow: 'wf', version: 2 },
  step: { id: 'step-1', key: 'sum' },
  attempt: 3,
  idempotencyKey: 'run-1:sum',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

interface RunOptions {
  allowHosts?: string[];
  secrets?: Record<string, string>;
  signal?: AbortSignal;
}

async function run(a: HttpAgent, opts: RunOptions = {}) {
  const logs: string[] = [];
  const ctx: AgentExecutionContext = {
    signal: opts.signal ?? new AbortController().signal,
    log: (line) => logs.push(line),
    allowHosts: opts.allowHosts ?? ['127.0.0.1'],
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
  };
  return { result: await transport.execute(a, request, ctx), logs };
}

function failure(result: ExecutionResult): StepError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { error: StepError }).error;
}

describe('http transport: success and agent errors', () => {
  test('POSTs the protocol request with its headers and returns the output', async () => {
    const { result, logs } = await run(
      agent('/echo', {
        headers: { Authorization: 'Bearer {{ secrets.API_TOKEN }}', 'X-Team': 'core' },
        secrets: ['API_TOKEN'],
      }),
      { secrets: { API_TOKEN: 's3cret' } },
    );
    assert.equal(result.ok, true, JSON.stringify(result));
    const output = (result as { output: { request: unknown; headers: Record<string, string> } })
      .output;
    assert.deepEqual(output.request, request);
    assert.equal(output.headers['content-type'], 'application/json');
    assert.equal(output.headers['idempotency-key'], 'run-1:sum');
    assert.equal(output.headers.traceparent, request.traceparent);
    assert.equal(output.headers.authorization, 'Bearer s3cret');
    assert.equal(output.headers['x-team'], 'core');
    assert.match(logs.join('\n'), /POST http:\/\/127\.0\.0\.1:\d+\/echo → 200/);
    assert.doesNotMatch(logs.join('\n'), /s3cret/);
  });

  test('{ error } is the agent’s error with its retryable flag and code', async () => {
    const error = failure((await run(agent('/agent-error'))).result);
    assert.equal(error.code, 'CC_E_AGENT_ERROR');
    assert.equal(error.retryable, false);
    assert.equal(error.message, 'input.repo does not exist');
    assert.equal(error.details?.agentCode, 'NO_REPO');
  });
});

describe('http transport: HTTP statuses', () => {
  const cases: [string, string, boolean, RegExp][] = [
    ['/error-500', 'CC_E_AGENT_ERROR', true, /answered HTTP 500/],
    ['/error-429', 'CC_E_AGENT_ERROR', true, /answered HTTP 429/],
    ['/error-503', 'CC_E_AGENT_UNAVAILABLE', true, /unavailable \(HTTP 503\)/],
    ['/missing', 'CC_E_AGENT_ERROR', false, /answered HTTP 404; check runtime\.url/],
  ];
  for (const [path, code, retryable, message] of cases) {
    test(`${path} → ${code}, retryable ${retryable}`, async () => {
      const error = failure((await run(agent(path))).result);
      assert.deepEqual([error.code, error.retryable], [code, retryable]);
      assert.match(error.message, message);
    });
  }

  test('details carry the status, a response excerpt and Retry-After', async () => {
    const e500 = failure((await run(agent('/error-500'))).result);
    assert.equal(e500.details?.status, 500);
    assert.equal(e500.details?.responseExcerpt, 'database is down');
    const e429 = failure((await run(agent('/error-429'))).result);
    assert.equal(e429.details?.retryAfterMs, 7000);
  });

  for (const [path, reason] of [
    ['/not-json', /not valid JSON: "<html>hello<\/html>"/],
    ['/no-output', /neither "output" nor "error"/],
  ] as const) {
    test(`a 2xx that breaks the protocol (${path}) is CC_E_AGENT_PROTOCOL`, async () => {
      const error = failure((await run(agent(path))).result);
      assert.equal(error.code, 'CC_E_AGENT_PROTOCOL');
      assert.match(error.message, reason);
    });
  }

  test('a response over the size cap is CC_E_AGENT_OUTPUT_TOO_LARGE', async () => {
    const error = failure((await run(agent('/big'))).result);
    assert.deepEqual([error.code, error.retryable], ['CC_E_AGENT_OUTPUT_TOO_LARGE', false]);
  });
});

describe('http transport: egress, timeouts and configuration', () => {
  test('without an allowlist a loopback URL is refused before connecting', async () => {
    const before = server.connections();
    const error = failure((await run(agent('/echo'), { allowHosts: [] })).result);
    assert.deepEqual([error.code, error.retryable], ['CC_E_EGRESS_REFUSED', false]);
    assert.match(error.message, /127\.0\.0\.1 is a loopback address.*egressAllowHosts/);
    assert.equal(server.connections(), before);
  });

  test('a redirect to the metadata address is refused', async () => {
    const error = failure((await run(agent('/to-metadata'))).result);
    assert.equal(error.code, 'CC_E_EGRESS_REFUSED');
    assert.equal(error.details?.url, 'http://169.254.169.254/latest/meta-data/');
    assert.match(error.message, /link-local/);
  });

  test('an abort by the engine returns the engine’s reason (step timeout)', async () => {
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const pending = run(agent('/slow'), { signal: controller.signal });
    await arrived;
    const reason: StepError = {
      type: 'timeout',
      code: 'CC_E_STEP_TIMEOUT',
      retryable: true,
      message: 'the step exceeded its timeout of 50 ms',
    };
    controller.abort(reason);
    assert.deepEqual(failure((await pending).result), reason);
  });

  test('the transport’s backstop ends a request of a step without a timeout', async () => {
    const short = createHttpTransport({ maxRequestMs: 100 });
    const result = await short.execute(agent('/slow'), request, {
      signal: new AbortController().signal,
      log: () => undefined,
      allowHosts: ['127.0.0.1'],
    });
    await short.close();
    const error = failure(result);
    assert.deepEqual(
      [error.type, error.code, error.retryable],
      ['timeout', 'CC_E_STEP_TIMEOUT', true],
    );
  });

  test('an unreachable agent is retryable CC_E_AGENT_UNAVAILABLE', async () => {
    const gone = await startLocalServer(() => undefined);
    await gone.close();
    const a = { ...agent('/'), runtime: { url: `${gone.origin}/` } };
    const error = failure((await run(a)).result);
    assert.deepEqual([error.code, error.retryable], ['CC_E_AGENT_UNAVAILABLE', true]);
    assert.match(error.message, /not reachable at http:\/\/127\.0\.0\.1:\d+\/.*ECONNREFUSED/);
  });

  const secretCases: [Partial<HttpRuntime>, Record<string, string>, string, RegExp][] = [
    [
      { headers: { authorization: '{{ secrets.TOKEN }}' } },
      { TOKEN: 'x' },
      'CC_E_AGENT_CONFIG',
      /does not declare: add "TOKEN" to runtime\.secrets/,
    ],
    [
      { headers: { authorization: '{{secrets.TOKEN}}' }, secrets: ['TOKEN'] },
      {},
      'CC_E_SECRET_MISSING',
      /secret TOKEN .* is not set for this project: commandcenter secrets set TOKEN/,
    ],
    [
      { headers: { 'x-repo': '{{ input.repo }}' } },
      {},
      'CC_E_AGENT_CONFIG',
      /template other than \{\{ secrets\.NAME \}\}/,
    ],
    [
      { headers: { authorization: 'Bearer {{ secrets.TOKEN }}' }, secrets: ['TOKEN'] },
      { TOKEN: 'a\r\nx-injected: 1' },
      'CC_E_AGENT_CONFIG',
      /line break/,
    ],
  ];
  for (const [runtime, secrets, code, message] of secretCases) {
    test(`header templates: ${code} ${message.source.slice(0, 30)}`, async () => {
      const before = server.connections();
      const error = failure((await run(agent('/echo', runtime), { secrets })).result);
      assert.deepEqual([error.type, error.code, error.retryable], ['config', code, false]);
      assert.match(error.message, message);
      assert.equal(server.connections(), before, 'nothing is sent');
    });
  }

  test('after close() new attempts fail as retryable cancellations', async () => {
    const closing = createHttpTransport();
    await closing.close();
    const result = await closing.execute(agent('/echo'), request, {
      signal: new AbortController().signal,
      log: () => undefined,
      allowHosts: ['127.0.0.1'],
    });
    assert.deepEqual(
      [failure(result).code, failure(result).retryable],
      ['CC_E_STEP_CANCELLED', true],
    );
  });
});
