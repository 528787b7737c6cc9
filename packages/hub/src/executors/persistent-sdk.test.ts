/**
 * Agents written with @commandcenter/agent-sdk, run as real processes through the process
 * executor, one-shot and persistent. The SDK is TypeScript source, so the agents run under tsx
 * (`node --import tsx`): no build needed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateAgainstSchema, validateAgentManifest } from '@commandcenter/protocol';
import { parse as parseYaml } from 'yaml';
import { createProcessExecutor, type ProcessRuntime } from './process-executor.js';
import {
  assertGone,
  failure,
  output,
  pidOf,
  startedPid,
  testRequest,
} from './persistent-test-helpers.js';

const executor = createProcessExecutor();
after(() => executor.closeAll());

const repo = new URL('../../../../', import.meta.url);
const tsx = import.meta.resolve('tsx');
const sdkAgent = fileURLToPath(new URL('packages/agent-sdk/test-fixtures/sdk-agent.ts', repo));

function runtime(extra: Partial<ProcessRuntime> = {}): ProcessRuntime {
  return { command: [process.execPath, '--import', tsx, sdkAgent], ...extra };
}

const { input: _input, ...requestWithoutInput } = testRequest({});

for (const mode of ['one-shot', 'persistent'] as const) {
  describe(`agent SDK, ${mode}`, () => {
    const agent = runtime({ persistent: mode === 'persistent', agentId: `sdk-${mode}@1.0.0` });

    test('input, context and logs; console.log is a log line, not a result', async () => {
      const logs: string[] = [];
      const result = await call(agent, 'echo', { value: [1, 'two'] }, (line) => logs.push(line));
      const out = output<Record<string, unknown>>(result);
      assert.deepEqual(out, {
        pid: out.pid,
        mode,
        value: [1, 'two'],
        request: { ...requestWithoutInput, action: 'echo' },
      });
      assert.deepEqual(
        logs.filter((l) => !l.startsWith('[commandcenter]')),
        ['console.log goes to the log', `echo in mode ${mode}`],
      );
    });

    test('fatal() is a non-retryable agent error with its code', async () => {
      assert.deepEqual(failure(await call(agent, 'refuse')), {
        type: 'agent',
        code: 'CC_E_AGENT_ERROR',
        retryable: false,
        message: 'the repository is archived',
        details: {
          agentCode: 'ARCHIVED',
          ...(mode === 'one-shot' ? { exitCode: 0, signal: null } : {}),
        },
      });
    });

    test('an unexpected exception is retryable; an unknown action lists the actions', async () => {
      const bug = failure(await call(agent, 'bug'));
      assert.equal(bug.retryable, true);
      assert.equal(bug.message, 'index out of range');
      const unknown = failure(await call(agent, 'nope'));
      assert.equal(unknown.retryable, false);
      assert.match(unknown.message, /^unknown action "nope": this agent has "echo", "logs"/);
    });
  });
}

/** Runs one action of an SDK agent. */
function call(
  agent: ProcessRuntime,
  action: string,
  input: unknown = {},
  log: (line: string) => void = () => {},
) {
  return executor.execute(
    agent,
    { ...testRequest(input), action },
    {
      signal: new AbortController().signal,
      log,
    },
  );
}

