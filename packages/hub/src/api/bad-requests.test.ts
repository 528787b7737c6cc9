import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertProblem,
  openApiHarness,
  type ApiHarness,
  type ApiResponse,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

/**
 * A battery of bad requests. Each one must get the exact status and catalogue code as
 * problem+json, name the field at fault, say how to fix it — and change nothing in the database
 * (a dump of every table before and after is compared byte for byte).
 */

const V1 = '/api/v1';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const BODY_LIMIT = 16 * 1024;

/** What the battery needs that exists before it starts. */
interface Fixtures {
  viewer: string;
  operator: string;
  approver: string;
  /** Admin of project `default` only. */
  projectAdmin: string;
  /** Admin of project `alpha`. */
  alphaAdmin: string;
  expired: string;
  revoked: string;
  /** A succeeded run of wf-ok (created with Idempotency-Key `key-1`). */
  succeededRun: string;
  /** A run whose step is executing (sleeping). */
  runningRun: string;
  /** An approval that was approved. */
  decidedApproval: string;
}

interface Case {
  name: string;
  method: string;
  url: string | ((f: Fixtures) => string);
  /** Default: the hub-wide admin; null: no Authorization header. */
  token?: (f: Fixtures) => string | null;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** errors[].path values that must be present. */
  paths?: string[];
  check?: (res: ApiResponse) => void;
}

const wfDoc = (name: string, nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  name,
  ...extra,
  nodes,
});
const node = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'test',
  action,
  ...extra,
});
const cursorOf = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const json = { 'content-type': 'application/json' };
const yaml = { 'content-type': 'application/yaml' };

