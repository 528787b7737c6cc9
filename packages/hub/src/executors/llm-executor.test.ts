import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  validateAgentManifest,
  type AttemptUsage,
  type ExecutionRequest,
  type ExecutionResult,
  type StepError,
} from '@commandcenter/protocol';
import type { AgentExecutionContext, AgentOfType } from './agent-context.js';
import { createLlmTransport } from './llm-executor.js';
import { isStrictSchema } from './llm-request.js';
import {
  completion,
  openAiError,
  startChatServer,
  type ChatAnswer,
  type ChatServer,
} from './llm-test-server.js';

const API_KEY = 'sk-test-5e3cr3t-key';

const summarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'tags'],
  properties: {
    title: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

function llmAgent(runtime: Record<string, unknown> = {}, actions?: Record<string, unknown>) {
  const checked = validateAgentManifest({
    name: 'summarizer',
    version: '1.0.0',
    type: 'llm',
    description: 'summarizes issues',
    runtime: {
      system: 'You triage GitHub issues.',
      pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
      temperature: 0.2,
      maxTokens: 500,
      ...runtime,
    },
    actions: actions ?? {
      summarize: {
        prompt: 'Summarize issue #{{ input.number }} of {{ run.project }}: {{ input.body }}',
        input: { type: 'object', required: ['number', 'body'] },
        output: summarySchema,
      },
    },
  });
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
  return checked.agent as AgentOfType<'llm'>;
}

function request(input: unknown = { number: 7, body: 'Crash on start' }, action = 'summarize') {
  return {
    action,
    input,
    run: { id: 'run-1', project: 'demo', workflow: 'triage', version: 1 },
    step: { id: 'sum', key: 'sum' },
    attempt: 1,
    idempotencyKey: 'run-1:sum',
  } satisfies ExecutionRequest;
}

interface Harness {
  ctx: AgentExecutionContext;
  logs: string[];
  usage: AttemptUsage[];
}

function harness(
  secrets: Record<string, string>,
  opts: { allowHosts?: string[]; signal?: AbortSignal } = {},
): Harness {
  const logs: string[] = [];
  const usage: AttemptUsage[] = [];
  const values = new Map(Object.entries(secrets));
  return {
    logs,
    usage,
    ctx: {
      signal: opts.signal ?? new AbortController().signal,
      log: (line) => logs.push(line),
      allowHosts: opts.allowHosts ?? ['127.0.0.1'],
      lookupSecret: (name) => Promise.resolve(values.get(name)),
      usage: (u) => usage.push(u),
    },
  };
}

function failure(result: ExecutionResult): StepError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: StepError }).error;
}

