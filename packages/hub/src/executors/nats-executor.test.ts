import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ExecutionRequest, ExecutionResult, StepError } from '@commandcenter/protocol';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { AgentExecutionContext, AgentOfType } from './agent-context.js';
import { createNatsTransport } from './nats-executor.js';
import { serveNatsAgent, servicesOf } from './nats-service-agent.js';

const url = process.env.CC_TEST_NATS_URL;
const skip = !url && 'NATS not reachable (set CC_TEST_NATS_URL, or run via scripts/test.mjs)';

/** A project name no other test (or colleague's run on the shared server) uses. */
const uniqueProject = () => `t-${randomBytes(5).toString('hex')}`;

function agent(name: string, runtime: Record<string, unknown> = {}): AgentOfType<'nats'> {
  return {
    name,
    version: '1.0.0',
    type: 'nats',
    description: '',
    risk: 'low',
    runtime,
    actions: { echo: {}, fail: {} },
    source: {},
  };
}

function request(project: string, action = 'echo', input: unknown = { n: 1 }): ExecutionRequest {
  return {
    action,
    input,
    run: { id: 'run-1', project, workflow: 'wf', version: 2 },
    step: { id: 'step', key: 'step' },
    attempt: 1,
    idempotencyKey: 'run-1:step',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
}

function context(signal = new AbortController().signal): AgentExecutionContext {
  return { signal, log: () => {} };
}

function failure(result: ExecutionResult): StepError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: StepError }).error;
}

const manifest = (name: string) => ({
  name,
  version: '1.0.0',
  type: 'nats',
  description: 'test agent',
  actions: { echo: {}, fail: {} },
});

