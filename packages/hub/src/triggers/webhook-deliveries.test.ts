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

/** Deliveries that are accepted: one run each, resent ones none; shared webhooks; rotation. */

const wf = (name: string, triggers: unknown[], extra: Record<string, unknown> = {}) => ({
  name,
  triggers,
  ...extra,
  nodes: [node('a', 'echo', { inputs: { got: '{{ input }}' } })],
});

for (const kind of storeKinds()) {
  describe(`webhook deliveries (${kind})`, () => {
    let h: ApiHarness;

    before(async () => {
      h = await openApiHarness(kind);
    });
    after(() => h?.close());

    const apply = async (doc: unknown) => {
      const r = await h.call('POST', `${V1}/workflows`, { body: doc });
      assert.ok(r.status === 201 || r.status === 200, r.text);
    };
    const triggerId = async (workflow: string) => {
      const r = await h.store.query<{ id: string }>(
        `SELECT id FROM triggers WHERE workflow = $1 AND kind = 'webhook' AND active`,
        [workflow],
      );
      return r.rows[0]!.id;
    };
    const rotate = async (workflow: string, body: unknown = {}) => {
      const r = await h.call('POST', `${V1}/triggers/${await triggerId(workflow)}/webhook-secret`, {
        body,
      });
      assert.equal(r.status, 200, r.text);
      return r.json as { secret: string; previousExpiresAt: string | null; url: string };
    };
    const runsOf = async (workflow: string) =>
      (
        await h.store.query<{ id: string; input: unknown; trigger: Record<string, unknown> }>(
          'SELECT id, input, trigger FROM runs WHERE workflow = $1 ORDER BY id',
          [workflow],
        )
      ).rows;
    const history = async (workflow: string) =>
      (
        await h.store.query<{ outcome: string; run_id: string | null; reason: string | null }>(
          'SELECT outcome, run_id, reason FROM trigger_history WHERE workflow = $1 ORDER BY id',
          [workflow],
        )
      ).rows;
    const deliver = (
      name: string,
      secret: string,
      body: unknown,
      o: { delivery?: string; headers?: Record<string, string> } = {},
    ) => {
      const raw = JSON.stringify(body);
      return h.call('POST', `/hooks/default/${name}`, {
        token: null,
        body: raw,
        headers: {
          ...signedWebhookHeaders(secret, raw, o.delivery ?? randomUUID()),
          ...o.headers,
        },
      });
    };

    test('a signed delivery over HTTP starts exactly one run with the body as input; resending it starts none', async () => {
      await apply(
        wf('deploy-app', [{ webhook: 'deploy' }], {
          inputs: { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] },
        }),
      );
      const { secret, url } = await rotate('deploy-app');
      assert.equal(url, '/hooks/default/deploy');
      const base = await h.listen();
      const raw = JSON.stringify({ repo: 'cc', ref: 'main' });
      const res = await fetch(`${base}${url}`, {
        method: 'POST',
        body: raw,
        headers: {
          ...signedWebhookHeaders(secret, raw, 'delivery-1'),
          'x-github-event': 'push',
          'x-api-key': 'not-for-the-event',
        },
      });
      assert.equal(res.status, 202);
      const answer = (await res.json()) as {
        delivery: string;
        runs: { workflow: string; runId: string; created: boolean }[];
        notStarted: unknown[];
      };
      assert.equal(answer.delivery, 'delivery-1');
      assert.equal(answer.runs.length, 1);
      assert.deepEqual(answer.notStarted, []);
      const run = answer.runs[0]!;
      assert.equal(run.workflow, 'deploy-app');
      assert.equal(run.created, true);
      assert.equal(await h.waitForRun(run.runId), 'succeeded');
      const [stored] = await runsOf('deploy-app');
      assert.deepEqual(stored!.input, { repo: 'cc', ref: 'main' });
      assert.equal(stored!.trigger.type, 'webhook');
      assert.equal(stored!.trigger.webhook, 'deploy');
      assert.equal(stored!.trigger.delivery, 'delivery-1');
      assert.equal(stored!.trigger.auth, 'hmac');
      const event = stored!.trigger.event as { headers: Record<string, string>; body: unknown };
      assert.equal(event.headers['x-github-event'], 'push');
      assert.equal(event.headers['x-api-key'], undefined, 'only descriptive headers are kept');
      assert.equal(event.headers['x-cc-signature'], undefined);
      assert.deepEqual(event.body, { repo: 'cc', ref: 'main' });

      // Resent (a new timestamp and signature, as senders do), even with another body: no run.
      const again = await deliver('deploy', secret, { repo: 'other' }, { delivery: 'delivery-1' });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.json.runs, [
        { ...run, created: false, triggerId: await triggerId('deploy-app') },
      ]);
      assert.equal((await runsOf('deploy-app')).length, 1);
      assert.deepEqual(
        (await history('deploy-app')).map((e) => [e.outcome, e.run_id]),
        [
          ['fired', run.runId],
          ['duplicate', run.runId],
        ],
      );
      // Another delivery id is another delivery (and vendor JSON media types are JSON).
      const second = await deliver(
        'deploy',
        secret,
        { repo: 'cc' },
        {
          delivery: 'delivery-2',
          headers: { 'content-type': 'application/vnd.cc+json; charset=utf-8' },
        },
      );
      assert.equal(second.status, 202, second.text);
      assert.notEqual(second.json.runs[0].runId, run.runId);
      assert.equal((await runsOf('deploy-app')).length, 2);
    });

    test('every workflow declaring the webhook fires; `when` reads the body and the headers', async () => {
      await apply(wf('shared-a', [{ webhook: 'shared' }]));
      await apply(
        wf('shared-b', [
          { webhook: 'shared', when: '{{ event.headers.`x-github-event` = "push" }}' },
        ]),
      );
      await apply(wf('shared-c', [{ webhook: 'shared', when: '{{ event.body.env = "prod" }}' }]));
      const { secret } = await rotate('shared-a');
      const res = await deliver(
        'shared',
        secret,
        { env: 'dev' },
        {
          headers: { 'x-github-event': 'push' },
        },
      );
      assert.equal(res.status, 202, res.text);
      assert.deepEqual(
        (res.json.runs as { workflow: string }[]).map((r) => r.workflow),
        ['shared-a', 'shared-b'],
      );
      assert.deepEqual(
        (res.json.notStarted as { workflow: string; outcome: string }[]).map((n) => [
          n.workflow,
          n.outcome,
        ]),
        [['shared-c', 'filtered']],
      );
      for (const w of ['shared-a', 'shared-b']) assert.equal((await runsOf(w)).length, 1, w);
      assert.equal((await runsOf('shared-c')).length, 0);
      assert.deepEqual(
        (await history('shared-c')).map((e) => e.outcome),
        ['filtered'],
      );
    });

    test('the same delivery sent five times at once starts exactly one run', async () => {
      await apply(wf('burst-wf', [{ webhook: 'burst' }]));
      const { secret } = await rotate('burst-wf');
      const answers = await Promise.all(
        [1, 2, 3, 4, 5].map(() => deliver('burst', secret, { n: 1 }, { delivery: 'burst-1' })),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 202]);
      const ids = new Set(answers.map((a) => a.json.runs[0].runId as string));
      assert.equal(ids.size, 1);
      assert.equal((await runsOf('burst-wf')).length, 1);
    });

    test('workflows sharing a webhook but not its auth: each fires for its own credentials only', async () => {
      await apply(wf('mixed-hmac', [{ webhook: 'mixed' }]));
      await apply(wf('mixed-token', [{ webhook: 'mixed', auth: 'token' }]));
      const { secret } = await rotate('mixed-hmac');
      const signedOnly = await deliver('mixed', secret, {});
      assert.equal(signedOnly.status, 202, signedOnly.text);
      assert.deepEqual(
        (signedOnly.json.runs as { workflow: string }[]).map((r) => r.workflow),
        ['mixed-hmac'],
      );
      assert.deepEqual(
        (signedOnly.json.notStarted as { workflow: string; code: string }[]).map((n) => [
          n.workflow,
          n.code,
        ]),
        [['mixed-token', 'CC_E_UNAUTHORIZED']],
      );
      const byToken = await h.call('POST', '/hooks/default/mixed', {
        token: await h.token('operator'),
        body: {},
      });
      assert.equal(byToken.status, 202, byToken.text);
      assert.deepEqual(
        (byToken.json.runs as { workflow: string }[]).map((r) => r.workflow),
        ['mixed-token'],
      );
      assert.equal(byToken.json.notStarted[0].code, 'CC_E_WEBHOOK_SIGNATURE');
      assert.deepEqual(
        (await history('mixed-token')).map((e) => e.outcome),
        ['rejected', 'fired'],
      );
    });

    test('a paused trigger starts nothing and says so (200)', async () => {
      await apply(wf('paused-wf', [{ webhook: 'paused' }]));
      const { secret } = await rotate('paused-wf');
      await h.services.triggers.setPaused('default', await triggerId('paused-wf'), true);
      const res = await deliver('paused', secret, {});
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.runs, []);
      assert.equal(res.json.notStarted[0].outcome, 'skipped');
      assert.match(res.json.notStarted[0].reason, /paused/);
      assert.equal((await runsOf('paused-wf')).length, 0);
    });

    test('rotation: both secrets sign until the old one expires; 0s revokes it at once', async () => {
      await apply(wf('rotated', [{ webhook: 'rotated' }]));
      const first = await rotate('rotated');
      assert.equal(first.previousExpiresAt, null);
      const second = await rotate('rotated', { previousValidFor: '1h' });
      const expires = Date.parse(second.previousExpiresAt!);
      assert.ok(Math.abs(expires - (Date.now() + 3_600_000)) < 60_000, second.previousExpiresAt!);
      assert.notEqual(second.secret, first.secret);
      for (const s of [first.secret, second.secret]) {
        const res = await deliver('rotated', s, {});
        assert.equal(res.status, 202, res.text);
      }
      const third = await rotate('rotated', { previousValidFor: '0s' });
      for (const s of [first.secret, second.secret]) {
        assertProblem(await deliver('rotated', s, {}), 401, 'CC_E_WEBHOOK_SIGNATURE', [
          'headers["x-cc-signature"]',
        ]);
      }
      assert.equal((await deliver('rotated', third.secret, {})).status, 202);
      assert.equal((await runsOf('rotated')).length, 3);
      // Audited, and the secret is in no stored audit entry.
      const audit = await h.call('GET', `${V1}/audit?action=webhook.secret.rotate`);
      assert.equal(audit.status, 200, audit.text);
      const id = await triggerId('rotated');
      const mine = (audit.json.items as { target: string; actor: string }[]).filter(
        (a) => a.target === id,
      );
      assert.equal(mine.length, 3);
      assert.equal(mine[0]!.actor, 'test-admin');
      const dump = await h.dump();
      for (const s of [first.secret, second.secret, third.secret]) assert.ok(!dump.includes(s));
    });

    test('auth: token — an operator token starts the run; X-CC-Delivery is optional and deduplicates', async () => {
      await apply(wf('ci-hook', [{ webhook: 'ci', auth: 'token' }]));
      const operator = await h.token('operator');
      const post = (headers: Record<string, string> = {}) =>
        h.call('POST', '/hooks/default/ci', {
          token: operator,
          body: { build: 7 },
          headers,
        });
      const a = await post();
      assert.equal(a.status, 202, a.text);
      assert.equal(a.json.delivery, null);
      const b = await post();
      assert.equal(b.status, 202, 'without a delivery id every request is new');
      const c = await post({ 'x-cc-delivery': 'build-7' });
      const d = await post({ 'x-cc-delivery': 'build-7' });
      assert.equal(c.status, 202);
      assert.equal(d.status, 200);
      assert.equal(d.json.runs[0].runId, c.json.runs[0].runId);
      const runs = await runsOf('ci-hook');
      assert.equal(runs.length, 3);
      assert.equal(runs[0]!.trigger.auth, 'token');
      assert.match(String(runs[0]!.trigger.by), /^operator-default-/);
      // A token trigger has no signing secret.
      const r = await h.call(
        'POST',
        `${V1}/triggers/${await triggerId('ci-hook')}/webhook-secret`,
        { body: {} },
      );
      assertProblem(r, 409, 'CC_E_CONFLICT');
      assert.match(r.json.detail, /auth: token/);
    });

    test('the notifier’s webhook action starts another workflow through the hub’s own webhook, once', async () => {
      await apply(wf('downstream', [{ webhook: 'downstream' }]));
      const { secret, url } = await rotate('downstream');
      const base = await h.listen();
      const settings = await h.call('PATCH', `${V1}/projects/default/settings`, {
        body: { egressAllowHosts: ['127.0.0.1'] },
      });
      assert.equal(settings.status, 200, settings.text);
      const set = await h.call('PUT', `${V1}/secrets/HOOK_SECRET`, { body: { value: secret } });
      assert.ok(set.status === 201 || set.status === 200, set.text);
      await apply({
        name: 'upstream',
        nodes: [
          {
            id: 'ping',
            agent: 'notifier',
            action: 'webhook',
            inputs: {
              url: `${base}${url}`,
              secret: '{{ secrets.HOOK_SECRET }}',
              event: 'upstream.done',
              text: 'hello',
              data: { n: 1 },
            },
          },
        ],
      });
      const started = await h.call('POST', `${V1}/runs`, { body: { workflow: 'upstream' } });
      assert.equal(started.status, 202, started.text);
      const status = await h.waitForRun(started.json.id);
      const shown = await h.call('GET', `${V1}/runs/${started.json.id}`);
      assert.equal(status, 'succeeded', shown.text);
      const runs = await runsOf('downstream');
      assert.equal(runs.length, 1);
      const input = runs[0]!.input as { event: string; data: unknown; run: { id: string } };
      assert.equal(input.event, 'upstream.done');
      assert.deepEqual(input.data, { n: 1 });
      assert.equal(input.run.id, started.json.id);
      const event = runs[0]!.trigger.event as { headers: Record<string, string> };
      assert.equal(event.headers['x-cc-event'], 'upstream.done');
      assert.equal(await h.waitForRun(runs[0]!.id), 'succeeded');
    });
  });
}
