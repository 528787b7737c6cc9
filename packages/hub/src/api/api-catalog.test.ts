import assert from 'node:assert/strict';
import { shippedManifests } from '../agents/index.js';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { V1, assertProblem, node } from '../testing/api-harness.js';
import { apiSuite, ok } from '../testing/api-suite.js';
import { storeKinds } from '../testing/stores.js';

/** What a project holds: projects themselves, agents, workflows and their versions, secrets. */

for (const kind of storeKinds()) {
  describe(`REST API catalog on ${kind}`, () => {
    const api = apiSuite(kind);

    test('projects: created by a hub-wide admin once, listed by token scope', async () => {
      for (const name of ['alpha', 'beta']) {
        const r = await api.createProject(name);
        assert.equal(r.json.name, name);
        assert.ok(!Number.isNaN(Date.parse(r.json.createdAt)));
      }
      assertProblem(
        await api.h.call('POST', `${V1}/projects`, { body: { name: 'alpha' } }),
        409,
        'CC_E_CONFLICT',
      );
      const all = await api.h.call('GET', `${V1}/projects`);
      ok(all);
      assert.deepEqual(
        all.json.items.map((p: { name: string }) => p.name),
        ['alpha', 'beta', 'default'],
      );
      const alphaViewer = await api.h.token('viewer', 'alpha');
      const mine = await api.h.call('GET', `${V1}/projects`, { token: alphaViewer });
      assert.deepEqual(
        mine.json.items.map((p: { name: string }) => p.name),
        ['alpha'],
      );
      const one = await api.h.call('GET', `${V1}/projects/alpha`, { token: alphaViewer });
      ok(one);
      assert.deepEqual(
        { ...one.json, createdAt: undefined },
        {
          name: 'alpha',
          createdAt: undefined,
          workflows: 0,
          agents: shippedManifests.length,
          runs: 0,
          settings: {
            approvalPolicy: {
              threshold: 'high',
              allowAuto: true,
              alwaysRequire: ['patcher.apply', 'patcher.createFixPR'],
            },
            egressAllowHosts: [],
          },
        },
      );
      const projectAdmin = await api.h.token('admin', 'alpha');
      // Settings: a project admin changes them, field by field; a viewer cannot.
      assertProblem(
        await api.h.call('PATCH', `${V1}/projects/alpha/settings`, {
          token: alphaViewer,
          body: { egressAllowHosts: ['127.0.0.1'] },
        }),
        403,
        'CC_E_FORBIDDEN',
      );
      const patched = await api.h.call('PATCH', `${V1}/projects/alpha/settings`, {
        token: projectAdmin,
        body: {
          egressAllowHosts: ['127.0.0.1', '10.0.0.0/8'],
          approvalPolicy: { threshold: 'medium' },
        },
      });
      ok(patched);
      assert.deepEqual(patched.json.effective, {
        approvalPolicy: {
          threshold: 'medium',
          allowAuto: true,
          alwaysRequire: ['patcher.apply', 'patcher.createFixPR'],
        },
        egressAllowHosts: ['127.0.0.1', '10.0.0.0/8'],
      });
      assert.deepEqual(patched.json.stored, {
        approvalPolicy: { threshold: 'medium' },
        egressAllowHosts: ['127.0.0.1', '10.0.0.0/8'],
      });
      api.expected.push({ action: 'project.settings', target: 'alpha', actor: 'admin-alpha' });
      const bad = await api.h.call('PATCH', `${V1}/projects/alpha/settings`, {
        token: projectAdmin,
        body: { approvalPolicy: { threshold: 'extreme' } },
      });
      assertProblem(bad, 422, 'CC_E_SCHEMA_INVALID_VALUE', ['approvalPolicy.threshold']);
      assertProblem(
        await api.h.call('POST', `${V1}/projects`, {
          token: projectAdmin,
          body: { name: 'gamma' },
        }),
        403,
        'CC_E_FORBIDDEN',
      );
    });

    test('agents: apply as JSON and YAML (201, then 200 unchanged), list, show, version', async () => {
      const v1 = {
        name: 'greeter',
        version: '1.0.0',
        type: 'builtin',
        description: 'says hello',
        risk: 'low',
        actions: { hello: {} },
      };
      const first = await api.h.call('POST', `${V1}/agents`, { body: v1 });
      ok(first, 201);
      assert.equal(first.json.created, true);
      assert.equal(first.json.version, '1.0.0');
      assert.equal(first.json.manifest.name, 'greeter');
      api.expected.push({ action: 'agent.apply', target: 'greeter@1.0.0', actor: 'test-admin' });
      const again = await api.h.call('POST', `${V1}/agents`, { body: v1 });
      ok(again, 200);
      assert.equal(again.json.created, false);

      const yaml = stringify({ ...v1, version: '1.1.0', actions: { hello: {}, bye: {} } });
      const y = await api.h.call('POST', `${V1}/agents`, {
        body: yaml,
        headers: { 'content-type': 'application/yaml' },
      });
      ok(y, 201);
      assert.equal(y.json.version, '1.1.0');
      api.expected.push({ action: 'agent.apply', target: 'greeter@1.1.0', actor: 'test-admin' });
      const yAgain = await api.h.call('POST', `${V1}/agents`, {
        body: yaml,
        headers: { 'content-type': 'application/yaml' },
      });
      ok(yAgain, 200);
      assert.equal(yAgain.json.created, false);

      const list = await api.h.call('GET', `${V1}/agents`);
      ok(list);
      const g = list.json.items.find((a: { name: string }) => a.name === 'greeter');
      assert.deepEqual(
        { ...g, actions: [...g.actions].sort(), updatedAt: undefined },
        {
          name: 'greeter',
          version: '1.1.0',
          type: 'builtin',
          risk: 'low',
          description: 'says hello',
          actions: ['bye', 'hello'],
          versions: 2,
          updatedAt: undefined,
        },
      );
      assert.ok(list.json.items.some((a: { name: string }) => a.name === 'test'));

      const show = await api.h.call('GET', `${V1}/agents/greeter`);
      ok(show);
      assert.equal(show.json.manifest.version, '1.1.0');
      assert.deepEqual(
        show.json.versions.map((v: { version: string }) => v.version),
        ['1.1.0', '1.0.0'],
      );
      const old = await api.h.call('GET', `${V1}/agents/greeter/versions/1.0.0`);
      ok(old);
      assert.equal(old.json.version, '1.0.0');
      assert.deepEqual(Object.keys(old.json.manifest.actions), ['hello']);
      assertProblem(
        await api.h.call('GET', `${V1}/agents/greeter/versions/9.9.9`),
        404,
        'CC_E_NOT_FOUND',
      );
    });

    test('workflows: apply, re-apply unchanged, validate without saving, list, show, version, diff, archive', async () => {
      const v1 = {
        name: 'wf-life',
        description: 'first',
        nodes: [node('a', 'echo', { inputs: { n: 1 } })],
      };
      const created = await api.apply(v1);
      ok(created, 201);
      assert.deepEqual(
        { name: created.json.name, version: created.json.version, created: created.json.created },
        { name: 'wf-life', version: 1, created: true },
      );
      const same = await api.apply(v1);
      ok(same, 200);
      assert.equal(same.json.created, false);
      assert.equal(same.json.version, 1);

      // Validation saves nothing.
      const v2 = {
        ...v1,
        description: 'second',
        nodes: [...v1.nodes, node('b', 'echo', { dependsOn: ['a'], inputs: { n: 2 } })],
      };
      const before = await api.h.dump();
      const valid = await api.h.call('POST', `${V1}/workflows/validate`, {
        body: stringify(v2),
        headers: { 'content-type': 'application/yaml' },
      });
      ok(valid);
      assert.equal(valid.json.ok, true);
      assert.equal(valid.json.name, 'wf-life');
      assert.ok(Array.isArray(valid.json.warnings));
      assert.equal(valid.json.definition.nodes.length, 2);
      assert.equal(await api.h.dump(), before, 'validate changed the database');

      const second = await api.apply(v2);
      ok(second, 201);
      assert.equal(second.json.version, 2);

      const list = await api.h.call('GET', `${V1}/workflows`);
      ok(list);
      const item = list.json.items.find((w: { name: string }) => w.name === 'wf-life');
      assert.deepEqual(
        { ...item, updatedAt: undefined },
        {
          name: 'wf-life',
          latestVersion: 2,
          description: 'second',
          archived: false,
          stats: { lastRun: null, runs: 0, successRate: null, recentDurationsMs: [] },
          updatedAt: undefined,
        },
      );

      const show = await api.h.call('GET', `${V1}/workflows/wf-life`);
      ok(show);
      assert.equal(show.json.latestVersion, 2);
      assert.equal(show.json.archived, false);
      assert.deepEqual(show.json.source, v2);
      assert.deepEqual(
        show.json.versions.map((v: { version: number }) => v.version),
        [2, 1],
      );
      assert.ok(show.json.versions.every((v: { hash: string }) => /\S/.test(v.hash)));

      const one = await api.h.call('GET', `${V1}/workflows/wf-life/versions/1`);
      ok(one);
      assert.equal(one.json.version, 1);
      assert.deepEqual(one.json.source, v1);
      assert.equal(one.json.definition.nodes.length, 1);

      const diff = await api.h.call('GET', `${V1}/workflows/wf-life/diff?from=1&to=2`);
      ok(diff);
      assert.equal(diff.json.from, 1);
      assert.equal(diff.json.to, 2);
      assert.deepEqual(
        diff.json.changes.find((c: { path: string }) => c.path === 'description'),
        { path: 'description', op: 'changed', before: 'first', after: 'second' },
      );
      const added = diff.json.changes.find((c: { op: string }) => c.op === 'added');
      assert.equal(added.path, 'nodes[1]');
      assert.equal(added.after.id, 'b');
      assert.match(diff.json.patch, /^-{3} wf-life@1/m);
      assert.match(diff.json.patch, /^\+{3} wf-life@2/m);
      assert.match(diff.json.patch, /^-description: first$/m);
      assert.match(diff.json.patch, /^\+description: second$/m);
      assert.match(diff.json.patch, /^\+ {2}- id: b$/m);

      const archived = await api.h.call('DELETE', `${V1}/workflows/wf-life`);
      ok(archived);
      assert.deepEqual(archived.json, { name: 'wf-life', archived: true });
      api.expected.push({ action: 'workflow.archive', target: 'wf-life', actor: 'test-admin' });
      // Archiving again answers the same and changes nothing (no new audit entry either).
      const unchanged = await api.h.dump();
      const again = await api.h.call('DELETE', `${V1}/workflows/wf-life`);
      ok(again);
      assert.deepEqual(again.json, { name: 'wf-life', archived: true });
      assert.equal(await api.h.dump(), unchanged, 're-archiving changed the database');
      const hidden = await api.h.call('GET', `${V1}/workflows`);
      assert.ok(!hidden.json.items.some((w: { name: string }) => w.name === 'wf-life'));
      const shown = await api.h.call('GET', `${V1}/workflows?archived=true`);
      assert.equal(
        shown.json.items.find((w: { name: string }) => w.name === 'wf-life').archived,
        true,
      );
      assertProblem(
        await api.h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-life' } }),
        409,
        'CC_E_WORKFLOW_ARCHIVED',
      );
      // Applying the same content again restores it (no new version), and says so in the audit.
      const restored = await api.apply(v2);
      ok(restored, 200);
      assert.deepEqual([restored.json.version, restored.json.created], [2, false]);
      api.expected.push({ action: 'workflow.restore', target: 'wf-life@2', actor: 'test-admin' });
      const run = await api.h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-life' } });
      ok(run, 202);
      api.expected.push({ action: 'run.trigger', target: run.json.id, actor: 'test-admin' });
    });

    test('secrets through the API: set, replace, rotate, list names only, delete', async () => {
      const put = await api.h.call('PUT', `${V1}/secrets/API_KEY`, { body: { value: 'v1-abc' } });
      ok(put, 201);
      assert.deepEqual(put.json, { name: 'API_KEY', version: 1, created: true });
      api.expected.push({ action: 'secret.create', target: 'API_KEY', actor: 'test-admin' });
      const replaced = await api.h.call('PUT', `${V1}/secrets/API_KEY`, {
        body: { value: 'v2-abc' },
      });
      ok(replaced, 200);
      assert.deepEqual(replaced.json, { name: 'API_KEY', version: 2, created: false });
      api.expected.push({ action: 'secret.set', target: 'API_KEY', actor: 'test-admin' });
      const rotated = await api.h.call('POST', `${V1}/secrets/API_KEY/rotate`, {
        body: { value: 'v3-abc' },
      });
      ok(rotated);
      assert.deepEqual(rotated.json, { name: 'API_KEY', version: 3 });
      api.expected.push({ action: 'secret.rotate', target: 'API_KEY', actor: 'test-admin' });
      const list = await api.h.call('GET', `${V1}/secrets`, { token: await api.h.token('viewer') });
      ok(list);
      assert.deepEqual(
        list.json.items.map((s: { name: string; version: number }) => [s.name, s.version]),
        [['API_KEY', 3]],
      );
      assert.ok(!/v[123]-abc/.test(list.text));
      const del = await api.h.call('DELETE', `${V1}/secrets/API_KEY`);
      ok(del);
      assert.deepEqual(del.json, { name: 'API_KEY', deleted: true });
      api.expected.push({ action: 'secret.delete', target: 'API_KEY', actor: 'test-admin' });
      assertProblem(await api.h.call('DELETE', `${V1}/secrets/API_KEY`), 404, 'CC_E_NOT_FOUND');
    });

    test('audit: every mutation above is recorded with actor, action, target and ip', async () => {
      await api.auditTrail();
    });
  });
}