describe('nats transport', { skip, timeout: 30_000 }, () => {
  let nc: NatsConnection;
  const transport = createNatsTransport({ servers: url ?? '', name: 'cc-nats-executor-test' });
  before(async () => {
    nc = await connect({ servers: url! });
  });
  after(async () => {
    await transport.close();
    await nc?.drain();
  });

  test('round trip with a service started by serveNatsAgent', async () => {
    const project = uniqueProject();
    const service = await serveNatsAgent(nc, {
      project,
      manifest: manifest('echoer'),
      handlers: {
        echo: (input, req) => ({ input, attempt: req.attempt, key: req.idempotencyKey }),
        fail: () => {
          throw Object.assign(new Error('the repository is archived'), {
            retryable: false,
            code: 'ARCHIVED',
          });
        },
      },
    });
    try {
      const ok = await transport.execute(agent('echoer'), request(project), context());
      assert.deepEqual(ok, {
        ok: true,
        output: { input: { n: 1 }, attempt: 1, key: 'run-1:step' },
      });
      const error = failure(
        await transport.execute(agent('echoer'), request(project, 'fail'), context()),
      );
      assert.equal(error.code, 'CC_E_AGENT_ERROR');
      assert.equal(error.retryable, false);
      assert.equal(error.message, 'the repository is archived');
      assert.equal(error.details?.agentCode, 'ARCHIVED');
      const unknown = failure(
        await transport.execute(agent('echoer'), request(project, 'nope'), context()),
      );
      assert.match(unknown.message, /agent echoer has no action nope/);
      assert.equal(unknown.retryable, false);
    } finally {
      await service.stop();
    }
  });

  test('sends the protocol JSON and the traceparent header on runtime.subject', async () => {
    const subject = `custom.${uniqueProject()}.reviewer`;
    const got = new Promise<Msg>((resolve) => {
      nc.subscribe(subject, {
        max: 1,
        callback: (_err, msg) => {
          msg.respond(JSON.stringify({ output: 'fine' }));
          resolve(msg);
        },
      });
    });
    await nc.flush();
    const result = await transport.execute(
      agent('reviewer', { subject }),
      request('demo', 'echo', { x: [1, 2] }),
      context(),
    );
    assert.deepEqual(result, { ok: true, output: 'fine' });
    const msg = await got;
    assert.deepEqual(msg.json(), request('demo', 'echo', { x: [1, 2] }));
    assert.equal(msg.headers?.get('traceparent'), request('demo').traceparent);
  });

  test('services-framework errors are agent errors, retryable for 5xx codes', async () => {
    const project = uniqueProject();
    const service = await servicesOf(nc).add({ name: 'flaky', version: '1.0.0' });
    service.addEndpoint('execute', {
      subject: `cc.${project}.agent.flaky`,
      handler: (_err, msg) => {
        const input = (msg.json() as ExecutionRequest).input as { code: number };
        msg.respondError(input.code, `failed with ${input.code}`);
      },
    });
    try {
      const e503 = failure(
        await transport.execute(agent('flaky'), request(project, 'echo', { code: 503 }), context()),
      );
      assert.equal(e503.code, 'CC_E_AGENT_ERROR');
      assert.equal(e503.retryable, true);
      assert.match(
        e503.message,
        new RegExp(`cc\\.${project}\\.agent\\.flaky answered with error 503: failed with 503`),
      );
      const e422 = failure(
        await transport.execute(agent('flaky'), request(project, 'echo', { code: 422 }), context()),
      );
      assert.equal(e422.retryable, false);
      assert.equal(e422.details?.serviceErrorCode, 422);
    } finally {
      await service.stop();
    }
  });

  test('no responders: retryable CC_E_AGENT_UNAVAILABLE naming the subject', async () => {
    const project = uniqueProject();
    const error = failure(await transport.execute(agent('ghost'), request(project), context()));
    assert.equal(error.code, 'CC_E_AGENT_UNAVAILABLE');
    assert.equal(error.retryable, true);
    assert.match(
      error.message,
      new RegExp(`no NATS service listens on cc\\.${project}\\.agent\\.ghost`),
    );
    assert.match(error.message, /serveNatsAgent/);
  });

  test('a reply that is not JSON breaks the protocol', async () => {
    const subject = `cc.${uniqueProject()}.agent.garbled`;
    nc.subscribe(subject, {
      max: 1,
      callback: (_err, msg) => {
        msg.respond('<html>oops</html>');
      },
    });
    await nc.flush();
    const error = failure(
      await transport.execute(agent('garbled', { subject }), request('demo'), context()),
    );
    assert.equal(error.code, 'CC_E_AGENT_PROTOCOL');
    assert.equal(error.retryable, true);
    assert.match(error.message, /not valid JSON: "<html>oops<\/html>"/);
  });

  test('an abort (the engine’s timeout) ends the wait with the abort reason', async () => {
    const subject = `cc.${uniqueProject()}.agent.sleepy`;
    const controller = new AbortController();
    const reason: StepError = {
      type: 'timeout',
      code: 'CC_E_STEP_TIMEOUT',
      retryable: true,
      message: 'the step exceeded its timeout of 50 ms',
    };
    // The agent receives the request and never answers; the test aborts once it has arrived.
    nc.subscribe(subject, { max: 1, callback: () => controller.abort(reason) });
    await nc.flush();
    const result = await transport.execute(
      agent('sleepy', { subject }),
      request('demo'),
      context(controller.signal),
    );
    assert.deepEqual(failure(result), reason);
  });

  test('a connection that drops while waiting fails the attempt as retryable unavailable', async () => {
    // A TCP proxy in front of the real server lets the test cut the transport's connection.
    const target = new URL(url!);
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = netConnect(Number(target.port || 4222), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = createNatsTransport({
      servers: `nats://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    const subject = `cc.${uniqueProject()}.agent.unlucky`;
    // The agent gets the request; the link drops before it answers.
    nc.subscribe(subject, {
      max: 1,
      callback: () => {
        for (const s of sockets) s.destroy();
      },
    });
    await nc.flush();
    try {
      const error = failure(
        await proxied.execute(agent('unlucky', { subject }), request('demo'), context()),
      );
      assert.equal(error.code, 'CC_E_AGENT_UNAVAILABLE');
      assert.equal(error.retryable, true);
      assert.match(error.message, /connection to NATS .* dropped before the reply came/);
    } finally {
      await proxied.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test('serveNatsAgent refuses an invalid manifest and missing handlers', async () => {
    await assert.rejects(
      serveNatsAgent(nc, {
        project: 'demo',
        manifest: { name: 'Bad Name', version: '1' },
        handlers: {},
      }),
      /the agent manifest is invalid:[\s\S]*name/,
    );
    await assert.rejects(
      serveNatsAgent(nc, {
        project: 'demo',
        manifest: manifest('half'),
        handlers: { echo: () => 1 },
      }),
      /no handler for fail; add the missing handlers or actions/,
    );
  });
});

describe('nats transport without a server', () => {
  test('an unreachable server is a retryable CC_E_AGENT_UNAVAILABLE', async () => {
    const transport = createNatsTransport({ servers: 'nats://127.0.0.1:1' });
    try {
      const error = failure(await transport.execute(agent('any'), request('demo'), context()));
      assert.equal(error.code, 'CC_E_AGENT_UNAVAILABLE');
      assert.equal(error.retryable, true);
      assert.match(
        error.message,
        /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: .*check the hub’s NATS_URL/,
      );
    } finally {
      await transport.close();
    }
  });

  test('after close() attempts fail as unavailable', async () => {
    const transport = createNatsTransport({ servers: 'nats://127.0.0.1:1' });
    await transport.close();
    const error = failure(await transport.execute(agent('any'), request('demo'), context()));
    assert.equal(error.code, 'CC_E_AGENT_UNAVAILABLE');
    assert.match(error.message, /shutting down/);
  });
});
