import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  openApiHarness,
  readSse,
  type ApiHarness,
  type ApiResponse,
  type SseMessage,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

/**
 * A secret set through the API, used by steps (echoed into outputs, logged, put into an error
 * message, shown for approval), must reach the agent and appear nowhere else: not in any table,
 * not in any answer of the API, not in the live event stream.
 */

const V1 = '/api/v1';
const node = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'test',
  action,
  ...extra,
});

/** Every form a leaked value could take in text we look at. */
function forms(value: string): string[] {
  const b = Buffer.from(value, 'utf8');
  return [value, b.toString('hex'), b.toString('base64'), b.toString('base64url')];
}

function assertAbsent(haystack: string, values: string[], where: string): void {
  for (const v of values) {
    for (const form of forms(v)) {
      const at = haystack.indexOf(form);
      assert.equal(
        at,
        -1,
        `${where} contains a secret value (${form.slice(0, 12)}…) at ${at}: …${haystack.slice(Math.max(0, at - 200), at + 100)}…`,
      );
    }
  }
}

for (const kind of storeKinds()) {
  describe(`secrets never leak on ${kind}`, () => {
    let h: ApiHarness;
    const planted = `pl4nted-${randomBytes(12).toString('hex')}-s3cret`;
    const rotated = `r0tated-${randomBytes(12).toString('hex')}-s3cret`;

    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => h?.close());

    test('the agent receives the value; tables, answers and events never contain it', async () => {
      const base = await h.listen();
      const auth = { authorization: `Bearer ${h.admin}` };
      const ok = (res: ApiResponse, status = 200) => {
        assert.equal(res.status, status, res.text.slice(0, 500));
        return res;
      };
      const start = await h.services.feed.head();

      // A live stream of every event of the hub, open for the whole test.
      let opened!: () => void;
      const isOpen = new Promise<void>((resolve) => (opened = resolve));
      let lastRun = '';
      const endOfLast = (ms: SseMessage[]) =>
        lastRun !== '' &&
        ms.some((m) => {
          const e = JSON.parse(m.data) as { runId?: string; type: string };
          return e.runId === lastRun && /^workflow\.run\.(succeeded|failed)$/.test(e.type);
        });
      const live = readSse(`${base}${V1}/events`, auth, endOfLast, { onOpen: opened });
      await isOpen;

      ok(await h.call('PUT', `${V1}/secrets/DEPLOY_TOKEN`, { body: { value: planted } }), 201);
      const secretRef = '{{ secrets.DEPLOY_TOKEN }}';
      ok(
        await h.call('POST', `${V1}/workflows`, {
          body: {
            name: 'leaky',
            nodes: [
              // echo: returns its input as output and logs it.
              node('use', 'echo', {
                inputs: {
                  token: secretRef,
                  header: `Bearer ${secretRef}`,
                  nested: { list: [secretRef, 'plain'] },
                },
              }),
              // fail: an error whose message carries the secret.
              node('boom', 'fail', {
                dependsOn: ['use'],
                inputs: { message: `upstream refused ${secretRef} as invalid` },
              }),
            ],
          },
        }),
        201,
      );
      ok(
        await h.call('POST', `${V1}/workflows`, {
          body: {
            name: 'gated',
            nodes: [
              node('prep', 'echo', { inputs: { key: secretRef } }),
              // deploy is high risk: the approver sees a snapshot of the resolved input and of
              // the upstream outputs.
              node('ship', 'deploy', {
                dependsOn: ['prep'],
                inputs: {
                  credential: secretRef,
                  target: 'prod',
                  key: '{{ nodes.prep.output.key }}',
                },
              }),
            ],
          },
        }),
        201,
      );

      // 1. Echo, log and fail with the secret.
      const r1 = ok(await h.call('POST', `${V1}/runs`, { body: { workflow: 'leaky' } }), 202);
      assert.equal(await h.waitForRun(r1.json.id), 'failed');

      // 2. The approval path: one approved, one rejected.
      const gated: string[] = [];
      for (let i = 0; i < 2; i++) {
        const r = ok(await h.call('POST', `${V1}/runs`, { body: { workflow: 'gated' } }), 202);
        await h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === r.json.id);
        gated.push(r.json.id);
      }
      const pending = ok(await h.call('GET', `${V1}/approvals`)).json.items as {
        id: string;
        runId: string;
        snapshot: { input: unknown; upstream: unknown };
      }[];
      assert.equal(pending.length, 2);
      for (const a of pending) {
        assert.deepEqual(a.snapshot.input, { credential: '***', target: 'prod', key: '***' });
        assert.deepEqual(a.snapshot.upstream, { prep: { output: { key: '***' } } });
      }
      const [first, second] = gated.map((id) => pending.find((a) => a.runId === id)!);
      ok(await h.call('GET', `${V1}/approvals/${first!.id}`));
      ok(
        await h.call('POST', `${V1}/approvals/${first!.id}/approve`, {
          body: { comment: 'go' },
        }),
      );
      ok(await h.call('POST', `${V1}/approvals/${second!.id}/reject`, { body: {} }));
      assert.equal(await h.waitForRun(gated[0]!), 'succeeded');
      assert.equal(await h.waitForRun(gated[1]!), 'failed');

      // 3. Re-run the failed run from its failed step, then rotate and run again.
      const r2 = ok(
        await h.call('POST', `${V1}/runs/${r1.json.id}/rerun`, { body: { from: 'failed' } }),
        202,
      );
      assert.equal(await h.waitForRun(r2.json.id), 'failed');
      ok(await h.call('POST', `${V1}/secrets/DEPLOY_TOKEN/rotate`, { body: { value: rotated } }));
      const r3 = ok(await h.call('POST', `${V1}/runs`, { body: { workflow: 'leaky' } }), 202);
      lastRun = r3.json.id;
      assert.equal(await h.waitForRun(r3.json.id), 'failed');

      // The agent got the real values.
      const got = (runId: string, key: string) =>
        h.received.filter((x) => x.runId === runId && x.key === key).map((x) => x.input);
      assert.deepEqual(got(r1.json.id, 'use'), [
        { token: planted, header: `Bearer ${planted}`, nested: { list: [planted, 'plain'] } },
      ]);
      assert.deepEqual(got(r1.json.id, 'boom'), [
        { message: `upstream refused ${planted} as invalid` },
      ]);
      const shipInput = got(gated[0]!, 'ship') as { credential: string; target: string }[];
      assert.equal(shipInput.length, 1);
      assert.equal(shipInput[0]!.credential, planted);
      assert.equal(shipInput[0]!.target, 'prod');
      assert.deepEqual(got(gated[1]!, 'ship'), [], 'a rejected step never runs');
      assert.deepEqual(got(r2.json.id, 'boom'), [
        { message: `upstream refused ${planted} as invalid` },
      ]);
      assert.equal((got(r3.json.id, 'use')[0] as { token: string }).token, rotated);

      // What the API shows: redacted, and the data did flow (*** where the value was).
      const runIds = [r1.json.id, gated[0]!, gated[1]!, r2.json.id, r3.json.id];
      for (const id of runIds) {
        ok(await h.call('GET', `${V1}/runs/${id}`));
        ok(await h.call('GET', `${V1}/runs/${id}/logs`));
      }
      const show = ok(await h.call('GET', `${V1}/runs/${r1.json.id}`)).json;
      const use = show.steps.find((s: { key: string }) => s.key === 'use');
      const redacted = { token: '***', header: 'Bearer ***', nested: { list: ['***', 'plain'] } };
      assert.deepEqual(use.input, redacted);
      assert.deepEqual(use.output, redacted);
      assert.deepEqual(use.attempts[0].input, redacted);
      const boom = show.steps.find((s: { key: string }) => s.key === 'boom');
      assert.equal(boom.error.message, 'upstream refused *** as invalid');
      assert.deepEqual(boom.input, { message: 'upstream refused *** as invalid' });
      const logs = ok(await h.call('GET', `${V1}/runs/${r1.json.id}/logs`)).json.items;
      assert.equal(logs.length, 1);
      assert.match(logs[0].line, /^echo .*"token":"\*\*\*"/);
      const shipped = ok(await h.call('GET', `${V1}/runs/${gated[0]}`)).json;
      assert.deepEqual(shipped.steps.find((s: { key: string }) => s.key === 'ship').output, {
        deployed: { credential: '***', target: 'prod', key: '***' },
      });
      ok(await h.call('GET', `${V1}/runs`));
      ok(await h.call('GET', `${V1}/approvals?status=all`));
      ok(await h.call('GET', `${V1}/audit?limit=500`));
      const secrets = ok(await h.call('GET', `${V1}/secrets`));
      assert.deepEqual(
        secrets.json.items.map((s: { name: string; version: number }) => [s.name, s.version]),
        [['DEPLOY_TOKEN', 2]],
      );

      // The event stream: live, and replayed from before the secret existed.
      const liveStream = await live;
      const replay = await readSse(
        `${base}${V1}/events`,
        { ...auth, 'last-event-id': start },
        endOfLast,
      );
      assert.ok(liveStream.messages.length > 10);
      assert.deepEqual(
        replay.messages.map((m) => m.id),
        liveStream.messages.map((m) => m.id),
        'live and replayed streams agree',
      );
      assert.ok(
        liveStream.messages.some((m) => m.event === 'workflow.step.failed'),
        'the failure with the secret in its message was streamed',
      );

      // Nowhere: in the database…
      const dump = await h.dump();
      assert.match(dump, /^## secrets \(1\)$/m);
      assertAbsent(dump, [planted, rotated], 'the database');
      const row = await h.store.query<{ ciphertext: Uint8Array; iv: Uint8Array; tag: Uint8Array }>(
        `SELECT ciphertext, iv, tag FROM secrets WHERE name = 'DEPLOY_TOKEN'`,
      );
      for (const col of ['ciphertext', 'iv', 'tag'] as const) {
        const bytes = Buffer.from(row.rows[0]![col]);
        assert.equal(bytes.indexOf(Buffer.from(rotated)), -1, `secrets.${col} holds the plaintext`);
      }
      // …in any answer the API gave in this test…
      assert.ok(h.responses.length > 20);
      h.responses.forEach((body, i) => assertAbsent(body, [planted, rotated], `response #${i}`));
      // …in the event streams and in the engine's published events.
      assertAbsent(liveStream.raw, [planted, rotated], 'the live event stream');
      assertAbsent(replay.raw, [planted, rotated], 'the replayed event stream');
      assertAbsent(JSON.stringify(h.events), [planted, rotated], 'published events');
    });
  });
}
