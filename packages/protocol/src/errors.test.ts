import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CCError, errorCatalogue, errorCodes, isCCError, isErrorCode, problem } from './errors.js';

describe('errorCatalogue', () => {
  it('gives every code a status, a title and a concrete fix', () => {
    for (const code of errorCodes) {
      const entry = errorCatalogue[code];
      assert.match(code, /^CC_[EW]_[A-Z_]+$/);
      assert.ok(entry.status >= 200 && entry.status < 600, code);
      assert.ok(entry.title.length > 5, code);
      assert.ok(entry.fix.length > 30, `${code} fix is too vague`);
      if (code.startsWith('CC_W_')) assert.equal(entry.status, 200, code);
    }
  });

  it('contains the codes the engine relies on', () => {
    for (const code of [
      'CC_E_NOT_FOUND',
      'CC_E_CONFLICT',
      'CC_E_RUN_NOT_CANCELLABLE',
      'CC_E_RUN_NOT_RERUNNABLE',
      'CC_E_APPROVAL_ALREADY_DECIDED',
      'CC_E_IDEMPOTENCY_MISMATCH',
      'CC_E_INPUT_INVALID',
      'CC_E_STEP_TIMEOUT',
      'CC_E_RUN_TIMEOUT',
      'CC_E_STEP_CANCELLED',
      'CC_E_LEASE_LOST',
      'CC_E_AGENT_ERROR',
      'CC_E_AGENT_CRASH',
      'CC_E_AGENT_PROTOCOL',
      'CC_E_AGENT_OUTPUT_TOO_LARGE',
      'CC_E_APPROVAL_REJECTED',
      'CC_E_APPROVAL_EXPIRED',
      'CC_E_OUTPUT_INVALID',
      'CC_E_STORE_LOCKED',
      'CC_E_TEMPLATE_MISSING_REF',
      'CC_E_TEMPLATE_EVAL',
    ]) {
      assert.ok(isErrorCode(code), code);
    }
    assert.equal(isErrorCode('CC_E_NOPE'), false);
  });
});

describe('CCError', () => {
  it('renders an RFC 9457 problem body', () => {
    const problems = [
      problem('CC_E_WORKFLOW_CYCLE', 'nodes[0].dependsOn[0]', 'Dependency cycle: a → b → a.'),
      problem('CC_E_WORKFLOW_NAME', 'name', 'name "X" is not a valid workflow name.'),
    ];
    const error = new CCError('CC_E_WORKFLOW_INVALID', { problems });
    assert.equal(error.status, 422);
    assert.equal(
      error.message,
      'The workflow definition is invalid: Dependency cycle: a → b → a. (and 1 more)',
    );
    assert.deepEqual(error.toProblemJSON('/api/v1/workflows'), {
      type: 'https://commandcenter.dev/errors/CC_E_WORKFLOW_INVALID',
      title: 'The workflow definition is invalid',
      status: 422,
      code: 'CC_E_WORKFLOW_INVALID',
      detail: error.message,
      instance: '/api/v1/workflows',
      errors: problems,
    });
    assert.equal(problems[0]!.fix, errorCatalogue.CC_E_WORKFLOW_CYCLE.fix);
  });

  it('keeps an explicit detail and the cause', () => {
    const cause = new Error('disk');
    const error = new CCError('CC_E_STORE_LOCKED', { detail: 'locked by pid 42', cause });
    assert.equal(error.message, 'locked by pid 42');
    assert.equal(error.cause, cause);
    assert.deepEqual(error.toProblemJSON().errors, []);
    assert.equal(isCCError(error), true);
    assert.equal(isCCError(new Error('x')), false);
  });
});
