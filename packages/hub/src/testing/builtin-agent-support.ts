/** Helpers the built-in agents' tests share. */
import assert from 'node:assert/strict';
import { validateAgainstSchema } from '@commandcenter/protocol';
import { StepFailure } from '../executors/builtin.js';

/** Asserts that `output` conforms to the output schema of `action` in `manifest`. */
export function assertConformsToOutput(
  manifest: { actions: Record<string, { output?: unknown }> },
  action: string,
  output: unknown,
): void {
  const problems = validateAgainstSchema(
    manifest.actions[action]?.output,
    output,
    'CC_E_OUTPUT_INVALID',
    'output',
  );
  assert.deepEqual(
    problems,
    [],
    `output of ${action} breaks its schema: ${JSON.stringify(output)}`,
  );
}

/** Awaits a promise that must reject with a `StepFailure`, and returns the failure. */
export async function failureOf(promise: unknown): Promise<StepFailure> {
  try {
    const value: unknown = await promise;
    assert.fail(`expected a StepFailure, got ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.ok(err instanceof StepFailure, `expected a StepFailure, got ${String(err)}`);
    return err;
  }
}
