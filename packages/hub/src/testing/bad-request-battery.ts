import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  V1,
  assertProblem,
  node,
  openApiHarness,
  type ApiHarness,
  type ApiResponse,
} from './api-harness.js';
import { storeKinds } from './stores.js';

/**
 * The runner of the bad-request battery (`api/bad-requests-*.test.ts`). Each case must get the
 * exact status and catalogue code as problem+json, name the field at fault, say how to fix it —
 * and change nothing in the database (a dump of every table before and after is compared byte
 * for byte).
 */

/** The body limit of the battery's hub, small enough to exceed cheaply. */
export const BODY_LIMIT = 16 * 1024;

/** What the battery needs that exists before it starts. */
export interface Fixtures {
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

/** One bad request and the exact problem it must get. */
export interface BadRequestCase {
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

/** A workflow document with `nodes` and any other top-level fields. */
export const wfDoc = (name: string, nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  name,
  ...extra,
  nodes,
});
/** A pagination cursor made from a raw key (how the hub encodes them). */
export const cursorOf = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
export const asJson = { 'content-type': 'application/json' };
export const asYaml = { 'content-type': 'application/yaml' };

/** The lines that differ between two dumps (for a readable failure). */
function dumpDiff(a: string, b: string): string {
  const la = new Set(a.split('\n'));
  const lb = new Set(b.split('\n'));
  const gone = [...la].filter((l) => !lb.has(l)).map((l) => `- ${l}`);
  const added = [...lb].filter((l) => !la.has(l)).map((l) => `+ ${l}`);
  return [...gone, ...added].join('\n').slice(0, 4000);
}

/**
 * Makes what the cases refer to: project `alpha`, workflows (wf-ok, an archived one, a slow one,
 * one behind an approval), a succeeded run, a running run, a decided approval, and tokens of
 * every kind.
 */
async function makeFixtures(h: ApiHarness): Promise<Fixtures> {
  const f = {} as Fixtures;
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

  const status = await h.store.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [
    f.runningRun,
  ]);
  assert.equal(status.rows[0]?.status, 'running');
  return f;
}

/**
 * Registers, on every store kind, a suite that makes the fixtures on a fresh hub and runs each
 * case of `cases` as a test. `atLeast` guards the table against losing cases unnoticed: it is
 * the number of cases the topic has, and the topics together have well over the 45 the battery
 * must have.
 */
export function badRequestBattery(
  topic: string,
  cases: BadRequestCase[],
  opts: { atLeast: number },
): void {
  for (const kind of storeKinds()) {
    describe(`bad requests (${topic}) on ${kind}: exact problem, nothing changed`, () => {
      let h: ApiHarness;
      let f: Fixtures;

      before(async () => {
        // A long lease: the sleeping step of `runningRun` sends no heartbeats during the battery.
        h = await openApiHarness(kind, { bodyLimit: BODY_LIMIT, leaseMs: 3_600_000 });
        f = await makeFixtures(h);
      });
      after(async () => h?.close());

      test(`the ${topic} battery has at least ${opts.atLeast} cases (${cases.length})`, () => {
        assert.ok(cases.length >= opts.atLeast);
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
  }
}
