import { V1 } from '../testing/api-harness.js';
import { badRequestBattery, type BadRequestCase } from '../testing/bad-request-battery.js';

/**
 * Bad credentials, missing roles, and another project’s objects. Runner and fixtures:
 * `testing/bad-request-battery.ts`.
 */

const cases: BadRequestCase[] = [
  // --- authentication ------------------------------------------------------------------------
  {
    name: 'missing token',
    method: 'GET',
    url: `${V1}/runs`,
    token: () => null,
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
  },
  {
    name: 'malformed Authorization header',
    method: 'GET',
    url: `${V1}/runs`,
    token: () => null,
    headers: { authorization: 'Basic dXNlcjpwYXNz' },
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
  },
  {
    name: 'unknown token',
    method: 'POST',
    url: `${V1}/runs`,
    token: () => 'cc_this-token-does-not-exist',
    body: { workflow: 'wf-ok', input: { x: 'a' } },
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
  },
  {
    name: 'expired token',
    method: 'POST',
    url: `${V1}/runs`,
    token: (f) => f.expired,
    body: { workflow: 'wf-ok', input: { x: 'a' } },
    status: 401,
    code: 'CC_E_TOKEN_EXPIRED',
  },
  {
    name: 'revoked token',
    method: 'GET',
    url: `${V1}/runs`,
    token: (f) => f.revoked,
    status: 401,
    code: 'CC_E_TOKEN_REVOKED',
  },
  {
    name: 'session login with an unknown token',
    method: 'POST',
    url: `${V1}/session`,
    token: () => null,
    body: { token: 'cc_nope' },
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
  },
  {
    name: 'login link with an unknown code',
    method: 'GET',
    url: '/login?code=ccl_not-a-code',
    token: () => null,
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
  },

  // --- authorization and isolation ----------------------------------------------------------
  {
    name: 'wrong-project token reading a run',
    method: 'GET',
    url: (f) => `${V1}/runs/${f.succeededRun}`,
    token: (f) => f.alphaAdmin,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'wrong-project token cancelling a run',
    method: 'POST',
    url: (f) => `${V1}/runs/${f.runningRun}/cancel`,
    token: (f) => f.alphaAdmin,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'wrong-project token triggering a run in another project',
    method: 'POST',
    url: `${V1}/runs?project=default`,
    token: (f) => f.alphaAdmin,
    body: { workflow: 'wf-ok', input: { x: 'a' } },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'viewer cannot trigger a run',
    method: 'POST',
    url: `${V1}/runs`,
    token: (f) => f.viewer,
    body: { workflow: 'wf-ok', input: { x: 'a' } },
    status: 403,
    code: 'CC_E_FORBIDDEN',
  },
  {
    name: 'operator cannot approve',
    method: 'POST',
    url: (f) => `${V1}/approvals/${f.decidedApproval}/approve`,
    token: (f) => f.operator,
    status: 403,
    code: 'CC_E_FORBIDDEN',
  },
  {
    name: 'approver cannot set secrets',
    method: 'PUT',
    url: `${V1}/secrets/SOME_KEY`,
    token: (f) => f.approver,
    body: { value: 'v' },
    status: 403,
    code: 'CC_E_FORBIDDEN',
  },
  {
    name: 'project admin cannot create projects',
    method: 'POST',
    url: `${V1}/projects`,
    token: (f) => f.projectAdmin,
    body: { name: 'zeta' },
    status: 403,
    code: 'CC_E_FORBIDDEN',
  },
  {
    name: 'project admin cannot create hub-wide tokens',
    method: 'POST',
    url: `${V1}/tokens`,
    token: (f) => f.projectAdmin,
    body: { name: 'everything', role: 'viewer', project: null },
    status: 403,
    code: 'CC_E_FORBIDDEN',
  },
  {
    name: 'operator cannot create a token with a role above its own',
    method: 'POST',
    url: `${V1}/tokens`,
    token: (f) => f.operator,
    body: { name: 'escalate', role: 'admin' },
    status: 403,
    code: 'CC_E_FORBIDDEN',
  },
  {
    name: 'project admin cannot create tokens for another project',
    method: 'POST',
    url: `${V1}/tokens`,
    token: (f) => f.projectAdmin,
    body: { name: 'x', role: 'viewer', project: 'alpha' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
];

badRequestBattery('authentication and authorization', cases, { atLeast: 17 });
