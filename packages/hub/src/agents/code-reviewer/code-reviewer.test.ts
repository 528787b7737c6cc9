import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  validateAgainstSchema,
  validateAgentManifest,
  type AttemptUsage,
  type ExecutionRequest,
  type ExecutionResult,
  type StepError,
} from '@commandcenter/protocol';
import type { AgentExecutionContext, AgentOfType } from '../../executors/agent-context.js';
import { createLlmTransport } from '../../executors/llm-executor.js';
import { isStrictSchema } from '../../executors/llm-request.js';
import { completion, startChatServer, type ChatServer } from '../../executors/llm-test-server.js';
import {
  manifest,
  reviewInputSchema,
  reviewOutputSchema,
  type CodeReviewInput,
  type CodeReviewOutput,
} from './manifest.js';

const checked = validateAgentManifest(manifest);
assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
const agent = checked.agent as AgentOfType<'llm'>;

const diff = `--- a/src/db.ts
+++ b/src/db.ts
@@ -10,3 +10,4 @@ export async function findUser(name: string) {
-  return db.query('SELECT * FROM users WHERE name = $1', [name]);
+  // faster without parameters
+  return db.query(\`SELECT * FROM users WHERE name = '\${name}'\`);
 }`;

const review: CodeReviewOutput = {
  summary: 'The change introduces a SQL injection in findUser; it must not be merged.',
  score: 15,
  findings: [
    {
      file: 'src/db.ts',
      line: 12,
      severity: 'critical',
      category: 'security',
      message: 'User input is interpolated into SQL, so a crafted name can run arbitrary queries.',
      suggestion: "Keep the parameter: db.query('SELECT * FROM users WHERE name = $1', [name]).",
    },
    {
      file: 'src/db.ts',
      line: null,
      severity: 'low',
      category: 'test',
      message: 'No test covers names with quotes.',
      suggestion: 'Add a test for findUser("O\'Brien").',
    },
  ],
};

function request(input: CodeReviewInput): ExecutionRequest {
  return {
    action: 'review',
    input,
    run: { id: 'run-9', project: 'demo', workflow: 'pr-review', version: 1 },
    step: { id: 'review', key: 'review' },
    attempt: 1,
    idempotencyKey: 'run-9:review',
  };
}

function context(
  secrets: Record<string, string>,
  usage: AttemptUsage[] = [],
): AgentExecutionContext {
  return {
    signal: new AbortController().signal,
    log: () => {},
    allowHosts: ['127.0.0.1'],
    lookupSecret: (name) => Promise.resolve(secrets[name]),
    usage: (u) => usage.push(u),
  };
}

function failure(result: ExecutionResult): StepError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: StepError }).error;
}

const userPrompt = (server: ChatServer) => {
  const messages = server.calls.at(-1)!.body.messages as Array<{ role: string; content: string }>;
  return messages.find((m) => m.role === 'user')!.content;
};

describe('code-reviewer manifest', () => {
  test('is a valid llm agent without provider settings, with a strict output schema', () => {
    assert.ok(checked.ok && checked.warnings.length === 0, 'no schema warnings');
    assert.equal(agent.type, 'llm');
    assert.equal(agent.risk, 'low');
    assert.equal(agent.runtime.baseUrl, undefined);
    assert.equal(agent.runtime.model, undefined);
    assert.equal(isStrictSchema(reviewOutputSchema), true);
  });

  test('the input needs a diff, files or a file', () => {
    const problems = (v: unknown) =>
      validateAgainstSchema(reviewInputSchema, v, 'CC_E_INPUT_INVALID', 'input');
    assert.notEqual(problems({ guidelines: 'be strict' }).length, 0);
    assert.notEqual(problems({ files: [] }).length, 0);
    assert.deepEqual(problems({ diff }), []);
    assert.deepEqual(
      problems({ files: [{ path: 'a.ts', content: '' }], language: 'TypeScript' }),
      [],
    );
    assert.deepEqual(problems({ file: { path: 'a.ts', content: 'x', findings: 2 } }), []);
    assert.notEqual(problems({ file: { path: 'a.ts' } }).length, 0);
  });
});

