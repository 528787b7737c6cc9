/**
 * `POST /api/v1/alerts/alertmanager` with Alertmanager's real payloads: one run per workflow per
 * notification (firing and resolved), none for repeats, unmatched notifications recorded and
 * listed; token and HMAC authentication.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  V1,
  assertProblem,
  node,
  openApiHarness,
  type ApiHarness,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';
import { alertRunInput, type AlertmanagerNotification } from './alert-payload.js';
import { ALERT_HMAC_SECRET, signAlertBody } from './alert-signature.js';
import { firingGroup, resolvedGroup } from './alert-test-payloads.js';

const ALERTS = `${V1}/alerts/alertmanager`;

const workflow = (name: string, trigger: Record<string, unknown>) => ({
  name,
  inputs: {
    type: 'object',
    required: ['status', 'alerts', 'commonLabels'],
    properties: { status: { enum: ['firing', 'resolved'] }, alerts: { type: 'array' } },
  },
  triggers: [trigger],
  nodes: [node('a', 'echo', { inputs: { status: '{{ input.status }}' } })],
});

for (const kind of storeKinds()) {
  describe(`Alertmanager notifications on ${kind}`, () => {
    let h: ApiHarness;
    const runCount = async () =>
      Number(
        (await h.store.query<{ n: string }>('SELECT count(*)::text AS n FROM runs')).rows[0]!.n,
      );
    const send = (body: AlertmanagerNotification, token?: string | null) =>
      h.call('POST', ALERTS, { body, token });

    before(async () => {
      h = await openApiHarness(kind);
      for (const doc of [
        workflow('page-oncall', { alert: { severity: 'critical' } }),
        workflow('db-firing', { alert: { team: 'db' }, when: "{{ event.status = 'firing' }}" }),
      ]) {
        const r = await h.call('POST', `${V1}/workflows`, { body: doc });
        assert.equal(r.status, 201, r.text);
      }
    });
    after(() => h?.close());

    test('a firing group starts one run; its repeat none; the resolved group one more', async () => {
      const before = await runCount();
      const first = await send(firingGroup());
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.matched, true);
      assert.equal(first.json.runs.length, 1);
      const [fired] = first.json.runs;
      assert.deepEqual(
        { workflow: fired.workflow, outcome: fired.outcome, reason: fired.reason },
        { workflow: 'page-oncall', outcome: 'fired', reason: null },
      );
      assert.equal(await h.waitForRun(fired.runId), 'succeeded');
      const run = (await h.call('GET', `${V1}/runs/${fired.runId}`)).json;
      assert.deepEqual(run.input, alertRunInput(firingGroup()));
      assert.equal(run.trigger.type, 'alert');
      assert.equal(run.trigger.groupKey, firingGroup().groupKey);
      assert.equal(run.trigger.event.version, '4');

      // Alertmanager repeats the notification (repeat_interval, or a retry): no new run.
      const repeat = await send(firingGroup());
      assert.equal(repeat.status, 200);
      assert.deepEqual(
        repeat.json.runs.map((r: { outcome: string; runId: string }) => [r.outcome, r.runId]),
        [['duplicate', fired.runId]],
      );
      assert.equal(repeat.json.matched, true);
      assert.equal(await runCount(), before + 1);

      const resolved = await send(resolvedGroup());
      assert.equal(resolved.json.runs[0].outcome, 'fired');
      assert.notEqual(resolved.json.runs[0].runId, fired.runId);
      assert.equal(await h.waitForRun(resolved.json.runs[0].runId), 'succeeded');
      assert.equal(await runCount(), before + 2);
      const echoed = h.received.filter((r) => r.runId === resolved.json.runs[0].runId);
      assert.deepEqual(
        echoed.map((r) => r.input),
        [{ status: 'resolved' }],
      );
    });

    test('`when` reads the notification as `event`: firing runs, resolved is filtered', async () => {
      const firing = await send(firingGroup({ severity: 'warning', team: 'db' }, 'ReplicaLag'));
      assert.deepEqual(
        firing.json.runs.map((r: { workflow: string; outcome: string }) => [r.workflow, r.outcome]),
        [['db-firing', 'fired']],
      );
      const resolved = await send(resolvedGroup({ severity: 'warning', team: 'db' }, 'ReplicaLag'));
      assert.equal(resolved.json.matched, false);
      assert.equal(resolved.json.runs[0].outcome, 'filtered');
      assert.match(resolved.json.runs[0].reason, /when .* is false/);
    });

    test('unmatched notifications are recorded and listed, with paging', async () => {
      const stray = await send(firingGroup({ severity: 'info' }, 'DiskAlmostFull'));
      assert.equal(stray.status, 200);
      assert.deepEqual(stray.json.runs, []);
      assert.equal(stray.json.matched, false);

      const unmatched = await h.call('GET', `${V1}/alerts?matched=false`);
      assert.equal(unmatched.status, 200, unmatched.text);
      assert.deepEqual(
        unmatched.json.items.map((a: { groupLabels: object; status: string }) => [
          a.groupLabels,
          a.status,
        ]),
        [
          [{ alertname: 'DiskAlmostFull' }, 'firing'],
          [{ alertname: 'ReplicaLag' }, 'resolved'],
        ],
      );
      const [disk] = unmatched.json.items;
      assert.deepEqual(
        { ...disk, id: undefined, receivedAt: undefined },
        {
          id: undefined,
          receivedAt: undefined,
          receiver: 'commandcenter',
          status: 'firing',
          groupKey: firingGroup({}, 'DiskAlmostFull').groupKey,
          groupLabels: { alertname: 'DiskAlmostFull' },
          commonLabels: firingGroup({ severity: 'info' }).commonLabels,
          alerts: 2,
          matched: false,
          runIds: [],
          outcomes: [],
          sender: 'test-admin',
        },
      );
      const one = await h.call('GET', `${V1}/alerts/${disk.id}`);
      assert.deepEqual(one.json.payload, firingGroup({ severity: 'info' }, 'DiskAlmostFull'));

      const all = [];
      let cursor: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page = await h.call(
          'GET',
          `${V1}/alerts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        all.push(...page.json.items);
        cursor = page.json.nextCursor;
        if (!cursor) break;
      }
      assert.equal(all.length, 6, 'every notification, repeats included');
      assert.deepEqual(
        all.map((a) => a.matched),
        [false, false, true, true, true, true],
      );
      assertProblem(await h.call('GET', `${V1}/alerts/999999`), 404, 'CC_E_NOT_FOUND');
    });

    test('auth: operator token of the project; HMAC with the project secret', async () => {
      const body = firingGroup({ severity: 'info' }, 'Signed');
      assertProblem(await send(body, null), 401, 'CC_E_UNAUTHORIZED');
      assertProblem(await send(body, await h.token('viewer')), 403, 'CC_E_FORBIDDEN');
      const other = await h.call('POST', `${V1}/projects`, { body: { name: 'other' } });
      assert.equal(other.status, 201);
      const foreign = await h.call('POST', `${ALERTS}?project=default`, {
        body,
        token: await h.token('operator', 'other'),
      });
      assertProblem(foreign, 404, 'CC_E_NOT_FOUND');
      assert.equal((await send(body, await h.token('operator'))).status, 200);

      const raw = JSON.stringify(body);
      const signed = (headers: Record<string, string>) =>
        h.call('POST', ALERTS, {
          token: null,
          body: raw,
          headers: { 'content-type': 'application/json', ...headers },
        });
      const ts = String(Math.floor(Date.now() / 1000));
      const noSecret = await signed({
        'x-cc-timestamp': ts,
        'x-cc-signature': signAlertBody('s3cret', ts, raw),
      });
      assertProblem(noSecret, 401, 'CC_E_UNAUTHORIZED');
      assert.match(noSecret.json.detail, new RegExp(`project secret ${ALERT_HMAC_SECRET}`));
      const set = await h.call('PUT', `${V1}/secrets/${ALERT_HMAC_SECRET}`, {
        body: { value: 's3cret' },
      });
      assert.equal(set.status, 201, set.text);
      const ok = await signed({
        'x-cc-timestamp': ts,
        'x-cc-signature': signAlertBody('s3cret', ts, raw),
      });
      assert.equal(ok.status, 200, ok.text);
      const bad = await signed({
        'x-cc-timestamp': ts,
        'x-cc-signature': signAlertBody('wrong', ts, raw),
      });
      assertProblem(bad, 401, 'CC_E_UNAUTHORIZED');
      assert.match(bad.json.detail, /does not match the body/);
      const stale = String(Number(ts) - 600);
      const old = await signed({
        'x-cc-timestamp': stale,
        'x-cc-signature': signAlertBody('s3cret', stale, raw),
      });
      assert.match(old.json.detail, /away from the hub's clock/);
      const listed = await h.call('GET', `${V1}/alerts?limit=1`);
      assert.equal(listed.json.items[0].sender, 'hmac');
    });
  });
}