describe('agent SDK, persistent specifics', () => {
  test('one process serves every step; logs stay with their attempt even when plentiful', async () => {
    const agent = runtime({ persistent: true, agentId: 'sdk-logs@1.0.0' });
    const pids = new Set<number>();
    for (const step of ['a', 'b', 'c']) {
      const logs: string[] = [];
      const result = await executor.execute(
        agent,
        { ...testRequest({ lines: 3_000 }, step), action: 'logs' },
        { signal: new AbortController().signal, log: (line) => logs.push(line) },
      );
      pids.add(pidOf(result));
      const own = logs.filter((l) => !l.startsWith('[commandcenter]'));
      assert.equal(own.length, 3_000);
      assert.ok(
        own.every((l) => l.endsWith(` of ${step}`)),
        `a log line of another step in ${step}`,
      );
    }
    assert.equal(pids.size, 1);
  });

  test('an abort reaches the handler through SIGTERM; the next step gets a new process', async () => {
    const agent = runtime({ persistent: true, agentId: 'sdk-abort@1.0.0' });
    const controller = new AbortController();
    const logs: string[] = [];
    const reason = {
      type: 'cancelled' as const,
      code: 'CC_E_STEP_CANCELLED',
      retryable: false,
      message: 'run cancelled by alice',
    };
    const result = await executor.execute(
      agent,
      { ...testRequest({}), action: 'wait-for-stop' },
      {
        signal: controller.signal,
        log: (line) => {
          logs.push(line);
          if (line.startsWith('waiting pid=')) controller.abort(reason);
        },
      },
    );
    assert.deepEqual(failure(result), reason);
    assert.ok(logs.includes('saw the abort'), JSON.stringify(logs));
    const pid = Number(logs.find((l) => l.startsWith('waiting pid='))!.split('=')[1]);
    assertGone(pid);
    assert.notEqual(pidOf(await call(agent, 'echo')), pid);
  });

  test('a failing set-up is a crash before the ready line that quotes it', async () => {
    const agent = runtime({ persistent: true, env: { FAIL_SETUP: '1' } });
    const logs: string[] = [];
    const error = failure(await call(agent, 'echo', {}, (line) => logs.push(line)));
    assert.equal(error.code, 'CC_E_AGENT_CRASH');
    assert.equal(
      error.message,
      'persistent agent process exited with code 1 before it printed {"ready":true}; ' +
        'last stderr line: agent set-up failed: cannot reach the model server',
    );
    assertGone(startedPid(logs)!);
  });
});

describe('examples/agents/word-stats (SDK example)', () => {
  const manifestFile = new URL('examples/agents/word-stats.yaml', repo);
  const manifest = parseYaml(readFileSync(manifestFile, 'utf8')) as {
    runtime: { command: string[]; persistent: boolean };
    actions: Record<string, { output: unknown }>;
  };

  test('the manifest is valid and persistent', () => {
    const checked = validateAgentManifest(manifest);
    assert.equal(checked.ok, true, JSON.stringify(checked));
    assert.equal(manifest.runtime.persistent, true);
  });

  test('count and top-words answer from one warm process, matching the output schemas', async () => {
    // As in the manifest (`node word-stats.mjs` in its folder), with the SDK from source.
    const agent: ProcessRuntime = {
      command: [process.execPath, '--conditions=source', '--import', tsx, 'word-stats.mjs'],
      cwd: fileURLToPath(new URL('examples/agents/', repo)),
      persistent: true,
      agentId: 'word-stats@1.0.0',
    };
    const text = 'the cat and the hat\nand the bat';
    const run = (action: string, input: unknown) =>
      executor.execute(
        agent,
        { ...testRequest(input), action },
        {
          signal: new AbortController().signal,
          log: () => {},
        },
      );
    const count = await run('count', { text });
    assert.deepEqual(output(count), { characters: 31, words: 8, lines: 2 });
    const top = await run('top-words', { text, limit: 2 });
    assert.deepEqual(output(top), {
      words: [
        { word: 'the', count: 3 },
        { word: 'and', count: 2 },
      ],
    });
    for (const [action, result] of [
      ['count', count],
      ['top-words', top],
    ] as const) {
      const problems = validateAgainstSchema(
        manifest.actions[action]!.output,
        output(result),
        'CC_E_OUTPUT_INVALID',
        'output',
      );
      assert.deepEqual(problems, []);
    }
    const refused = failure(await run('top-words', { text, limit: 0 }));
    assert.equal(refused.retryable, false);
    assert.equal(refused.message, 'limit must be a positive integer');
  });
});
