/**
 * Test support for the notifier's tests: the context an attempt gets (signal, collected log
 * lines, allowlist, request) and checks that outputs match the manifest and failures are the
 * `StepFailure`s users see. Nothing in the hub imports it.
 */
import assert from 'node:assert/strict';
import type { ExecutionRequest } from '@commandcenter/protocol';
import type { BuiltinContext } from '../../executors/builtin.js';
import { assertConformsToOutput } from '../../testing/builtin-agent-support.js';
import { manifest, type NotifierAction } from './manifest.js';

/** A context plus what the action logged and the controller of its signal. */
export interface TestContext extends BuiltinContext {
  logs: string[];
  controller: AbortController;
}

/** The request of every test attempt. */
export function testRequest(action: string, input: unknown): ExecutionRequest {
  return {
    action,
    input,
    run: { id: 'run-0193', project: 'shop', workflow: 'deploy', version: 4 },
    step: { id: 'step-1', key: 'notify' },
    attempt: 1,
    idempotencyKey: 'run-0193:notify',
  };
}

/** A context for one attempt; `allowHosts` defaults to the local test servers' address. */
export function testContext(
  action: string,
  input: unknown,
  allowHosts: readonly string[] = ['127.0.0.1'],
): TestContext {
  const logs: string[] = [];
  const controller = new AbortController();
  return {
    logs,
    controller,
    signal: controller.signal,
    log: (line) => logs.push(line),
    allowHosts,
    request: testRequest(action, input),
  };
}

/** Asserts that `output` conforms to the action's output schema in the manifest. */
export function assertOutput(action: NotifierAction, output: unknown): void {
  assertConformsToOutput(manifest, action, output);
}

/** Asserts that no log line, message or detail contains `secret`. */
export function assertNotLeaked(secret: string, ...texts: unknown[]): void {
  for (const t of texts) {
    const s = typeof t === 'string' ? t : (JSON.stringify(t) ?? '');
    assert.ok(!s.includes(secret), `leaked ${secret} in: ${s}`);
  }
}

export { failureOf } from '../../testing/builtin-agent-support.js';
