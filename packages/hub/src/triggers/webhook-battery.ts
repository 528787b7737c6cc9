/**
 * Test support: the runner and fixtures of the webhook bad-request batteries
 * (`api/bad-requests-webhooks.test.ts`, `triggers/webhook-rotation-battery.test.ts`). Every
 * refused request gets the exact problem (status, code, path), starts no run and changes nothing —
 * except, when the webhook exists, one `rejected` entry in the history of each of its triggers
 * saying why.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  V1,
  assertProblem,
  node,
  openApiHarness,
  type ApiHarness,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';
import { signedWebhookHeaders } from './webhook-signature.js';

/** The body limit of the battery's hub, small enough to exceed cheaply. */
export const BODY_LIMIT = 16 * 1024;

/** What the cases refer to (made once per hub by `makeFixtures`). */
export interface Fixtures {
  /** The current secret of webhook `deploy`. */
  secret: string;
  /** The secret `deploy` had before a rotation with `previousValidFor: 0s`. */
  revoked: string;
  viewer: string;
  operator: string;
  admin: string;
  alphaOperator: string;
  alphaAdmin: string;
  /** Trigger ids, by workflow. */
  trigger: Record<string, string>;
}

/** One request of a case (built when the case runs, so timestamps are fresh). */
export interface WebhookRequest {
  url: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Default: none (webhooks do not use the hub's token auth). */
  token?: string | null;
}

/** One refused request and the exact problem it must get. */
export interface WebhookBadCase {
  name: string;
  request: (f: Fixtures) => WebhookRequest;
  status: number;
  code: string;
  paths?: string[];
  /** Matches the problem's `detail`. */
  detail?: RegExp;
  /** Workflows whose webhook trigger records the rejection; none: nothing may change at all. */
  recordedOn?: string[];
  /** Matches the recorded reason (default: the code). */
  reason?: RegExp;
}

const now = () => Date.now();

/** A body that satisfies the `hooked` workflow's inputs. */
export const good = JSON.stringify({ repo: 'commandcenter', n: 1 });

/** A delivery to `deploy` signed with `secret` (fresh timestamp), then altered by `edit`. */
export function signed(
  secret: string,
  body: string | Buffer = good,
  edit: (h: Record<string, string>) => void = () => {},
  atMs = now(),
): WebhookRequest {
  const headers = signedWebhookHeaders(secret, body, randomUUID(), atMs);
  edit(headers);
  return { url: '/hooks/default/deploy', body, headers };
}

/** Milliseconds since the epoch, `seconds` from now. */
export const at = (seconds: number) => now() + seconds * 1000;
/** Removes headers from a signed request. */
export const without =
  (...names: string[]) =>
  (h: Record<string, string>) => {
    for (const n of names) delete h[n];
  };

/** The dump without the tables a recorded rejection writes (its history and trigger state). */
export function withoutHistory(dump: string): string {
  return dump
    .split(/\n(?=## )/)
    .filter((s) => !/^## (trigger_history|triggers) /.test(s))
    .join('\n');
}

/**
 * Project `alpha`; workflows `hooked` (webhook `deploy`, with inputs), `tokened` (`ci`, auth
 * token), `unsecured` (`fresh`, no secret), `acted` (an action trigger), `dropped` (a webhook its
 * latest version no longer declares) and `archived` (`gone`); a rotated secret of `deploy`; tokens.
 */
async function makeFixtures(h: ApiHarness): Promise<Fixtures> {
  const must = async (method: string, url: string, body?: unknown) => {
    const r = await h.call(method, url, { body });
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${url}: ${r.text}`);
    return r;
  };
  const wf = (name: string, triggers: unknown[], extra: Record<string, unknown> = {}) =>
    must('POST', `${V1}/workflows`, { name, triggers, ...extra, nodes: [node('a', 'noop')] });
  await must('POST', `${V1}/projects`, { name: 'alpha' });
  await wf('hooked', [{ webhook: 'deploy' }], {
    inputs: {
      type: 'object',
      properties: { repo: { type: 'string' }, n: { type: 'integer' } },
      required: ['repo'],
      additionalProperties: false,
    },
  });
  await wf('tokened', [{ webhook: 'ci', auth: 'token' }]);
  await wf('unsecured', [{ webhook: 'fresh' }]);
  await wf('acted', [{ action: 'check' }]);
  await wf('dropped', [{ webhook: 'dropped' }]);
  await wf('archived', [{ webhook: 'gone' }]);
  const ids = await h.store.query<{ workflow: string; id: string }>(
    'SELECT workflow, id FROM triggers',
  );
  const trigger = Object.fromEntries(ids.rows.map((r) => [r.workflow, r.id]));
  await wf('dropped', [{ manual: {} }]);
  await must('DELETE', `${V1}/workflows/archived`);
  const first = await must('POST', `${V1}/triggers/${trigger.hooked}/webhook-secret`, {});
  const second = await must('POST', `${V1}/triggers/${trigger.hooked}/webhook-secret`, {
    previousValidFor: '0s',
  });
  return {
    secret: second.json.secret,
    revoked: first.json.secret,
    viewer: await h.token('viewer'),
    operator: await h.token('operator'),
    admin: await h.token('admin'),
    alphaOperator: await h.token('operator', 'alpha'),
    alphaAdmin: await h.token('admin', 'alpha'),
    trigger,
  };
}

/** What the extra tests of a battery file can reach. */
export interface BatteryContext {
  h: () => ApiHarness;
  f: () => Fixtures;
  /** Every trigger history entry, oldest first. */
  history: () => Promise<{ workflow: string; outcome: string; reason: string }[]>;
}

/**
 * Registers, on every store kind, a suite that makes the fixtures on a fresh hub and runs each
 * case: the exact problem, and either nothing changed at all or only the `rejected` history of
 * the listed workflows' triggers. `more` registers further tests on the same hub.
 */
export function webhookBattery(
  topic: string,
  cases: WebhookBadCase[],
  opts: { atLeast: number; more?: (ctx: BatteryContext) => void },
): void {
  for (const kind of storeKinds()) {
    describe(`bad requests (${topic}) on ${kind}: exact problem, no run, only the rejection recorded`, () => {
      let h: ApiHarness;
      let f: Fixtures;
      const history = async () =>
        (
          await h.store.query<{ workflow: string; outcome: string; reason: string }>(
            'SELECT workflow, outcome, reason FROM trigger_history ORDER BY id',
          )
        ).rows;

      before(async () => {
        h = await openApiHarness(kind, { bodyLimit: BODY_LIMIT });
        f = await makeFixtures(h);
      });
      after(() => h?.close());

      test(`the ${topic} battery has at least ${opts.atLeast} cases (${cases.length})`, () => {
        assert.ok(cases.length >= opts.atLeast);
        assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
      });

      for (const c of cases) {
        test(`${c.name} → ${c.status} ${c.code}`, async () => {
          const before = await h.dump();
          const seen = (await history()).length;
          const r = c.request(f);
          const res = await h.call('POST', r.url, {
            token: r.token === undefined ? null : r.token,
            ...(r.body !== undefined ? { body: r.body } : {}),
            headers: r.headers ?? {},
          });
          assertProblem(res, c.status, c.code, c.paths, c.name);
          if (c.detail) assert.match(res.json.detail, c.detail);
          const after = await h.dump();
          const added = (await history()).slice(seen);
          if (!c.recordedOn) {
            assert.ok(before === after, 'the database changed');
            return;
          }
          assert.ok(
            withoutHistory(before) === withoutHistory(after),
            'more than the history changed',
          );
          assert.deepEqual(
            added.map((e) => [e.workflow, e.outcome]),
            c.recordedOn.map((w) => [w, 'rejected']),
          );
          for (const e of added) assert.match(e.reason, c.reason ?? new RegExp(c.code));
        });
      }

      opts.more?.({ h: () => h, f: () => f, history });
    });
  }
}
