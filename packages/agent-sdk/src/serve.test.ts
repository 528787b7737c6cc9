import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { defineAgent, READY_LINE, type AgentIO, type AgentMode } from './index.js';

/** In-memory stdio that records what was written, in order. */
function memoryIO(input: PassThrough) {
  const events: string[] = [];
  const io: AgentIO = {
    input,
    writeStdout: async (text) => void events.push(`stdout ${text}`),
    writeStderr: (text) => void events.push(`stderr ${text}`),
    flushStderr: async () => void events.push('flush'),
  };
  const stdout = () => events.filter((e) => e.startsWith('stdout ')).map((e) => e.slice(7));
  return { io, events, stdout };
}

let setups = 0;
const agent = defineAgent({
  setup: () => {
    setups += 1;
  },
  actions: {
    echo: (input: unknown, ctx) => {
      ctx.log('echo', ctx.mode);
      return input;
    },
    big: () => 10n,
    fn: () => () => 1,
    // Logs "waiting", then resolves once the shared signal aborts, and says so.
    'until-abort': (_input: unknown, ctx) =>
      new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => resolve({ aborted: ctx.signal.aborted }));
        ctx.log('waiting');
      }),
  },
});

/** Waits, a bounded number of event-loop turns, until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail('the condition never held');
}

const line = (action: string, input: unknown = {}) =>
  JSON.stringify({ action, input, run: {}, step: {}, attempt: 1, idempotencyKey: 'k' }) + '\n';

async function serveLines(lines: string[], mode: AgentMode) {
  const input = new PassThrough();
  const memory = memoryIO(input);
  input.end(lines.join(''));
  await agent.serve(memory.io, mode);
  return memory;
}

describe('serve: persistent mode', () => {
  test('ready line, then one result line per request, in order, until stdin ends', async () => {
    const before = setups;
    const { stdout } = await serveLines(
      [line('echo', 1), '\n', 'not json\n', line('echo', { two: 2 }), line('nope')],
      'persistent',
    );
    assert.equal(setups, before + 1, 'setup runs once');
    assert.equal(stdout()[0], READY_LINE);
    const stdoutError = JSON.parse(stdout()[2]!).error.message;
    assert.match(stdoutError, /^the request line is not valid JSON \(.*not valid JSON\)$/);
    assert.deepEqual(
      stdout()
        .slice(1)
        .map((l) => JSON.parse(l)),
      [
        { output: 1 },
        {
          error: {
            message: stdoutError,
            retryable: false,
            code: 'BAD_REQUEST',
          },
        },
        { output: { two: 2 } },
        {
          error: {
            message:
              'unknown action "nope": this agent has "echo", "big", "fn", "until-abort"; ' +
              "check the workflow node's action or the agent manifest",
            retryable: false,
            code: 'UNKNOWN_ACTION',
          },
        },
      ],
    );
  });

  test('logs are flushed before each result line', async () => {
    const { events } = await serveLines([line('echo', 1)], 'persistent');
    assert.deepEqual(events, [
      `stdout ${READY_LINE}`,
      'stderr echo persistent\n',
      'flush',
      'stdout {"output":1}\n',
    ]);
  });

  test('an output JSON cannot carry is a non-retryable error', async () => {
    const { stdout } = await serveLines([line('big'), line('fn')], 'persistent');
    const [big, fn] = stdout()
      .slice(1)
      .map((l) => JSON.parse(l).error);
    assert.equal(big.code, 'OUTPUT_NOT_JSON');
    assert.equal(big.retryable, false);
    assert.match(
      big.message,
      /cannot be serialised to JSON \(Do not know how to serialize a BigInt\)/,
    );
    assert.match(fn.message, /\(a function is not JSON\)/);
  });

  test('an abort while idle ends serve; stdin need not end', async () => {
    const input = new PassThrough();
    const { io, stdout } = memoryIO(input);
    const controller = new AbortController();
    const served = agent.serve(io, 'persistent', controller.signal);
    input.write(line('echo', 'first'));
    // Once the first result is out, the agent is idle again.
    await until(() => stdout().length === 2);
    controller.abort();
    await served;
    assert.deepEqual(stdout(), [READY_LINE, '{"output":"first"}\n']);
  });

  test('an abort during a request reaches the handler; its result is still written', async () => {
    const input = new PassThrough();
    const { io, stdout, events } = memoryIO(input);
    const controller = new AbortController();
    const served = agent.serve(io, 'persistent', controller.signal);
    input.write(line('until-abort'));
    await until(() => events.includes('stderr waiting\n'));
    controller.abort();
    await served;
    assert.deepEqual(stdout().slice(1), ['{"output":{"aborted":true}}\n']);
  });
});

describe('serve: one-shot mode', () => {
  test('no ready line; only the first request is handled', async () => {
    const { stdout } = await serveLines([line('echo', 'a'), line('echo', 'b')], 'one-shot');
    assert.deepEqual(stdout(), ['{"output":"a"}\n']);
  });

  test('a request without a trailing newline is handled', async () => {
    const { stdout } = await serveLines([line('echo', 'a').trimEnd()], 'one-shot');
    assert.deepEqual(stdout(), ['{"output":"a"}\n']);
  });

  test('empty stdin is answered with an error', async () => {
    const { stdout } = await serveLines([], 'one-shot');
    assert.deepEqual(
      stdout().map((l) => JSON.parse(l)),
      [{ error: { message: 'no request on stdin', retryable: false, code: 'BAD_REQUEST' } }],
    );
  });
});
