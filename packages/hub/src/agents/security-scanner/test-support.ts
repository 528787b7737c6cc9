/** Helpers shared by the tests of the scanner and compliance agents (not used at run time). */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StepFailure, type BuiltinContext } from '../../executors/builtin.js';

/** A builtin context for one attempt of `action`, with a live signal unless one is given. */
export function testContext(
  action: string,
  signal: AbortSignal = new AbortController().signal,
): BuiltinContext {
  return {
    signal,
    log: () => {},
    request: {
      action,
      input: {},
      run: { id: 'run-1', project: 'default', workflow: 'wf', version: 1 },
      step: { id: 'step-1', key: action },
      attempt: 1,
      idempotencyKey: `run-1:${action}`,
    },
  };
}

/** Writes `content` at `path` under `dir`, creating directories. */
export async function writeTreeFile(
  dir: string,
  path: string,
  content: string | Buffer,
): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), content);
}

/** Asserts that `promise` rejects with a non-retryable StepFailure whose message matches. */
export async function assertStepFailure(
  promise: Promise<unknown>,
  pattern: RegExp,
): Promise<StepFailure> {
  let failure: StepFailure | undefined;
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof StepFailure, String(err));
    assert.equal(err.retryable, false);
    assert.match(err.message, pattern);
    failure = err;
    return true;
  });
  return failure!;
}
