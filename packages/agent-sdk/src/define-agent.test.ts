import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AgentError, action, defineAgent, fatal, retryable, type ActionContext } from './index.js';

const request = (action: string, input: unknown = {}) => ({
  action,
  input,
  run: { id: 'run-1', project: 'demo', workflow: 'wf', version: 1 },
  step: { id: 'step-1', key: 'count' },
  attempt: 2,
  idempotencyKey: 'run-1:count',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
});

interface CountInput {
  text: string;
}

const agent = defineAgent({
  actions: {
    // Typed with an interface on the handler.
    count: async (input: CountInput, ctx: ActionContext) => {
      ctx.log('counting %d characters', input.text.length, { multi: 'line' });
      return { characters: input.text.length, request: ctx.request, mode: ctx.mode };
    },
    // Typed with the helper; documented for describe().
    shout: action<{ text: string }, { text: string }>({
      description: 'Upper-cases a text',
      input: { type: 'object', required: ['text'] },
      output: { type: 'object' },
      handler: (input) => ({ text: input.text.toUpperCase() }),
    }),
    nothing: () => undefined,
    fatal: () => {
      throw fatal('repository not found', { code: 'REPO_NOT_FOUND', details: { repo: 'x' } });
    },
    retryable: () => {
      throw retryable('the forge is busy');
    },
    plain: () => {
      throw new TypeError('cannot read x of undefined');
    },
    thrown: () => {
      throw 'a string';
    },
  },
});

describe('defineAgent: handle', () => {
  test('passes input and context; logs are formatted and split into lines', async () => {
    const logs: string[] = [];
    const result = await agent.handle(request('count', { text: 'hello' }), {
      log: (line) => logs.push(line),
    });
    const { input: _input, ...withoutInput } = request('count');
    assert.deepEqual(result, {
      output: { characters: 5, request: withoutInput, mode: 'one-shot' },
    });
    assert.deepEqual(logs, ["counting 5 characters { multi: 'line' }"]);
  });

  test('an action defined with action<I, O>() runs its handler', async () => {
    assert.deepEqual(await agent.handle(request('shout', { text: 'hi' })), {
      output: { text: 'HI' },
    });
  });

  test('undefined output becomes null (a result line always has "output")', async () => {
    assert.deepEqual(await agent.handle(request('nothing')), { output: null });
  });

  test('fatal() and retryable() set retryable, code and details', async () => {
    assert.deepEqual(await agent.handle(request('fatal')), {
      error: {
        message: 'repository not found',
        retryable: false,
        code: 'REPO_NOT_FOUND',
        details: { repo: 'x' },
      },
    });
    assert.deepEqual(await agent.handle(request('retryable')), {
      error: { message: 'the forge is busy', retryable: true },
    });
    assert.equal(new AgentError('x').retryable, true);
    assert.equal(new AgentError('x', { retryable: false }).retryable, false);
  });

  test('an unexpected exception is retryable, and its stack is logged', async () => {
    const logs: string[] = [];
    const result = await agent.handle(request('plain'), { log: (line) => logs.push(line) });
    assert.deepEqual(result, { error: { message: 'cannot read x of undefined', retryable: true } });
    assert.match(logs[0]!, /^action "plain" failed: TypeError: cannot read x of undefined/);
    assert.ok(logs.length > 1, 'the stack frames follow, one per line');
    assert.deepEqual(await agent.handle(request('thrown')), {
      error: { message: 'a string', retryable: true },
    });
  });

  test('an unknown action is a non-retryable error that lists the actions', async () => {
    for (const name of ['missing', 'toString', '__proto__']) {
      const result = await agent.handle(request(name));
      assert.deepEqual(result, {
        error: {
          message:
            `unknown action "${name}": this agent has "count", "shout", "nothing", "fatal", ` +
            `"retryable", "plain", "thrown"; check the workflow node's action or the agent manifest`,
          retryable: false,
          code: 'UNKNOWN_ACTION',
        },
      });
    }
  });

  test('a request that is not an object with an action is refused', async () => {
    for (const bad of [null, [], 'count', { input: {} }]) {
      assert.deepEqual(await agent.handle(bad), {
        error: {
          message: 'the request is not a JSON object with an "action"',
          retryable: false,
          code: 'BAD_REQUEST',
        },
      });
    }
  });

  test('describe() lists descriptions and schemas', () => {
    const described = agent.describe();
    assert.deepEqual(described.shout, {
      description: 'Upper-cases a text',
      input: { type: 'object', required: ['text'] },
      output: { type: 'object' },
    });
    assert.deepEqual(described.count, {});
    assert.deepEqual(Object.keys(described), Object.keys(agent.actions));
  });
});