describe('llm transport', { timeout: 30_000 }, () => {
  const transport = createLlmTransport();
  let server: ChatServer;
  let next: ChatAnswer[] = [];
  before(async () => {
    server = await startChatServer({
      apiKey: API_KEY,
      answer: () => next.shift() ?? completion('{}'),
    });
  });
  after(() => server.close());
  const secrets = () => ({
    LLM_BASE_URL: server.baseUrl,
    LLM_MODEL: 'gpt-4o-mini',
    LLM_API_KEY: API_KEY,
  });
  const answer = (a: ChatAnswer) => {
    next = [a];
  };

  test('structured output: request shape, output, usage and cost, one log line without the key', async () => {
    answer(
      completion('{"title":"Crash on start","tags":["bug"]}', {
        promptTokens: 1000,
        completionTokens: 200,
      }),
    );
    const h = harness(secrets());
    const result = await transport.execute(llmAgent(), request(), h.ctx);
    assert.deepEqual(result, { ok: true, output: { title: 'Crash on start', tags: ['bug'] } });

    const call = server.calls.at(-1)!;
    assert.equal(call.authorization, `Bearer ${API_KEY}`);
    assert.deepEqual(call.body, {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You triage GitHub issues.' },
        { role: 'user', content: 'Summarize issue #7 of demo: Crash on start' },
      ],
      temperature: 0.2,
      max_tokens: 500,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'summarize', schema: summarySchema, strict: true },
      },
    });
    // The model that answered, its tokens, and 1000 × 2.5 + 200 × 10 dollars per million.
    assert.deepEqual(h.usage, [
      { model: 'test-model-2024-01-01', tokensIn: 1000, tokensOut: 200, costUsd: 0.0045 },
    ]);
    assert.equal(h.logs.length, 1);
    assert.match(
      h.logs[0]!,
      /^llm test-model-2024-01-01 via 127\.0\.0\.1:\d+: HTTP 200 in \d+ ms, tokens in 1000 out 200, cost \$0\.004500$/,
    );
    assert.ok(!h.logs.join('\n').includes(API_KEY));
  });

  test('429: retryable, with the status and the provider’s message', async () => {
    answer({
      status: 429,
      headers: { 'retry-after': '20' },
      body: openAiError(
        'Rate limit reached for gpt-4o-mini on tokens per min.',
        'tokens',
        'rate_limit_exceeded',
      ),
    });
    const error = failure(await transport.execute(llmAgent(), request(), harness(secrets()).ctx));
    assert.equal(error.code, 'CC_E_LLM_ERROR');
    assert.equal(error.retryable, true);
    assert.match(error.message, /answered 429: Rate limit reached for gpt-4o-mini/);
    assert.equal(error.details?.retryAfter, '20');
  });

  test('5xx is retryable, 404 is not and names the base URL and model', async () => {
    answer({ status: 503, body: openAiError('The server is overloaded.', 'server_error') });
    const e503 = failure(await transport.execute(llmAgent(), request(), harness(secrets()).ctx));
    assert.equal(e503.retryable, true);
    const e404 = failure(
      await transport.execute(
        llmAgent(),
        request(),
        harness({ ...secrets(), LLM_BASE_URL: server.baseUrl.replace(/\/v1$/, '') }).ctx,
      ),
    );
    assert.equal(e404.retryable, false);
    assert.match(
      e404.message,
      /answered 404: Unknown request URL: POST \/chat\/completions\.; check the base URL http:\/\/127\.0\.0\.1:\d+ \(OpenAI-compatible APIs usually end in \/v1\) and that the model "gpt-4o-mini" exists/,
    );
  });

  test('401: not retryable, says which secret holds the key', async () => {
    const h = harness({ ...secrets(), LLM_API_KEY: 'sk-wrong' });
    const error = failure(await transport.execute(llmAgent(), request(), h.ctx));
    assert.equal(error.code, 'CC_E_LLM_ERROR');
    assert.equal(error.retryable, false);
    assert.match(
      error.message,
      /answered 401: Incorrect API key provided\.; check the API key in the project secret LLM_API_KEY/,
    );
    const custom = harness({ LLM_BASE_URL: server.baseUrl, LLM_MODEL: 'm' });
    const noKey = failure(
      await transport.execute(llmAgent({ apiKeySecret: 'OPENAI_KEY' }), request(), custom.ctx),
    );
    assert.match(noKey.message, /no API key was sent: set the project secret OPENAI_KEY/);
  });

  test('content that is not JSON is a retryable CC_E_LLM_ERROR; usage is still recorded', async () => {
    answer(completion('Sure! Here is the summary: it crashes.'));
    const h = harness(secrets());
    const error = failure(await transport.execute(llmAgent(), request(), h.ctx));
    assert.equal(error.code, 'CC_E_LLM_ERROR');
    assert.equal(error.retryable, true);
    assert.match(error.message, /not valid JSON: "Sure! Here is the summary/);
    assert.equal(h.usage[0]?.tokensIn, 120);
  });

  test('an answer off the output schema is retryable and lists the problems', async () => {
    answer(completion('{"title":42}'));
    const error = failure(await transport.execute(llmAgent(), request(), harness(secrets()).ctx));
    assert.equal(error.retryable, true);
    assert.match(error.message, /does not match summarizer\.summarize's output schema: .*title.*/);
  });

  test('a refusal and a cut-off answer are not retryable', async () => {
    answer(completion(null, { refusal: 'I can’t help with that request.' }));
    const refused = failure(await transport.execute(llmAgent(), request(), harness(secrets()).ctx));
    assert.equal(refused.retryable, false);
    assert.equal(refused.message, 'the model refused to answer: I can’t help with that request.');

    answer(completion('{"title":"Cra', { finishReason: 'length' }));
    const cut = failure(await transport.execute(llmAgent(), request(), harness(secrets()).ctx));
    assert.equal(cut.retryable, false);
    assert.match(
      cut.message,
      /cut off at its token limit .*max_tokens 500.*raise runtime\.maxTokens/,
    );
  });

  test('without provider secrets: CC_E_LLM_NOT_CONFIGURED naming what to set, no request', async () => {
    const before = server.calls.length;
    const error = failure(await transport.execute(llmAgent(), request(), harness({}).ctx));
    assert.equal(error.code, 'CC_E_LLM_NOT_CONFIGURED');
    assert.equal(error.type, 'config');
    assert.equal(error.retryable, false);
    assert.match(
      error.message,
      /llm agent summarizer has no LLM provider configured: the base URL \(project secret LLM_BASE_URL or runtime\.baseUrl\) and the model \(project secret LLM_MODEL or runtime\.model\) are not set/,
    );
    assert.match(error.message, /LLM_API_KEY when the provider needs a key/);
    const modelOnly = failure(
      await transport.execute(llmAgent(), request(), harness({ LLM_BASE_URL: server.baseUrl }).ctx),
    );
    assert.match(
      modelOnly.message,
      /: the model \(project secret LLM_MODEL or runtime\.model\) is not set/,
    );
    assert.equal(server.calls.length, before);
  });

  test('a provider on a private address is refused unless the project allowlists it', async () => {
    const before = server.calls.length;
    const h = harness(secrets(), { allowHosts: [] });
    const error = failure(await transport.execute(llmAgent(), request(), h.ctx));
    assert.equal(error.code, 'CC_E_EGRESS_REFUSED');
    assert.equal(error.retryable, false);
    assert.match(error.message, /egressAllowHosts/);
    assert.equal(server.calls.length, before);
  });

  test('runtime settings win over secrets; an action without output schema asks for a JSON object', async () => {
    answer(completion('{"anything":true}'));
    const agent = llmAgent(
      { baseUrl: server.baseUrl, model: 'local-llama', system: undefined, pricing: undefined },
      { chat: { prompt: 'Say hello to {{ input.who }}' } },
    );
    const h = harness({
      LLM_BASE_URL: 'https://unused.example/v1',
      LLM_MODEL: 'unused',
      LLM_API_KEY: API_KEY,
    });
    const result = await transport.execute(agent, request({ who: 'Ada' }, 'chat'), h.ctx);
    assert.deepEqual(result, { ok: true, output: { anything: true } });
    const body = server.calls.at(-1)!.body;
    assert.equal(body.model, 'local-llama');
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.deepEqual(body.messages, [
      { role: 'user', content: 'Say hello to Ada' },
      { role: 'user', content: 'Answer with one JSON object.' },
    ]);
    assert.deepEqual(h.usage, [{ model: 'test-model-2024-01-01', tokensIn: 120, tokensOut: 40 }]);
  });

  test('a prompt referring to a missing input is a template error', async () => {
    const error = failure(
      await transport.execute(llmAgent(), request({ number: 1 }), harness(secrets()).ctx),
    );
    assert.equal(error.type, 'template');
    assert.equal(error.code, 'CC_E_TEMPLATE_MISSING_REF');
    assert.equal(error.retryable, false);
  });

  test('an abort ends the request with the abort reason', async () => {
    const controller = new AbortController();
    const reason: StepError = {
      type: 'cancelled',
      code: 'CC_E_STEP_CANCELLED',
      retryable: false,
      message: 'the run was cancelled',
    };
    const hanging = await startChatServer({
      answer: () => {
        controller.abort(reason);
        return { status: 200, body: completion('{}').body };
      },
    });
    try {
      const h = harness(
        { LLM_BASE_URL: hanging.baseUrl, LLM_MODEL: 'm' },
        { signal: controller.signal },
      );
      const result = await transport.execute(llmAgent(), request(), h.ctx);
      assert.deepEqual(failure(result), reason);
    } finally {
      await hanging.close();
    }
  });
});

describe('isStrictSchema', () => {
  test('requires additionalProperties false and every property required, recursively', () => {
    assert.equal(isStrictSchema(summarySchema), true);
    assert.equal(isStrictSchema({ type: 'object', properties: { a: { type: 'string' } } }), false);
    assert.equal(
      isStrictSchema({
        ...summarySchema,
        properties: {
          ...summarySchema.properties,
          tags: { type: 'array', items: { type: 'object', properties: { x: {} } } },
        },
      }),
      false,
    );
    assert.equal(isStrictSchema({ type: 'string' }), true);
  });
});