describe('code-reviewer through the llm transport', { timeout: 30_000 }, () => {
  const transport = createLlmTransport();
  let server: ChatServer;
  let answer = completion(JSON.stringify(review));
  before(async () => {
    server = await startChatServer({ apiKey: 'sk-review', answer: () => answer });
  });
  after(() => server.close());
  const secrets = () => ({
    LLM_BASE_URL: server.baseUrl,
    LLM_MODEL: 'gpt-4o-mini',
    LLM_API_KEY: 'sk-review',
  });

  test('reviews a diff with structured output that conforms to the output schema', async () => {
    answer = completion(JSON.stringify(review), { promptTokens: 900, completionTokens: 150 });
    const usage: AttemptUsage[] = [];
    const result = await transport.execute(
      agent,
      request({ diff, language: 'TypeScript' }),
      context(secrets(), usage),
    );
    assert.deepEqual(result, { ok: true, output: review });
    assert.deepEqual(
      validateAgainstSchema(reviewOutputSchema, review, 'CC_E_OUTPUT_INVALID', 'output'),
      [],
    );
    const body = server.calls.at(-1)!.body;
    assert.equal(body.model, 'gpt-4o-mini');
    assert.deepEqual(body.response_format, {
      type: 'json_schema',
      json_schema: { name: 'review', schema: reviewOutputSchema, strict: true },
    });
    const prompt = userPrompt(server);
    assert.ok(prompt.includes(`=== DIFF START ===\n${diff}\n=== DIFF END ===`), prompt);
    assert.match(prompt, /code change \(TypeScript\)/);
    assert.match(prompt, /No project guidelines were given/);
    assert.ok(!prompt.includes('=== FILE'));
    assert.deepEqual(usage, [{ model: 'test-model-2024-01-01', tokensIn: 900, tokensOut: 150 }]);
  });

  test('reviews whole files with numbered lines and the project guidelines', async () => {
    answer = completion(JSON.stringify({ summary: 'Fine.', score: 95, findings: [] }));
    const result = await transport.execute(
      agent,
      request({
        files: [
          { path: 'src/a.ts', content: 'export const a = 1;\nexport const b: any = 2;' },
          { path: 'src/c.ts', content: 'export {};' },
        ],
        guidelines: 'No `any`.',
      }),
      context(secrets()),
    );
    assert.deepEqual(result, { ok: true, output: { summary: 'Fine.', score: 95, findings: [] } });
    const prompt = userPrompt(server);
    assert.ok(
      prompt.includes(
        '=== FILE src/a.ts START ===\n1: export const a = 1;\n2: export const b: any = 2;\n=== FILE src/a.ts END ===',
      ),
      prompt,
    );
    assert.ok(prompt.includes('=== FILE src/c.ts START ===\n1: export {};'));
    assert.match(prompt, /Project guidelines \(a violation is a finding\):\nNo `any`\./);
    assert.ok(!prompt.includes('DIFF START'));
    assert.ok(!/\{\{|undefined/.test(prompt), 'every template rendered');
  });

  test('reviews one file given as `file` (an item of security-scanner files, SPEC §2)', async () => {
    answer = completion(JSON.stringify({ summary: 'Fine.', score: 90, findings: [] }));
    const item = { path: 'src/db.ts', content: 'query("SELECT " + id);', findings: 1 };
    const result = await transport.execute(agent, request({ file: item }), context(secrets()));
    assert.equal(result.ok, true, JSON.stringify(result));
    const prompt = userPrompt(server);
    assert.ok(
      prompt.includes(
        '=== FILE src/db.ts START ===\n1: query("SELECT " + id);\n=== FILE src/db.ts END ===',
      ),
      prompt,
    );
    assert.ok(!/\{\{|undefined/.test(prompt), 'every template rendered');
  });

  test('an answer off the schema (unknown severity, score over 100) is a retryable error', async () => {
    answer = completion(
      JSON.stringify({
        ...review,
        score: 150,
        findings: [{ ...review.findings[0], severity: 'blocker' }],
      }),
    );
    const error = failure(await transport.execute(agent, request({ diff }), context(secrets())));
    assert.equal(error.code, 'CC_E_LLM_ERROR');
    assert.equal(error.retryable, true);
    assert.match(error.message, /code-reviewer\.review's output schema: /);
    assert.match(error.message, /output\.score/);
    assert.match(error.message, /output\.findings\[0\]\.severity/);
  });

  test('without provider secrets it fails with CC_E_LLM_NOT_CONFIGURED naming the secrets', async () => {
    const before = server.calls.length;
    const error = failure(await transport.execute(agent, request({ diff }), context({})));
    assert.equal(error.code, 'CC_E_LLM_NOT_CONFIGURED');
    assert.equal(error.retryable, false);
    assert.match(error.message, /llm agent code-reviewer has no LLM provider configured/);
    assert.match(error.message, /LLM_BASE_URL/);
    assert.match(error.message, /LLM_MODEL/);
    assert.match(error.message, /LLM_API_KEY/);
    assert.equal(server.calls.length, before);
  });
});