const cases: Case[] = [
  // --- bodies ------------------------------------------------------------------------------
  {
    name: 'malformed JSON',
    method: 'POST',
    url: `${V1}/projects`,
    body: '{"name": "x",',
    headers: json,
    status: 400,
    code: 'CC_E_PARSE',
    paths: [''],
  },
  {
    name: 'empty JSON body',
    method: 'POST',
    url: `${V1}/runs`,
    body: '',
    headers: json,
    status: 400,
    code: 'CC_E_PARSE',
    paths: [''],
  },
  {
    name: 'a JSON array where an object is expected',
    method: 'POST',
    url: `${V1}/projects`,
    body: '[]',
    headers: json,
    status: 422,
    code: 'CC_E_SCHEMA_WRONG_TYPE',
    paths: [''],
  },
  {
    name: 'wrong type: project name is a number',
    method: 'POST',
    url: `${V1}/projects`,
    body: { name: 5 },
    status: 422,
    code: 'CC_E_SCHEMA_WRONG_TYPE',
    paths: ['name'],
  },
  {
    name: 'wrong type: run version is a string',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-ok', input: { x: 'a' }, version: '1' },
    status: 422,
    code: 'CC_E_SCHEMA_WRONG_TYPE',
    paths: ['version'],
  },
  {
    name: 'unknown top-level field',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-ok', input: { x: 'a' }, priority: 'high' },
    status: 422,
    code: 'CC_E_SCHEMA_UNKNOWN_FIELD',
    paths: ['priority'],
  },
  {
    name: 'unknown field in an empty body schema (cancel)',
    method: 'POST',
    url: (f) => `${V1}/runs/${f.runningRun}/cancel`,
    body: { force: true },
    status: 422,
    code: 'CC_E_SCHEMA_UNKNOWN_FIELD',
    paths: ['force'],
  },
  {
    name: 'unknown nested field in an agent manifest',
    method: 'POST',
    url: `${V1}/agents`,
    body: {
      name: 'nested',
      version: '1.0.0',
      type: 'builtin',
      actions: { go: { inputs: {} } },
    },
    status: 422,
    code: 'CC_E_AGENT_INVALID',
    paths: ['actions.go.inputs'],
  },
  {
    name: 'unknown nested field in a workflow node',
    method: 'POST',
    url: `${V1}/workflows`,
    body: wfDoc('nested', [node('a', 'echo', { retries: 3 })]),
    status: 422,
    code: 'CC_E_WORKFLOW_INVALID',
    paths: ['nodes[0].retries'],
  },
  {
    name: 'missing required field: run workflow',
    method: 'POST',
    url: `${V1}/runs`,
    body: { input: {} },
    status: 422,
    code: 'CC_E_SCHEMA_MISSING_FIELD',
    paths: ['workflow'],
  },
  {
    name: 'missing required fields: token name and role',
    method: 'POST',
    url: `${V1}/tokens`,
    body: {},
    status: 422,
    code: 'CC_E_SCHEMA_MISSING_FIELD',
    paths: ['name', 'role'],
  },
  {
    name: 'missing required field: secret value',
    method: 'PUT',
    url: `${V1}/secrets/SOME_KEY`,
    body: {},
    status: 422,
    code: 'CC_E_SCHEMA_MISSING_FIELD',
    paths: ['value'],
  },
  {
    name: 'workflow document without a body',
    method: 'POST',
    url: `${V1}/workflows`,
    status: 400,
    code: 'CC_E_PARSE',
    paths: [''],
  },
  {
    name: 'JSON body over the body limit',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-ok', input: { x: 'y'.repeat(BODY_LIMIT) } },
    status: 413,
    code: 'CC_E_PAYLOAD_TOO_LARGE',
  },
  {
    name: 'YAML document over the body limit',
    method: 'POST',
    url: `${V1}/workflows`,
    body: `name: big\ndescription: ${'z'.repeat(BODY_LIMIT)}\nnodes: []\n`,
    headers: yaml,
    status: 413,
    code: 'CC_E_PAYLOAD_TOO_LARGE',
  },
  {
    name: 'unsupported content type: text/plain',
    method: 'POST',
    url: `${V1}/runs`,
    body: 'workflow=wf-ok',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'CC_E_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'unsupported content type: form encoding',
    method: 'POST',
    url: `${V1}/projects`,
    body: 'name=zeta',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'CC_E_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'YAML to a route that only takes JSON',
    method: 'POST',
    url: `${V1}/projects`,
    body: 'name: zeta\n',
    headers: yaml,
    status: 415,
    code: 'CC_E_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'Idempotency-Key header too long',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-ok', input: { x: 'a' } },
    headers: { 'idempotency-key': 'k'.repeat(201) },
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['headers["idempotency-key"]'],
  },

  // --- ids, names and query strings -------------------------------------------------------
  {
    name: 'run id that is not a UUID',
    method: 'GET',
    url: `${V1}/runs/not-a-uuid`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['params.id'],
  },
  {
    name: 'approval id that is not a UUID',
    method: 'POST',
    url: `${V1}/approvals/12345/approve`,
    body: {},
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['params.id'],
  },
  {
    name: 'token id that is not a UUID',
    method: 'DELETE',
    url: `${V1}/tokens/abc`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['params.id'],
  },
  {
    name: 'workflow version that is not a number',
    method: 'GET',
    url: `${V1}/workflows/wf-ok/versions/latest`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['params.version'],
  },
  {
    name: 'unknown run id',
    method: 'GET',
    url: `${V1}/runs/${MISSING_ID}`,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'cancelling an unknown run',
    method: 'POST',
    url: `${V1}/runs/${MISSING_ID}/cancel`,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'unknown approval id',
    method: 'POST',
    url: `${V1}/approvals/${MISSING_ID}/reject`,
    body: { comment: 'no' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'revoking an unknown token',
    method: 'DELETE',
    url: `${V1}/tokens/${MISSING_ID}`,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'unknown workflow version',
    method: 'GET',
    url: `${V1}/workflows/wf-ok/versions/99`,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'archiving an unknown workflow',
    method: 'DELETE',
    url: `${V1}/workflows/no-such-workflow`,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'unknown agent',
    method: 'GET',
    url: `${V1}/agents/no-such-agent`,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'a cursor that is not one',
    method: 'GET',
    url: `${V1}/runs?cursor=garbage`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.cursor'],
  },
  {
    name: 'a forged runs cursor with an invalid UUID',
    method: 'GET',
    url: `${V1}/runs?cursor=${cursorOf(`2024-01-01T00:00:00.000000Z|${'-'.repeat(36)}`)}`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.cursor'],
  },
  {
    name: 'a forged runs cursor with an impossible time',
    method: 'GET',
    url: `${V1}/runs?cursor=${cursorOf(`2024-02-31T25:61:00.000000Z|${MISSING_ID}`)}`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.cursor'],
  },
  {
    name: 'a bad audit cursor',
    method: 'GET',
    url: `${V1}/audit?cursor=${cursorOf('-1')}`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.cursor'],
  },
  {
    name: 'a bad logs cursor',
    method: 'GET',
    url: (f) => `${V1}/runs/${f.succeededRun}/logs?cursor=${cursorOf('1e3')}`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.cursor'],
  },
  {
    name: 'limit=0',
    method: 'GET',
    url: `${V1}/runs?limit=0`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.limit'],
  },
  {
    name: 'limit=10000',
    method: 'GET',
    url: `${V1}/audit?limit=10000`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.limit'],
  },
  {
    name: 'limit that is not a number',
    method: 'GET',
    url: (f) => `${V1}/runs/${f.succeededRun}/logs?limit=ten`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.limit'],
  },
  {
    name: 'run status not in the enum',
    method: 'GET',
    url: `${V1}/runs?status=done`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.status'],
  },
  {
    name: 'approval status not in the enum',
    method: 'GET',
    url: `${V1}/approvals?status=open`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.status'],
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    url: `${V1}/runs?sort=asc`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.sort'],
  },
  {
    name: 'diff without `to`',
    method: 'GET',
    url: `${V1}/workflows/wf-ok/diff?from=1`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.to'],
  },
  {
    name: 'an invalid project name in the query',
    method: 'GET',
    url: `${V1}/workflows?project=Not_A_Project`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.project'],
  },
  {
    name: 'events: a run filter that is not a UUID',
    method: 'GET',
    url: `${V1}/events?run=xyz`,
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['query.run'],
  },
  {
    name: 'events: a Last-Event-ID that is not one',
    method: 'GET',
    url: `${V1}/events`,
    headers: { 'last-event-id': 'yesterday' },
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['Last-Event-ID'],
  },

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

  // --- state conflicts ---------------------------------------------------------------------
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

  // --- documents and inputs -------------------------------------------------------------------
  {
    name: 'workflow with a dependency cycle',
    method: 'POST',
    url: `${V1}/workflows`,
    body: wfDoc('cyclic', [
      node('a', 'echo', { dependsOn: ['c'] }),
      node('b', 'echo', { dependsOn: ['a'] }),
      node('c', 'echo', { dependsOn: ['b'] }),
    ]),
    status: 422,
    code: 'CC_E_WORKFLOW_INVALID',
    check: (res) =>
      assert.ok(
        res.json.errors.some(
          (e: { code: string; path: string }) =>
            e.code === 'CC_E_WORKFLOW_CYCLE' && /^nodes\[\d\]\.dependsOn\[0\]$/.test(e.path),
        ),
        res.text,
      ),
  },
  {
    name: 'workflow with an unknown agent',
    method: 'POST',
    url: `${V1}/workflows`,
    body: wfDoc('lost', [{ id: 'a', agent: 'nobody', action: 'go' }]),
    status: 422,
    code: 'CC_E_WORKFLOW_INVALID',
    paths: ['nodes[0].agent'],
    check: (res) => assert.equal(res.json.errors[0].code, 'CC_E_WORKFLOW_UNKNOWN_AGENT'),
  },
  {
    name: 'workflow in bad YAML (line and column)',
    method: 'POST',
    url: `${V1}/workflows`,
    body: 'name: broken\nnodes:\n  - id: a\n    agent: test\n   action: echo\n',
    headers: yaml,
    status: 400,
    code: 'CC_E_PARSE',
    check: (res) => {
      const e = res.json.errors[0];
      assert.equal(typeof e.line, 'number', res.text);
      assert.equal(typeof e.column, 'number', res.text);
      assert.ok(e.line >= 4 && e.line <= 5, res.text);
    },
  },
  {
    name: 'validate: an invalid workflow (saves nothing)',
    method: 'POST',
    url: `${V1}/workflows/validate`,
    body: wfDoc('invalid', [node('a', 'echo', { dependsOn: ['ghost'] })]),
    status: 422,
    code: 'CC_E_WORKFLOW_INVALID',
    paths: ['nodes[0].dependsOn[0]'],
  },
  {
    name: 'workflow with an invalid name',
    method: 'POST',
    url: `${V1}/workflows`,
    body: wfDoc('Not A Name', [node('a', 'echo')]),
    status: 422,
    code: 'CC_E_WORKFLOW_INVALID',
    paths: ['name'],
  },
  {
    name: 'invalid agent manifest',
    method: 'POST',
    url: `${V1}/agents`,
    body: 'name: scanner\nversion: one\ntype: robot\nactions: {}\n',
    headers: yaml,
    status: 422,
    code: 'CC_E_AGENT_INVALID',
    paths: ['version', 'type'],
  },
  {
    name: 'run input that does not match the workflow inputs',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-ok', input: { x: 42 } },
    status: 422,
    code: 'CC_E_INPUT_INVALID',
    paths: ['input.x'],
  },
  {
    name: 'run input missing a required field',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-ok', input: {} },
    status: 422,
    code: 'CC_E_INPUT_INVALID',
    paths: ['input.x'],
  },
  {
    name: 'run of an unknown workflow',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'no-such-workflow' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'run of an archived workflow',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-archived' },
    status: 409,
    code: 'CC_E_WORKFLOW_ARCHIVED',
  },
  {
    name: 'run of a pinned version of an archived workflow',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-archived', version: 1 },
    status: 409,
    code: 'CC_E_WORKFLOW_ARCHIVED',
  },
  {
    name: 'run of a workflow version that does not exist',
    method: 'POST',
    url: `${V1}/runs`,
    body: { workflow: 'wf-ok', version: 7, input: { x: 'a' } },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'agent test of an action the agent does not have',
    method: 'POST',
    url: `${V1}/agents/test/test`,
    body: { action: 'teleport' },
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['action'],
  },
  {
    name: 'invalid project name',
    method: 'POST',
    url: `${V1}/projects`,
    body: { name: 'Has Spaces' },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['name'],
  },
  {
    name: 'project name that is too long',
    method: 'POST',
    url: `${V1}/projects`,
    body: { name: 'p'.repeat(64) },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['name'],
  },
  {
    name: 'secret name that starts with a digit',
    method: 'PUT',
    url: `${V1}/secrets/1PASSWORD`,
    body: { value: 'v' },
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['params.name'],
  },
  {
    name: 'secret name with a dash',
    method: 'POST',
    url: `${V1}/secrets/api-key/rotate`,
    body: { value: 'v' },
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['params.name'],
  },
  {
    name: 'secret with an empty value',
    method: 'PUT',
    url: `${V1}/secrets/EMPTY`,
    body: { value: '' },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['value'],
  },
  {
    name: 'rotating a secret that does not exist',
    method: 'POST',
    url: `${V1}/secrets/NOT_SET/rotate`,
    body: { value: 'v' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'secret in a project that does not exist',
    method: 'PUT',
    url: `${V1}/secrets/SOME_KEY?project=nosuch`,
    body: { value: 'v' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'token with a role that does not exist',
    method: 'POST',
    url: `${V1}/tokens`,
    body: { name: 'x', role: 'superuser' },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['role'],
  },
  {
    name: 'token with an expiresIn that is not a duration',
    method: 'POST',
    url: `${V1}/tokens`,
    body: { name: 'x', role: 'viewer', expiresIn: 'next week' },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['expiresIn'],
  },
  {
    name: 'token with a zero expiresIn',
    method: 'POST',
    url: `${V1}/tokens`,
    body: { name: 'x', role: 'viewer', expiresIn: '0s' },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['expiresIn'],
  },
  {
    name: 'token with an expiresIn beyond any date',
    method: 'POST',
    url: `${V1}/tokens`,
    body: { name: 'x', role: 'viewer', expiresIn: '100000000d' },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['expiresIn'],
  },
  {
    name: 'token for a project that does not exist',
    method: 'POST',
    url: `${V1}/tokens`,
    body: { name: 'x', role: 'viewer', project: 'nosuch' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'approval comment that is too long',
    method: 'POST',
    url: (f) => `${V1}/approvals/${f.decidedApproval}/approve`,
    body: { comment: 'c'.repeat(4001) },
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['comment'],
  },

  // --- routing -----------------------------------------------------------------------------------
  {
    name: 'unknown route',
    method: 'GET',
    url: `${V1}/pipelines`,
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'wrong method on a known path',
    method: 'PATCH',
    url: (f) => `${V1}/runs/${f.succeededRun}`,
    body: { status: 'failed' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
    check: (res) => assert.match(res.json.detail, /no route PATCH/),
  },
  {
    name: 'PUT on a collection',
    method: 'PUT',
    url: `${V1}/projects`,
    body: { name: 'zeta' },
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
];

/** The lines that differ between two dumps (for a readable failure). */
function dumpDiff(a: string, b: string): string {
  const la = new Set(a.split('\n'));
  const lb = new Set(b.split('\n'));
  const gone = [...la].filter((l) => !lb.has(l)).map((l) => `- ${l}`);
  const added = [...lb].filter((l) => !la.has(l)).map((l) => `+ ${l}`);
  return [...gone, ...added].join('\n').slice(0, 4000);
}

for (const kind of storeKinds()) {
  describe(`bad requests on ${kind}: exact problem, nothing changed`, () => {
    let h: ApiHarness;
    const f = {} as Fixtures;

    before(async () => {
      // A long lease: the sleeping step of `runningRun` sends no heartbeats during the battery.
      h = await openApiHarness(kind, { bodyLimit: BODY_LIMIT, leaseMs: 3_600_000 });
      const must = async (res: Promise<ApiResponse>, status: number) => {
        const r = await res;
        assert.equal(r.status, status, r.text);
        return r;
      };
      await must(h.call('POST', `${V1}/projects`, { body: { name: 'alpha' } }), 201);
      await must(
        h.call('POST', `${V1}/workflows`, {
          body: wfDoc('wf-ok', [node('a', 'echo', { inputs: { x: '{{ input.x }}' } })], {
            inputs: { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] },
          }),
        }),
        201,
      );
      await must(
        h.call('POST', `${V1}/workflows`, { body: wfDoc('wf-archived', [node('a', 'noop')]) }),
        201,
      );
      await must(h.call('DELETE', `${V1}/workflows/wf-archived`), 200);
      await must(
        h.call('POST', `${V1}/workflows`, {
          body: wfDoc('wf-slow', [node('a', 'sleep', { inputs: { ms: 3_600_000 } })]),
        }),
        201,
      );
      await must(
        h.call('POST', `${V1}/workflows`, { body: wfDoc('wf-gate', [node('a', 'deploy')]) }),
        201,
      );

      const ok = await must(
        h.call('POST', `${V1}/runs`, {
          body: { workflow: 'wf-ok', input: { x: 'a' } },
          headers: { 'idempotency-key': 'key-1' },
        }),
        202,
      );
      f.succeededRun = ok.json.id;
      assert.equal(await h.waitForRun(f.succeededRun), 'succeeded');

      const slow = await must(h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-slow' } }), 202);
      f.runningRun = slow.json.id;
      await h.waitForEvent((e) => e.type === 'workflow.step.started' && e.runId === f.runningRun);

      const gate = await must(h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-gate' } }), 202);
      await h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === gate.json.id);
      const pending = await h.call('GET', `${V1}/approvals`);
      f.decidedApproval = pending.json.items[0].id;
      await must(h.call('POST', `${V1}/approvals/${f.decidedApproval}/approve`), 200);
      assert.equal(await h.waitForRun(gate.json.id), 'succeeded');

      f.viewer = await h.token('viewer');
      f.operator = await h.token('operator');
      f.approver = await h.token('approver');
      f.projectAdmin = await h.token('admin', 'default');
      f.alphaAdmin = await h.token('admin', 'alpha');
      f.expired = await h.token('admin', 'default', { expiresAt: new Date(Date.now() - 60_000) });
      const revoked = await h.services.tokens.create({
        name: 'revoked',
        role: 'admin',
        project: null,
      });
      await h.services.tokens.revoke(revoked.id);
      f.revoked = revoked.token;

      const status = await h.store.query<{ status: string }>(
        'SELECT status FROM runs WHERE id = $1',
        [f.runningRun],
      );
      assert.equal(status.rows[0]?.status, 'running');
    });
    after(async () => h?.close());

    test(`the battery has at least 45 cases (${cases.length})`, () => {
      assert.ok(cases.length >= 45);
      assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
    });

    for (const c of cases) {
      test(`${c.method} ${typeof c.url === 'string' ? c.url.slice(0, 60) : '…'}: ${c.name} → ${c.status} ${c.code}`, async () => {
        const before = await h.dump();
        const url = typeof c.url === 'function' ? c.url(f) : c.url;
        const res = await h.call(c.method, url, {
          token: c.token ? c.token(f) : undefined,
          body: c.body,
          headers: c.headers,
        });
        assertProblem(res, c.status, c.code, c.paths, c.name);
        c.check?.(res);
        const after = await h.dump();
        assert.ok(before === after, `the database changed:\n${dumpDiff(before, after)}`);
      });
    }
  });

  describe(`rate limiting on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(kind, { rateLimit: 5 });
    });
    after(async () => h?.close());

    test('the 6th request of a token within a minute gets 429 CC_E_RATE_LIMITED with Retry-After; nothing changes', async () => {
      const viewer = await h.token('viewer');
      for (let i = 0; i < 5; i++) {
        const r = await h.call('GET', `${V1}/runs`, { token: viewer });
        assert.equal(r.status, 200, r.text);
      }
      const before = await h.dump();
      const limited = await h.call('POST', `${V1}/runs`, {
        token: viewer,
        body: { workflow: 'whatever' },
      });
      assertProblem(limited, 429, 'CC_E_RATE_LIMITED');
      const retry = Number(limited.headers['retry-after']);
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `retry-after ${retry}`);
      assert.equal(await h.dump(), before);
      // The limit is per token: another token is not limited; public routes never are.
      const other = await h.token('viewer');
      assert.equal((await h.call('GET', `${V1}/runs`, { token: other })).status, 200);
      for (let i = 0; i < 7; i++) {
        assert.equal((await h.call('GET', '/healthz', { token: null })).status, 200);
      }
    });
  });
}
