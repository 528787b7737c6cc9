/**
 * Trigger management through the API: list with state and webhook URLs, show, pause and resume
 * (audited), and the history of what each trigger did.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { firingGroup } from '../triggers/alert-test-payloads.js';
import {
  V1,
  assertProblem,
  node,
  openApiHarness,
  type ApiHarness,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';

const triggers = [
  { cron: '0 3 * * *', timezone: 'Europe/Paris' },
  { webhook: 'deploy' },
  { event: 'audit.>' },
  { alert: { severity: 'critical' } },
  { action: 'check' },
  { manual: {} },
];
const doc = (t: unknown[] = triggers) => ({
  name: 'nightly',
  inputs: { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] },
  triggers: t,
  nodes: [node('a', 'echo')],
});

interface TriggerInfo {
  id: string;
  kind: string;
  workflow: string;
  active: boolean;
  paused: boolean;
  url?: string;
  spec: Record<string, unknown>;
  lastRunId: string | null;
  lastFireAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

for (const kind of storeKinds()) {
  describe(`trigger management on ${kind}`, () => {
    let h: ApiHarness;
    let all: TriggerInfo[];
    const byKind = (k: string) => all.find((t) => t.kind === k)!;

    before(async () => {
      h = await openApiHarness(kind);
      const r = await h.call('POST', `${V1}/workflows`, { body: doc() });
      assert.equal(r.status, 201, r.text);
      const other = await h.call('POST', `${V1}/workflows`, {
        body: { name: 'other', triggers: [{ action: 'check' }], nodes: [node('a', 'noop')] },
      });
      assert.equal(other.status, 201, other.text);
    });
    after(() => h?.close());

    test('list: every stateful trigger with its state; filters; webhook URL from the origin', async () => {
      const r = await h.call('GET', `${V1}/triggers?workflow=nightly`, {
        token: await h.token('viewer'),
      });
      assert.equal(r.status, 200, r.text);
      all = r.json.items;
      assert.deepEqual(all.map((t) => t.kind).sort(), [
        'action',
        'alert',
        'cron',
        'event',
        'webhook',
      ]);
      for (const t of all) {
        assert.deepEqual(
          [t.workflow, t.active, t.paused, t.lastRunId, t.lastError],
          ['nightly', true, false, null, null],
        );
      }
      assert.deepEqual(byKind('cron').spec, {
        kind: 'cron',
        index: 0,
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
        catchUp: 'run',
      });
      assert.equal(byKind('webhook').url, 'http://localhost:80/hooks/default/deploy');
      assert.equal(byKind('cron').url, undefined);
      const actions = await h.call('GET', `${V1}/triggers?kind=action`);
      assert.deepEqual(
        actions.json.items.map((t: TriggerInfo) => t.workflow),
        ['nightly', 'other'],
      );
      const base = await h.listen();
      const res = await fetch(`${base}${V1}/triggers/${byKind('webhook').id}`, {
        headers: { authorization: `Bearer ${h.admin}` },
      });
      assert.equal(((await res.json()) as TriggerInfo).url, `${base}/hooks/default/deploy`);
      const one = await h.call('GET', `${V1}/triggers/${byKind('alert').id}`);
      assert.deepEqual(one.json, byKind('alert'));
    });

    test('pause and resume: operators only, audited, state shown; pausing twice is fine', async () => {
      const id = byKind('action').id;
      const viewer = await h.call('POST', `${V1}/triggers/${id}/pause`, {
        body: {},
        token: await h.token('viewer'),
      });
      assertProblem(viewer, 403, 'CC_E_FORBIDDEN');
      await h.call('POST', `${V1}/projects`, { body: { name: 'elsewhere' } });
      const foreign = await h.call('POST', `${V1}/triggers/${id}/pause`, {
        body: {},
        token: await h.token('admin', 'elsewhere'),
      });
      assertProblem(foreign, 404, 'CC_E_NOT_FOUND');

      const operator = await h.token('operator');
      const paused = await h.call('POST', `${V1}/triggers/${id}/pause`, {
        body: {},
        token: operator,
      });
      assert.equal(paused.status, 200, paused.text);
      assert.equal(paused.json.paused, true);
      assert.equal((await h.call('POST', `${V1}/triggers/${id}/pause`)).json.paused, true);
      assert.equal((await h.call('GET', `${V1}/triggers/${id}`)).json.paused, true);
      const resumed = await h.call('POST', `${V1}/triggers/${id}/resume`, {
        body: {},
        token: operator,
      });
      assert.equal(resumed.json.paused, false);
      const audit = await h.call('GET', `${V1}/audit?action=trigger.pause`);
      assert.equal(audit.json.items.length, 2);
      assert.equal(audit.json.items.at(-1).target, id);
      assert.equal(audit.json.items.at(-1).detail.workflow, 'nightly');
      const resumedAudit = await h.call('GET', `${V1}/audit?action=trigger.resume`);
      assert.equal(resumedAudit.json.items.length, 1);
    });

    test('history: runs created, skips while paused, rejections with the reason; paged', async () => {
      const id = byKind('action').id;
      const fire = (repo: unknown) =>
        h.call('POST', `${V1}/actions/check`, { body: { input: { repo } } });
      // `other` binds `check` too and takes no input: a bad repo is refused for nightly only.
      const first = await fire('shop');
      const runId = first.json.runs.find(
        (r: { workflow: string }) => r.workflow === 'nightly',
      ).runId;
      await h.call('POST', `${V1}/triggers/${id}/pause`);
      await fire('shop');
      await h.call('POST', `${V1}/triggers/${id}/resume`);
      await fire('web');

      const page1 = await h.call('GET', `${V1}/triggers/${id}/history?limit=2`);
      assert.equal(page1.status, 200, page1.text);
      const page2 = await h.call(
        'GET',
        `${V1}/triggers/${id}/history?limit=2&cursor=${page1.json.nextCursor}`,
      );
      assert.equal(page2.json.nextCursor, null);
      const entries = [...page1.json.items, ...page2.json.items];
      assert.deepEqual(
        entries.map((e: { outcome: string }) => e.outcome),
        ['fired', 'skipped', 'fired'],
      );
      const oldest = entries[2];
      assert.equal(oldest.runId, runId);
      assert.deepEqual(oldest.source, { action: 'check', by: 'test-admin' });
      assert.ok(!Number.isNaN(Date.parse(oldest.at)));
      assert.equal(entries[1].reason, 'the trigger is paused');

      const state = (await h.call('GET', `${V1}/triggers/${id}`)).json as TriggerInfo;
      assert.equal(state.lastRunId, entries[0].runId);
      assert.ok(state.lastFireAt);

      // An alert's input lacks `repo`: the alert trigger records the rejection as its last error.
      const alert = await h.call('POST', `${V1}/alerts/alertmanager`, { body: firingGroup() });
      assert.equal(alert.json.runs[0].outcome, 'rejected');
      const rejected = (await h.call('GET', `${V1}/triggers/${byKind('alert').id}`)).json;
      assert.match(rejected.lastError, /repo/);
      assert.ok(rejected.lastErrorAt);
      const history = await h.call('GET', `${V1}/triggers/${byKind('alert').id}/history`);
      assert.equal(history.json.items[0].outcome, 'rejected');
      assert.match(history.json.items[0].reason, /repo/);
    });

    test('triggers a new version drops go inactive, listed with ?inactive=true', async () => {
      const r = await h.call('POST', `${V1}/workflows`, { body: doc(triggers.slice(1)) });
      assert.equal(r.status, 201, r.text);
      const active = await h.call('GET', `${V1}/triggers?workflow=nightly`);
      assert.equal(active.json.items.length, 4);
      const withInactive = await h.call('GET', `${V1}/triggers?workflow=nightly&inactive=true`);
      const cron = withInactive.json.items.find((t: TriggerInfo) => t.kind === 'cron');
      assert.equal(cron.active, false);
    });
  });
}

describe('webhook URLs with CC_PUBLIC_URL', () => {
  let h: ApiHarness;
  before(async () => {
    h = await openApiHarness('pglite', { env: { CC_PUBLIC_URL: 'https://cc.example.com/' } });
  });
  after(() => h?.close());

  test('use the public URL, whatever origin the caller reached', async () => {
    const r = await h.call('POST', `${V1}/workflows`, {
      body: { name: 'hooked', triggers: [{ webhook: 'release' }], nodes: [node('a', 'noop')] },
    });
    assert.equal(r.status, 201, r.text);
    const list = await h.call('GET', `${V1}/triggers`);
    assert.equal(list.json.items[0].url, 'https://cc.example.com/hooks/default/release');
  });
});
