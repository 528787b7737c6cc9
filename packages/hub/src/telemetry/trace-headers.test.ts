import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validateAgentManifest, type ExecutionRequest } from '@commandcenter/protocol';
import type { AgentExecutionContext, AgentOfType } from '../executors/agent-context.js';
import { buildChildEnv } from '../executors/env-scrub.js';
import { createHttpTransport } from '../executors/http-executor.js';
import { createLlmTransport } from '../executors/llm-executor.js';
import { json, startLocalServer, type LocalTestServer } from '../net/local-test-server.js';

/** The W3C context of an attempt reaches agents of every transport (tracestate included). */

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const tracestate = 'vendor=abc,other=1';

const request: ExecutionRequest = {
  action: 'go',
  input: {},
  run: { id: 'run-1', project: 'demo', workflow: 'wf', version: 1 },
  step: { id: 's', key: 's' },
  attempt: 1,
  idempotencyKey: 'run-1:s',
  traceparent,
};

const ctx = (): AgentExecutionContext => ({
  signal: new AbortController().signal,
  log: () => {},
  allowHosts: ['127.0.0.1'],
  tracestate,
});

function manifest(doc: Record<string, unknown>) {
  const checked = validateAgentManifest({ version: '1.0.0', description: 'traced', ...doc });
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
  return checked.agent;
}

describe('trace context into agents', () => {
  let server: LocalTestServer;
  before(async () => {
    server = await startLocalServer((req, res) =>
      req.path.endsWith('/chat/completions')
        ? json(res, 200, {
            choices: [{ message: { role: 'assistant', content: '{}' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1 },
          })
        : json(res, 200, { output: {} }),
    );
  });
  after(() => server?.close());

  test('http: traceparent and tracestate headers', async () => {
    const http = createHttpTransport();
    const agent = manifest({
      name: 'remote',
      type: 'http',
      runtime: { url: `${server.origin}/agent` },
      actions: { go: {} },
    }) as AgentOfType<'http'>;
    const result = await http.execute(agent, request, ctx());
    assert.ok(result.ok, JSON.stringify(result));
    const seen = server.requests.at(-1)!;
    assert.equal(seen.headers.traceparent, traceparent);
    assert.equal(seen.headers.tracestate, tracestate);
    assert.equal(JSON.parse(seen.body).traceparent, traceparent);
    await http.close();
  });

  test('llm: traceparent and tracestate headers on the chat completion request', async () => {
    const llm = createLlmTransport();
    const agent = manifest({
      name: 'writer',
      type: 'llm',
      runtime: { baseUrl: `${server.origin}/v1`, model: 'test-model' },
      actions: { go: { prompt: 'Say something' } },
    }) as AgentOfType<'llm'>;
    await llm.execute(agent, request, ctx());
    const seen = server.requests.find((r) => r.path === '/v1/chat/completions');
    assert.ok(seen, 'the provider was called');
    assert.equal(seen.headers.traceparent, traceparent);
    assert.equal(seen.headers.tracestate, tracestate);
    await llm.close();
  });

  test('process: TRACEPARENT and TRACESTATE, only with a traceparent', () => {
    const env = buildChildEnv({ hubEnv: {}, request, tracestate });
    assert.equal(env.TRACEPARENT, traceparent);
    assert.equal(env.TRACESTATE, tracestate);
    const { traceparent: _none, ...untraced } = request;
    const off = buildChildEnv({ hubEnv: {}, request: untraced, tracestate });
    assert.equal(off.TRACEPARENT, undefined);
    assert.equal(off.TRACESTATE, undefined);
  });
});
