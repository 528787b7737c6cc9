import { V1 } from '../testing/api-harness.js';
import { badRequestBattery, type BadRequestCase } from '../testing/bad-request-battery.js';

/**
 * Requests that the state of an object forbids: decided approvals, finished or running runs.
 * Runner and fixtures: `testing/bad-request-battery.ts`.
 */

const cases: BadRequestCase[] = [
  {
    name: 'approving twice',
    method: 'POST',
    url: (f) => `${V1}/approvals/${f.decidedApproval}/approve`,
    token: (f) => f.approver,
    body: { comment: 'again' },
    status: 409,
    code: 'CC_E_APPROVAL_ALREADY_DECIDED',
  },
  {
    name: 'rejecting a decided approval',
    method: 'POST',
    url: (f) => `${V1}/approvals/${f.decidedApproval}/reject`,
    status: 409,
    code: 'CC_E_APPROVAL_ALREADY_DECIDED',
  },
  {
    name: 'cancelling a finished run',
    method: 'POST',
    url: (f) => `${V1}/runs/${f.succeededRun}/cancel`,
    body: {},
    status: 409,
    code: 'CC_E_RUN_NOT_CANCELLABLE',
  },
  {
    name: 're-running a running run',
    method: 'POST',
    url: (f) => `${V1}/runs/${f.runningRun}/rerun`,
    body: { from: 'scratch' },
    status: 409,
    code: 'CC_E_RUN_NOT_RERUNNABLE',
  },
  {
    name: 're-running a succeeded run from the failed step',
    method: 'POST',
    url: (f) => `${V1}/runs/${f.succeededRun}/rerun`,
    body: { from: 'failed' },
    status: 409,
    code: 'CC_E_RUN_NOT_RERUNNABLE',
  },
  {
    name: 're-run from a place that does not exist',
    method: 'POST',
    url: (f) => `${V1}/runs/${f.succeededRun}/rerun`,
    body: { from: 'middle' },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['from'],
  },
  {
    name: 'Idempotency-Key reused with another input',
    method: 'POST',
    url: `${V1}/runs`,
    headers: { 'idempotency-key': 'key-1' },
    body: { workflow: 'wf-ok', input: { x: 'other' } },
    status: 422,
    code: 'CC_E_IDEMPOTENCY_MISMATCH',
  },
  {
    name: 'creating an existing project',
    method: 'POST',
    url: `${V1}/projects`,
    body: { name: 'alpha' },
    status: 409,
    code: 'CC_E_CONFLICT',
  },
  {
    name: 'changing a registered agent version',
    method: 'POST',
    url: `${V1}/agents`,
    body: { name: 'test', version: '1.0.0', type: 'builtin', actions: { other: {} } },
    status: 409,
    code: 'CC_E_CONFLICT',
  },
];

badRequestBattery('state conflicts', cases, { atLeast: 9 });
