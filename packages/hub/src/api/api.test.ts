import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { stringify } from 'yaml';
import {
  assertProblem,
  openApiHarness,
  readSse,
  type ApiHarness,
  type ApiResponse,
} from '../testing/api-harness.js';
import { testAgent } from '../testing/engine-harness.js';
import { storeKinds } from '../testing/stores.js';

const V1 = '/api/v1';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

const node = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
  id,
  agent: 'test',
  action,
  ...extra,
});

/** The routes of docs/api.md's table, as `METHOD /path` with `{param}` placeholders. */
function documentedRoutes(): string[] {
  const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
  const out: string[] = [];
  for (const m of doc.matchAll(/^\|\s*`(GET|POST|PUT|DELETE|PATCH) ([^`?]+)(?:\?[^`]*)?`/gm)) {
    out.push(`${m[1]} ${m[2]!.trim()}`);
  }
  return out;
}

/** An audit entry the suite expects to find at the end. */
interface Expected {
  action: string;
  target: string;
  actor: string;
}

for (const kind of storeKinds()) {
  describe(`REST API on ${kind}`, () => {
    let h: ApiHarness;
    const expected: Expected[] = [];
    const ok = (res: ApiResponse, status = 200) =>
      assert.equal(res.status, status, `${res.status} ${res.text.slice(0, 600)}`);
    /** Creates and runs a workflow to its end through the API; returns the run's id. */
    const runToEnd = async (workflow: string, input: unknown = {}, project = 'default') => {
      const r = await h.call('POST', `${V1}/runs?project=${project}`, {
        body: { workflow, input },
      });
      ok(r, 202);
      expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      await h.waitForRun(r.json.id);
      return r.json.id as string;
    };
    const apply = async (doc: unknown, project = 'default') => {
      const r = await h.call('POST', `${V1}/workflows?project=${project}`, { body: doc });
      assert.ok(r.status === 201 || r.status === 200, r.text);
      if (r.status === 201) {
        expected.push({
          action: 'workflow.apply',
          target: `${r.json.name}@${r.json.version}`,
          actor: 'test-admin',
        });
      }
      return r;
    };

    before(async () => {
      h = await openApiHarness(kind);
    });
    after(async () => h?.close());

    test('/healthz and /readyz answer without a token', async () => {
      const health = await h.call('GET', '/healthz', { token: null });
      ok(health);
      assert.deepEqual(health.json, { status: 'ok' });
      const ready = await h.call('GET', '/readyz', { token: null });
      ok(ready);
      assert.deepEqual(ready.json, { status: 'ready' });
    });

    test('/api/v1/openapi.json is an OpenAPI 3.1 document listing every documented route', async () => {
      const res = await h.call('GET', `${V1}/openapi.json`);
      ok(res);
      const doc = res.json as {
        openapi: string;
        info: { title: string; version: string };
        paths: Record<string, Record<string, Record<string, unknown>>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
      assert.ok(doc.components.securitySchemes.bearer);
      const methods = new Set([
        'get',
        'put',
        'post',
        'delete',
        'patch',
        'options',
        'head',
        'trace',
      ]);
      const ajv = new Ajv2020({ strict: false, validateFormats: false });
      const have = new Set<string>();
      for (const [path, item] of Object.entries(doc.paths)) {
        assert.ok(path.startsWith('/'), path);
        const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        for (const [method, op] of Object.entries(item)) {
          assert.ok(methods.has(method), `${method} ${path}`);
          have.add(`${method.toUpperCase()} ${path}`);
          assert.equal(typeof op.responses, 'object', `${method} ${path} has responses`);
          const declared = (op.parameters ?? []) as {
            name: string;
            in: string;
            required?: boolean;
            schema?: object;
          }[];
          for (const p of declared) {
            assert.ok(['path', 'query', 'header', 'cookie'].includes(p.in), `${path} ${p.name}`);
            if (p.schema) ajv.compile(p.schema);
          }
          for (const name of params) {
            const p = declared.find((x) => x.in === 'path' && x.name === name);
            assert.ok(p?.required, `${method} ${path}: path parameter ${name} is declared`);
          }
          const body = (
            op.requestBody as { content?: Record<string, { schema?: object }> } | undefined
          )?.content;
          for (const media of Object.values(body ?? {}))
            if (media.schema) ajv.compile(media.schema);
        }
      }
      const routes = documentedRoutes();
      assert.ok(routes.length >= 35, `docs/api.md lists ${routes.length} routes`);
      const missing = routes.filter((r) => !have.has(r));
      assert.deepEqual(missing, [], 'documented routes missing from openapi.json');
    });

    test('projects: created by a hub-wide admin once, listed by token scope', async () => {
      for (const name of ['alpha', 'beta']) {
        const r = await h.call('POST', `${V1}/projects`, { body: { name } });
        ok(r, 201);
        assert.equal(r.json.name, name);
        assert.ok(!Number.isNaN(Date.parse(r.json.createdAt)));
        expected.push({ action: 'project.create', target: name, actor: 'test-admin' });
      }
      assertProblem(
        await h.call('POST', `${V1}/projects`, { body: { name: 'alpha' } }),
        409,
        'CC_E_CONFLICT',
      );
      const all = await h.call('GET', `${V1}/projects`);
      ok(all);
      assert.deepEqual(
        all.json.items.map((p: { name: string }) => p.name),
        ['alpha', 'beta', 'default'],
      );
      const alphaViewer = await h.token('viewer', 'alpha');
      const mine = await h.call('GET', `${V1}/projects`, { token: alphaViewer });
      assert.deepEqual(
        mine.json.items.map((p: { name: string }) => p.name),
        ['alpha'],
      );
      const one = await h.call('GET', `${V1}/projects/alpha`, { token: alphaViewer });
      ok(one);
      assert.deepEqual(
        { ...one.json, createdAt: undefined },
        { name: 'alpha', createdAt: undefined, workflows: 0, agents: 0, runs: 0 },
      );
      const projectAdmin = await h.token('admin', 'alpha');
      assertProblem(
        await h.call('POST', `${V1}/projects`, { token: projectAdmin, body: { name: 'gamma' } }),
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
      const first = await h.call('POST', `${V1}/agents`, { body: v1 });
      ok(first, 201);
      assert.equal(first.json.created, true);
      assert.equal(first.json.version, '1.0.0');
      assert.equal(first.json.manifest.name, 'greeter');
      expected.push({ action: 'agent.apply', target: 'greeter@1.0.0', actor: 'test-admin' });
      const again = await h.call('POST', `${V1}/agents`, { body: v1 });
      ok(again, 200);
      assert.equal(again.json.created, false);

      const yaml = stringify({ ...v1, version: '1.1.0', actions: { hello: {}, bye: {} } });
      const y = await h.call('POST', `${V1}/agents`, {
        body: yaml,
        headers: { 'content-type': 'application/yaml' },
      });
      ok(y, 201);
      assert.equal(y.json.version, '1.1.0');
      expected.push({ action: 'agent.apply', target: 'greeter@1.1.0', actor: 'test-admin' });
      const yAgain = await h.call('POST', `${V1}/agents`, {
        body: yaml,
        headers: { 'content-type': 'application/yaml' },
      });
      ok(yAgain, 200);
      assert.equal(yAgain.json.created, false);

      const list = await h.call('GET', `${V1}/agents`);
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

      const show = await h.call('GET', `${V1}/agents/greeter`);
      ok(show);
      assert.equal(show.json.manifest.version, '1.1.0');
      assert.deepEqual(
        show.json.versions.map((v: { version: string }) => v.version),
        ['1.1.0', '1.0.0'],
      );
      const old = await h.call('GET', `${V1}/agents/greeter/versions/1.0.0`);
      ok(old);
      assert.equal(old.json.version, '1.0.0');
      assert.deepEqual(Object.keys(old.json.manifest.actions), ['hello']);
      assertProblem(
        await h.call('GET', `${V1}/agents/greeter/versions/9.9.9`),
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
      const created = await apply(v1);
      ok(created, 201);
      assert.deepEqual(
        { name: created.json.name, version: created.json.version, created: created.json.created },
        { name: 'wf-life', version: 1, created: true },
      );
      const same = await apply(v1);
      ok(same, 200);
      assert.equal(same.json.created, false);
      assert.equal(same.json.version, 1);

      // Validation saves nothing.
      const v2 = {
        ...v1,
        description: 'second',
        nodes: [...v1.nodes, node('b', 'echo', { dependsOn: ['a'], inputs: { n: 2 } })],
      };
      const before = await h.dump();
      const valid = await h.call('POST', `${V1}/workflows/validate`, {
        body: stringify(v2),
        headers: { 'content-type': 'application/yaml' },
      });
      ok(valid);
      assert.equal(valid.json.ok, true);
      assert.equal(valid.json.name, 'wf-life');
      assert.ok(Array.isArray(valid.json.warnings));
      assert.equal(valid.json.definition.nodes.length, 2);
      assert.equal(await h.dump(), before, 'validate changed the database');

      const second = await apply(v2);
      ok(second, 201);
      assert.equal(second.json.version, 2);

      const list = await h.call('GET', `${V1}/workflows`);
      ok(list);
      const item = list.json.items.find((w: { name: string }) => w.name === 'wf-life');
      assert.deepEqual(
        { ...item, updatedAt: undefined },
        {
          name: 'wf-life',
          latestVersion: 2,
          description: 'second',
          archived: false,
          updatedAt: undefined,
        },
      );

      const show = await h.call('GET', `${V1}/workflows/wf-life`);
      ok(show);
      assert.equal(show.json.latestVersion, 2);
      assert.equal(show.json.archived, false);
      assert.deepEqual(show.json.source, v2);
      assert.deepEqual(
        show.json.versions.map((v: { version: number }) => v.version),
        [2, 1],
      );
      assert.ok(show.json.versions.every((v: { hash: string }) => /\S/.test(v.hash)));

      const one = await h.call('GET', `${V1}/workflows/wf-life/versions/1`);
      ok(one);
      assert.equal(one.json.version, 1);
      assert.deepEqual(one.json.source, v1);
      assert.equal(one.json.definition.nodes.length, 1);

      const diff = await h.call('GET', `${V1}/workflows/wf-life/diff?from=1&to=2`);
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

      const archived = await h.call('DELETE', `${V1}/workflows/wf-life`);
      ok(archived);
      assert.deepEqual(archived.json, { name: 'wf-life', archived: true });
      expected.push({ action: 'workflow.archive', target: 'wf-life', actor: 'test-admin' });
      // Archiving again answers the same and changes nothing (no new audit entry either).
      const unchanged = await h.dump();
      const again = await h.call('DELETE', `${V1}/workflows/wf-life`);
      ok(again);
      assert.deepEqual(again.json, { name: 'wf-life', archived: true });
      assert.equal(await h.dump(), unchanged, 're-archiving changed the database');
      const hidden = await h.call('GET', `${V1}/workflows`);
      assert.ok(!hidden.json.items.some((w: { name: string }) => w.name === 'wf-life'));
      const shown = await h.call('GET', `${V1}/workflows?archived=true`);
      assert.equal(
        shown.json.items.find((w: { name: string }) => w.name === 'wf-life').archived,
        true,
      );
      assertProblem(
        await h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-life' } }),
        409,
        'CC_E_WORKFLOW_ARCHIVED',
      );
      // Applying the same content again restores it (no new version), and says so in the audit.
      const restored = await apply(v2);
      ok(restored, 200);
      assert.deepEqual([restored.json.version, restored.json.created], [2, false]);
      expected.push({ action: 'workflow.restore', target: 'wf-life@2', actor: 'test-admin' });
      const run = await h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-life' } });
      ok(run, 202);
      expected.push({ action: 'run.trigger', target: run.json.id, actor: 'test-admin' });
    });

    test('runs: 202 on trigger; Idempotency-Key repeats answer 200 with the same run, another input 422', async () => {
      await apply({
        name: 'wf-idem',
        inputs: { type: 'object', properties: { n: { type: 'integer' } } },
        nodes: [node('a', 'echo', { inputs: { n: '{{ input.n }}' } })],
      });
      const headers = { 'idempotency-key': `key-${kind}` };
      const first = await h.call('POST', `${V1}/runs`, {
        body: { workflow: 'wf-idem', input: { n: 1 } },
        headers,
      });
      ok(first, 202);
      assert.equal(first.json.created, true);
      assert.equal(first.json.workflow, 'wf-idem');
      assert.equal(first.json.version, 1);
      expected.push({ action: 'run.trigger', target: first.json.id, actor: 'test-admin' });
      const repeat = await h.call('POST', `${V1}/runs`, {
        body: { workflow: 'wf-idem', input: { n: 1 } },
        headers,
      });
      ok(repeat, 200);
      assert.equal(repeat.json.id, first.json.id);
      assert.equal(repeat.json.created, false);
      const other = await h.call('POST', `${V1}/runs`, {
        body: { workflow: 'wf-idem', input: { n: 2 } },
        headers,
      });
      assertProblem(other, 422, 'CC_E_IDEMPOTENCY_MISMATCH');
      assert.equal(await h.waitForRun(first.json.id), 'succeeded');
      const runs = await h.call('GET', `${V1}/runs?workflow=wf-idem`);
      assert.equal(runs.json.items.length, 1);
    });

    test('runs: list with filters and cursor pagination over 3 pages', async () => {
      await apply({
        name: 'wf-page',
        nodes: [node('a', 'echo', { inputs: { i: '{{ input.i }}' } })],
      });
      await apply({ name: 'wf-page-fail', nodes: [node('a', 'fail', {})] });
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await runToEnd('wf-page', { i }));
      const failed = await runToEnd('wf-page-fail');

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = `${V1}/runs?workflow=wf-page&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await h.call('GET', q);
        ok(page);
        pages++;
        assert.ok(page.json.items.length <= 3);
        for (const r of page.json.items) {
          assert.equal(r.workflow, 'wf-page');
          assert.equal(r.status, 'succeeded');
          assert.equal(typeof r.durationMs, 'number');
          assert.equal(r.trigger.type, 'manual');
          seen.push(r.id);
        }
        cursor = page.json.nextCursor;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...ids].reverse(), 'newest first, each run once');

      const byStatus = await h.call('GET', `${V1}/runs?status=failed`);
      ok(byStatus);
      assert.ok(byStatus.json.items.some((r: { id: string }) => r.id === failed));
      assert.ok(byStatus.json.items.every((r: { status: string }) => r.status === 'failed'));
      const none = await h.call('GET', `${V1}/runs?workflow=wf-page&status=failed`);
      assert.deepEqual(none.json, { items: [], nextCursor: null });
    });

    let failedRun = '';
    test('runs: show with steps, attempts, resolved inputs, outputs and errors; logs', async () => {
      await apply({
        name: 'wf-show',
        inputs: {
          type: 'object',
          properties: { msg: { type: 'string' } },
          required: ['msg'],
        },
        nodes: [
          node('a', 'echo', { inputs: { said: '{{ input.msg }}', fixed: 7 } }),
          node('b', 'fail', {
            dependsOn: ['a'],
            inputs: { message: 'b broke after {{ nodes.a.output.said }}' },
          }),
        ],
      });
      failedRun = await runToEnd('wf-show', { msg: 'hi' });
      const show = await h.call('GET', `${V1}/runs/${failedRun}`);
      ok(show);
      const run = show.json;
      assert.equal(run.status, 'failed');
      assert.deepEqual(run.input, { msg: 'hi' });
      assert.equal(run.workflow, 'wf-show');
      assert.deepEqual(run.agentVersions, { test: '1.0.0' });
      assert.ok(run.error);
      const a = run.steps.find((s: { key: string }) => s.key === 'a');
      const b = run.steps.find((s: { key: string }) => s.key === 'b');
      assert.equal(a.status, 'succeeded');
      assert.deepEqual(a.input, { said: 'hi', fixed: 7 });
      assert.deepEqual(a.output, { said: 'hi', fixed: 7 });
      assert.equal(a.agent, 'test');
      assert.equal(a.action, 'echo');
      assert.equal(a.attempts.length, 1);
      assert.deepEqual(a.attempts[0].input, { said: 'hi', fixed: 7 });
      assert.equal(a.attempts[0].status, 'succeeded');
      assert.equal(typeof a.attempts[0].worker, 'string');
      assert.equal(b.status, 'failed');
      assert.deepEqual(b.input, { message: 'b broke after hi' });
      assert.equal(b.error.message, 'b broke after hi');
      assert.equal(b.attempts[0].error.message, 'b broke after hi');

      const logs = await h.call('GET', `${V1}/runs/${failedRun}/logs`);
      ok(logs);
      const lines = logs.json.items.map((l: { stepKey: string; line: string }) => [
        l.stepKey,
        l.line,
      ]);
      assert.deepEqual(lines, [['a', 'echo {"said":"hi","fixed":7}']]);
      assert.equal(logs.json.items[0].attempt, 1);
      const onlyB = await h.call('GET', `${V1}/runs/${failedRun}/logs?step=b`);
      assert.deepEqual(onlyB.json.items, []);
      const after = await h.call(
        'GET',
        `${V1}/runs/${failedRun}/logs?cursor=${logs.json.nextCursor}`,
      );
      assert.deepEqual(after.json.items, []);
    });

    test('runs: cancel a running run; cancelling again is 409', async () => {
      await apply({ name: 'wf-slow', nodes: [node('a', 'sleep', { inputs: { ms: 600_000 } })] });
      const r = await h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-slow' } });
      ok(r, 202);
      expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      await h.waitForEvent((e) => e.type === 'workflow.step.started' && e.runId === r.json.id);
      const c = await h.call('POST', `${V1}/runs/${r.json.id}/cancel`, { body: {} });
      ok(c);
      assert.deepEqual(c.json, { id: r.json.id, status: 'cancelled' });
      expected.push({ action: 'run.cancel', target: r.json.id, actor: 'test-admin' });
      assert.equal(await h.waitForRun(r.json.id), 'cancelled');
      assertProblem(
        await h.call('POST', `${V1}/runs/${r.json.id}/cancel`),
        409,
        'CC_E_RUN_NOT_CANCELLABLE',
      );
    });

    test('runs: re-run from the failed step and from scratch, on the pinned and the latest version', async () => {
      const rerun = async (body: Record<string, string>) => {
        const r = await h.call('POST', `${V1}/runs/${failedRun}/rerun`, { body });
        ok(r, 202);
        assert.equal(r.json.rerunOf, failedRun);
        assert.equal(r.json.created, true);
        expected.push({ action: 'run.rerun', target: r.json.id, actor: 'test-admin' });
        await h.waitForRun(r.json.id);
        return (await h.call('GET', `${V1}/runs/${r.json.id}`)).json;
      };
      const executedA = (runId: string) =>
        h.received.filter((x) => x.runId === runId && x.key === 'a').length;

      const fromFailed = await rerun({ from: 'failed' });
      assert.equal(fromFailed.version, 1);
      assert.equal(fromFailed.status, 'failed');
      assert.equal(fromFailed.rerunOf, failedRun);
      assert.equal(fromFailed.rerunMode, 'failed');
      assert.equal(fromFailed.trigger.type, 'rerun');
      assert.deepEqual(fromFailed.input, { msg: 'hi' });
      assert.equal(executedA(fromFailed.id), 0, 'the succeeded step is reused, not re-executed');
      assert.deepEqual(fromFailed.steps.find((s: { key: string }) => s.key === 'a').output, {
        said: 'hi',
        fixed: 7,
      });

      const scratch = await rerun({ from: 'scratch', version: 'pinned' });
      assert.equal(scratch.version, 1);
      assert.equal(scratch.status, 'failed');
      assert.equal(executedA(scratch.id), 1, 'from scratch runs every step again');

      // v2 fixes the failing node: the latest version succeeds.
      await apply({
        name: 'wf-show',
        inputs: { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] },
        nodes: [
          node('a', 'echo', { inputs: { said: '{{ input.msg }}', fixed: 7 } }),
          node('b', 'echo', { dependsOn: ['a'], inputs: { ok: '{{ nodes.a.output.said }}' } }),
        ],
      });
      const latest = await rerun({ from: 'failed', version: 'latest' });
      assert.equal(latest.version, 2);
      assert.equal(latest.status, 'succeeded');
      assert.equal(executedA(latest.id), 0);
      assert.deepEqual(latest.steps.find((s: { key: string }) => s.key === 'b').output, {
        ok: 'hi',
      });
      const latestScratch = await rerun({ from: 'scratch', version: 'latest' });
      assert.equal(latestScratch.version, 2);
      assert.equal(latestScratch.status, 'succeeded');
      assert.equal(executedA(latestScratch.id), 1);
    });

    test('approvals: pending with snapshot; approve with comment, reject; a second decision is 409', async () => {
      await apply({
        name: 'wf-gate',
        nodes: [
          node('prep', 'echo', { inputs: { target: 'prod' } }),
          node('ship', 'deploy', {
            dependsOn: ['prep'],
            inputs: { where: '{{ nodes.prep.output.target }}' },
          }),
        ],
      });
      const start = async () => {
        const r = await h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-gate' } });
        ok(r, 202);
        expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
        await h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === r.json.id);
        return r.json.id as string;
      };
      const runA = await start();
      const runB = await start();
      const pending = await h.call('GET', `${V1}/approvals`);
      ok(pending);
      const mine = pending.json.items.filter((a: { runId: string }) =>
        [runA, runB].includes(a.runId),
      );
      assert.equal(mine.length, 2);
      const a = mine.find((x: { runId: string }) => x.runId === runA);
      assert.equal(a.status, 'pending');
      assert.equal(a.workflow, 'wf-gate');
      assert.equal(a.stepKey, 'ship');
      assert.equal(a.nodeId, 'ship');
      assert.deepEqual(a.snapshot.input, { where: 'prod' });
      assert.deepEqual(a.snapshot.upstream, { prep: { output: { target: 'prod' } } });
      assert.equal(a.snapshot.risk, 'high');
      const b = mine.find((x: { runId: string }) => x.runId === runB);
      const one = await h.call('GET', `${V1}/approvals/${a.id}`);
      ok(one);
      assert.deepEqual(one.json, a);

      const approver = await h.token('approver');
      const yes = await h.call('POST', `${V1}/approvals/${a.id}/approve`, {
        token: approver,
        body: { comment: 'looks fine' },
      });
      ok(yes);
      assert.deepEqual(yes.json, { id: a.id, status: 'approved' });
      expected.push({ action: 'approval.approve', target: a.id, actor: 'approver-default-' });
      const no = await h.call('POST', `${V1}/approvals/${b.id}/reject`, {
        token: approver,
        body: { comment: 'not today' },
      });
      ok(no);
      assert.deepEqual(no.json, { id: b.id, status: 'rejected' });
      expected.push({ action: 'approval.reject', target: b.id, actor: 'approver-default-' });

      assert.equal(await h.waitForRun(runA), 'succeeded');
      assert.equal(await h.waitForRun(runB), 'failed');
      assertProblem(
        await h.call('POST', `${V1}/approvals/${a.id}/reject`, { token: approver }),
        409,
        'CC_E_APPROVAL_ALREADY_DECIDED',
      );
      assertProblem(
        await h.call('POST', `${V1}/approvals/${b.id}/approve`, { token: approver }),
        409,
        'CC_E_APPROVAL_ALREADY_DECIDED',
      );
      const decided = await h.call('GET', `${V1}/approvals/${a.id}`);
      assert.equal(decided.json.status, 'approved');
      assert.equal(decided.json.comment, 'looks fine');
      assert.match(decided.json.decidedBy, /^approver-default-/);
      const all = await h.call('GET', `${V1}/approvals?status=all`);
      assert.ok(all.json.items.some((x: { id: string }) => x.id === b.id));
      const rejected = await h.call('GET', `${V1}/approvals?status=rejected`);
      assert.deepEqual(
        rejected.json.items.map((x: { id: string }) => x.id),
        [b.id],
      );
      const shipped = (await h.call('GET', `${V1}/runs/${runA}`)).json;
      assert.deepEqual(shipped.steps.find((s: { key: string }) => s.key === 'ship').output, {
        deployed: { where: 'prod' },
      });
    });

    test('tokens: the value is shown once; lists never show values or hashes; revoked and expired tokens are refused', async () => {
      const created = await h.call('POST', `${V1}/tokens`, {
        body: { name: 'ci', role: 'operator', project: 'default', expiresIn: '30d' },
      });
      ok(created, 201);
      const value = created.json.token as string;
      assert.match(value, /^cc_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.json.role, 'operator');
      assert.equal(created.json.project, 'default');
      assert.equal(created.json.createdBy, 'test-admin');
      const days = (Date.parse(created.json.expiresAt) - Date.now()) / 86_400_000;
      assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
      expected.push({ action: 'token.create', target: created.json.id, actor: 'test-admin' });

      const who = await h.call('GET', `${V1}/whoami`, { token: value });
      ok(who);
      assert.deepEqual(who.json, {
        tokenId: created.json.id,
        name: 'ci',
        role: 'operator',
        project: 'default',
      });

      const hash = createHash('sha256').update(value).digest('hex');
      for (const url of [`${V1}/tokens`, `${V1}/tokens?project=default`]) {
        const list = await h.call('GET', url);
        ok(list);
        assert.ok(!list.text.includes(value), 'a list shows a token value');
        assert.ok(!list.text.includes(hash), 'a list shows a token hash');
        for (const t of list.json.items) {
          assert.deepEqual(Object.keys(t).sort(), [
            'createdAt',
            'createdBy',
            'expiresAt',
            'id',
            'name',
            'project',
            'revokedAt',
            'role',
          ]);
        }
        assert.ok(list.json.items.some((t: { id: string }) => t.id === created.json.id));
      }

      const revoked = await h.call('DELETE', `${V1}/tokens/${created.json.id}`);
      ok(revoked);
      assert.deepEqual(revoked.json, { id: created.json.id, revoked: true });
      expected.push({ action: 'token.revoke', target: created.json.id, actor: 'test-admin' });
      assertProblem(
        await h.call('GET', `${V1}/whoami`, { token: value }),
        401,
        'CC_E_TOKEN_REVOKED',
      );
      const listed = await h.call('GET', `${V1}/tokens`);
      assert.ok(listed.json.items.find((t: { id: string }) => t.id === created.json.id).revokedAt);

      // Expiry: a token whose expires_at has passed (set in the store; no waiting on the clock).
      const short = await h.call('POST', `${V1}/tokens`, {
        body: { name: 'short', role: 'viewer', expiresIn: '1h' },
      });
      ok(short, 201);
      expected.push({ action: 'token.create', target: short.json.id, actor: 'test-admin' });
      await h.store.query(
        `UPDATE tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [short.json.id],
      );
      assertProblem(
        await h.call('GET', `${V1}/whoami`, { token: short.json.token }),
        401,
        'CC_E_TOKEN_EXPIRED',
      );
    });

    test('roles: viewer cannot trigger, operator cannot approve, approver can; project admins stay in their project', async () => {
      await apply({ name: 'wf-roles', nodes: [node('ship', 'deploy', { inputs: {} })] });
      const viewer = await h.token('viewer');
      const operator = await h.token('operator');
      const approver = await h.token('approver');
      const projectAdmin = await h.token('admin', 'default');

      ok(await h.call('GET', `${V1}/runs`, { token: viewer }));
      assertProblem(
        await h.call('POST', `${V1}/runs`, { token: viewer, body: { workflow: 'wf-roles' } }),
        403,
        'CC_E_FORBIDDEN',
      );
      const run = await h.call('POST', `${V1}/runs`, {
        token: operator,
        body: { workflow: 'wf-roles' },
      });
      ok(run, 202);
      expected.push({ action: 'run.trigger', target: run.json.id, actor: 'operator-default-' });
      await h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === run.json.id);
      const ap = (await h.call('GET', `${V1}/approvals`, { token: viewer })).json.items.find(
        (a: { runId: string }) => a.runId === run.json.id,
      );
      assertProblem(
        await h.call('POST', `${V1}/approvals/${ap.id}/approve`, { token: operator }),
        403,
        'CC_E_FORBIDDEN',
      );
      assertProblem(
        await h.call('POST', `${V1}/approvals/${ap.id}/approve`, { token: viewer }),
        403,
        'CC_E_FORBIDDEN',
      );
      ok(await h.call('POST', `${V1}/approvals/${ap.id}/approve`, { token: approver }));
      expected.push({ action: 'approval.approve', target: ap.id, actor: 'approver-default-' });
      assert.equal(await h.waitForRun(run.json.id), 'succeeded');

      // Admin routes.
      assertProblem(
        await h.call('GET', `${V1}/tokens`, { token: approver }),
        403,
        'CC_E_FORBIDDEN',
      );
      assertProblem(await h.call('GET', `${V1}/audit`, { token: operator }), 403, 'CC_E_FORBIDDEN');
      assertProblem(
        await h.call('POST', `${V1}/tokens`, {
          token: projectAdmin,
          body: { name: 'hub', role: 'viewer', project: null },
        }),
        403,
        'CC_E_FORBIDDEN',
      );
      const own = await h.call('POST', `${V1}/tokens`, {
        token: projectAdmin,
        body: { name: 'own', role: 'operator' },
      });
      ok(own, 201);
      assert.equal(own.json.project, 'default');
      expected.push({ action: 'token.create', target: own.json.id, actor: 'admin-default-' });
      const listed = await h.call('GET', `${V1}/tokens`, { token: projectAdmin });
      ok(listed);
      assert.ok(listed.json.items.every((t: { project: string }) => t.project === 'default'));
      assertProblem(
        await h.call('POST', `${V1}/tokens`, {
          token: projectAdmin,
          body: { name: 'x', role: 'viewer', project: 'alpha' },
        }),
        404,
        'CC_E_NOT_FOUND',
      );
    });

    test('project isolation: another project’s objects answer 404, exactly as ids that do not exist', async () => {
      const agent = await h.call('POST', `${V1}/agents?project=beta`, { body: testAgent });
      ok(agent, 201);
      expected.push({ action: 'agent.apply', target: 'test@1.0.0', actor: 'test-admin' });
      await apply({ name: 'wf-beta', nodes: [node('ship', 'deploy', { inputs: {} })] }, 'beta');
      const r = await h.call('POST', `${V1}/runs?project=beta`, { body: { workflow: 'wf-beta' } });
      ok(r, 202);
      expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      const betaRun = r.json.id as string;
      await h.waitForEvent((e) => e.type === 'approval.requested' && e.runId === betaRun);
      const betaApproval = (await h.call('GET', `${V1}/approvals?project=beta`)).json.items[0]
        .id as string;
      const betaToken = await h.call('POST', `${V1}/tokens`, {
        body: { name: 'beta-ops', role: 'operator', project: 'beta' },
      });
      ok(betaToken, 201);
      expected.push({ action: 'token.create', target: betaToken.json.id, actor: 'test-admin' });
      const betaTokenId = betaToken.json.id as string;

      const alphaAdmin = await h.token('admin', 'alpha');
      const same = async (
        method: string,
        url: (id: string) => string,
        real: string,
        body?: unknown,
      ) => {
        const a = await h.call(method, url(real), { token: alphaAdmin, body });
        const b = await h.call(method, url(MISSING_ID), { token: alphaAdmin, body });
        assertProblem(a, 404, 'CC_E_NOT_FOUND', undefined, `${method} ${url(real)}`);
        assertProblem(b, 404, 'CC_E_NOT_FOUND', undefined, `${method} ${url(MISSING_ID)}`);
        const norm = (x: ApiResponse) =>
          x.text.replaceAll(real, '<id>').replaceAll(MISSING_ID, '<id>');
        assert.equal(norm(a), norm(b), `${method} ${url('<id>')} discloses existence`);
      };
      await same('GET', (id) => `${V1}/runs/${id}`, betaRun);
      await same('GET', (id) => `${V1}/runs/${id}/logs`, betaRun);
      await same('POST', (id) => `${V1}/runs/${id}/cancel`, betaRun, {});
      await same('POST', (id) => `${V1}/runs/${id}/rerun`, betaRun, {});
      await same('GET', (id) => `${V1}/approvals/${id}`, betaApproval);
      await same('POST', (id) => `${V1}/approvals/${id}/approve`, betaApproval, {});
      await same('DELETE', (id) => `${V1}/tokens/${id}`, betaTokenId);
      // Project-scoped lists and named objects: beta is as unknown as a project that does not exist.
      for (const path of [
        '/workflows',
        '/workflows/wf-beta',
        '/runs',
        '/approvals',
        '/tokens',
        '/agents',
        '/secrets',
      ]) {
        const a = await h.call('GET', `${V1}${path}?project=beta`, { token: alphaAdmin });
        const b = await h.call('GET', `${V1}${path}?project=nosuch`, { token: alphaAdmin });
        assertProblem(a, 404, 'CC_E_NOT_FOUND', undefined, path);
        assertProblem(b, 404, 'CC_E_NOT_FOUND', undefined, path);
        assert.equal(
          a.text.replaceAll('project beta', 'project <p>'),
          b.text.replaceAll('project nosuch', 'project <p>'),
          path,
        );
      }
      const proj = await h.call('GET', `${V1}/projects/beta`, { token: alphaAdmin });
      const none = await h.call('GET', `${V1}/projects/nosuch`, { token: alphaAdmin });
      assertProblem(proj, 404, 'CC_E_NOT_FOUND');
      assert.equal(proj.text.replaceAll('beta', '<p>'), none.text.replaceAll('nosuch', '<p>'));

      // The beta token sees its own run; nothing changed for beta.
      const betaOps = betaToken.json.token as string;
      ok(await h.call('GET', `${V1}/runs/${betaRun}`, { token: betaOps }));
      const cancelled = await h.call('POST', `${V1}/runs/${betaRun}/cancel`, { token: betaOps });
      ok(cancelled);
      expected.push({ action: 'run.cancel', target: betaRun, actor: 'beta-ops' });
      assert.equal(await h.waitForRun(betaRun), 'cancelled');
    });

    test('secrets through the API: set, replace, rotate, list names only, delete', async () => {
      const put = await h.call('PUT', `${V1}/secrets/API_KEY`, { body: { value: 'v1-abc' } });
      ok(put, 201);
      assert.deepEqual(put.json, { name: 'API_KEY', version: 1, created: true });
      expected.push({ action: 'secret.create', target: 'API_KEY', actor: 'test-admin' });
      const replaced = await h.call('PUT', `${V1}/secrets/API_KEY`, { body: { value: 'v2-abc' } });
      ok(replaced, 200);
      assert.deepEqual(replaced.json, { name: 'API_KEY', version: 2, created: false });
      expected.push({ action: 'secret.set', target: 'API_KEY', actor: 'test-admin' });
      const rotated = await h.call('POST', `${V1}/secrets/API_KEY/rotate`, {
        body: { value: 'v3-abc' },
      });
      ok(rotated);
      assert.deepEqual(rotated.json, { name: 'API_KEY', version: 3 });
      expected.push({ action: 'secret.rotate', target: 'API_KEY', actor: 'test-admin' });
      const list = await h.call('GET', `${V1}/secrets`, { token: await h.token('viewer') });
      ok(list);
      assert.deepEqual(
        list.json.items.map((s: { name: string; version: number }) => [s.name, s.version]),
        [['API_KEY', 3]],
      );
      assert.ok(!/v[123]-abc/.test(list.text));
      const del = await h.call('DELETE', `${V1}/secrets/API_KEY`);
      ok(del);
      assert.deepEqual(del.json, { name: 'API_KEY', deleted: true });
      expected.push({ action: 'secret.delete', target: 'API_KEY', actor: 'test-admin' });
      assertProblem(await h.call('DELETE', `${V1}/secrets/API_KEY`), 404, 'CC_E_NOT_FOUND');
    });

    test('sessions: POST /api/v1/session sets the cookie; the one-time /login link works once', async () => {
      const viewer = await h.token('viewer');
      const login = await h.call('POST', `${V1}/session`, { token: null, body: { token: viewer } });
      ok(login);
      assert.equal(login.json.role, 'viewer');
      expected.push({
        action: 'session.open',
        target: login.json.tokenId,
        actor: 'viewer-default-',
      });
      const setCookie = String(login.headers['set-cookie']);
      assert.match(setCookie, /^cc_session=ccs_[^;]+;/);
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Lax/i);
      const cookie = setCookie.split(';')[0]!;
      const who = await h.call('GET', `${V1}/whoami`, { token: null, headers: { cookie } });
      ok(who);
      assert.equal(who.json.role, 'viewer');
      assert.equal(who.json.project, 'default');
      assertProblem(
        await h.call('POST', `${V1}/runs`, {
          token: null,
          headers: { cookie },
          body: { workflow: 'wf-page' },
        }),
        403,
        'CC_E_FORBIDDEN',
      );
      ok(await h.call('DELETE', `${V1}/session`, { token: null, headers: { cookie } }));
      assertProblem(
        await h.call('GET', `${V1}/whoami`, { token: null, headers: { cookie } }),
        401,
        'CC_E_UNAUTHORIZED',
      );
      assertProblem(
        await h.call('POST', `${V1}/session`, { token: null, body: { token: 'cc_wrong' } }),
        401,
        'CC_E_UNAUTHORIZED',
      );

      const code = await h.services.sessions.createLoginCode();
      const first = await h.call('GET', `/login?code=${encodeURIComponent(code)}`, {
        token: null,
      });
      assert.equal(first.status, 303);
      assert.equal(first.headers.location, '/');
      expected.push({ action: 'session.open', target: 'one-time login link', actor: 'login-link' });
      const linkCookie = String(first.headers['set-cookie']).split(';')[0]!;
      assert.match(linkCookie, /^cc_session=ccs_/);
      const admin = await h.call('GET', `${V1}/whoami`, {
        token: null,
        headers: { cookie: linkCookie },
      });
      ok(admin);
      assert.deepEqual(admin.json, {
        tokenId: null,
        name: 'login-link',
        role: 'admin',
        project: null,
      });
      const second = await h.call('GET', `/login?code=${encodeURIComponent(code)}`, {
        token: null,
      });
      assertProblem(second, 401, 'CC_E_UNAUTHORIZED');
      assert.equal(second.headers['set-cookie'], undefined);
    });

    test('events: SSE filtered by run, resumable with Last-Event-ID (exactly the missed events)', async () => {
      const base = await h.listen();
      await apply({
        name: 'wf-sse',
        nodes: [
          node('a', 'echo', { inputs: { n: 1 } }),
          node('b', 'echo', { dependsOn: ['a'], inputs: { n: 2 } }),
        ],
      });
      const headers = { authorization: `Bearer ${h.admin}` };
      const start = await h.services.feed.head();
      const noise = await runToEnd('wf-page', { i: 99 });
      const runId = await runToEnd('wf-sse');
      const truth = await h.store.query<{ type: string }>(
        `SELECT type FROM events WHERE run_id = $1 ORDER BY tx, id`,
        [runId],
      );
      const types = truth.rows.map((r) => r.type);
      assert.equal(types.at(-1), 'workflow.run.succeeded');

      const done = (ms: { event?: string }[]) =>
        ms.some((m) => m.event === 'workflow.run.succeeded');
      const all = await readSse(
        `${base}${V1}/events?run=${runId}`,
        { ...headers, 'last-event-id': start },
        done,
      );
      assert.equal(all.status, 200);
      assert.match(String(all.contentType), /^text\/event-stream/);
      const evs = all.messages.map((m) => ({ ...m, json: JSON.parse(m.data) }));
      assert.deepEqual(
        evs.map((e) => e.event),
        types,
        'every event of the run, in order, nothing of other runs',
      );
      for (const e of evs) {
        assert.equal(e.json.runId, runId);
        assert.equal(e.json.type, e.event);
        assert.ok(e.id);
      }
      assert.ok(!all.raw.includes(noise));

      // Resume after the third event: exactly the rest.
      const k = 2;
      const rest = await readSse(
        `${base}${V1}/events?run=${runId}`,
        { ...headers, 'last-event-id': evs[k]!.id! },
        done,
      );
      assert.deepEqual(
        rest.messages.map((m) => m.id),
        evs.slice(k + 1).map((e) => e.id),
      );
      // The same through ?lastEventId= (clients that cannot set headers), filtered by type.
      const typed = await readSse(
        `${base}${V1}/events?run=${runId}&types=workflow.step.succeeded,workflow.run.succeeded&lastEventId=${start}`,
        headers,
        done,
      );
      assert.deepEqual(
        typed.messages.map((m) => m.event),
        ['workflow.step.succeeded', 'workflow.step.succeeded', 'workflow.run.succeeded'],
      );

      // Live: a stream opened now receives the next run's events as they happen.
      const liveDone = (ms: { event?: string }[]) =>
        ms.some((m) => m.event === 'workflow.run.succeeded');
      let opened!: () => void;
      const isOpen = new Promise<void>((resolve) => (opened = resolve));
      const live = readSse(`${base}${V1}/events?workflow=wf-sse`, headers, liveDone, {
        onOpen: opened,
      });
      await isOpen;
      const r = await h.call('POST', `${V1}/runs`, { body: { workflow: 'wf-sse' } });
      expected.push({ action: 'run.trigger', target: r.json.id, actor: 'test-admin' });
      const got = await live;
      assert.ok(
        got.messages.every((m) => JSON.parse(m.data).data.workflow === 'wf-sse'),
        'workflow filter',
      );
      assert.ok(got.messages.some((m) => JSON.parse(m.data).runId === r.json.id));

      // Another project's stream is not found; a bad Last-Event-ID is a 400 before streaming.
      const alphaViewer = await h.token('viewer', 'alpha');
      const foreign = await readSse(
        `${base}${V1}/events?project=beta`,
        { authorization: `Bearer ${alphaViewer}` },
        () => true,
      );
      assert.equal(foreign.status, 404);
      const bad = await readSse(
        `${base}${V1}/events`,
        { ...headers, 'last-event-id': 'nope' },
        () => true,
      );
      assert.equal(bad.status, 400);
      assert.equal(JSON.parse(bad.raw).code, 'CC_E_BAD_REQUEST');
    });

    test('audit: every mutation above is recorded with actor, action, target and ip; GET /audit paginates', async () => {
      const items: {
        id: string;
        actor: string;
        action: string;
        target: string;
        ip: string;
        at: string;
        userAgent: string | null;
      }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: ApiResponse = await h.call(
          'GET',
          `${V1}/audit?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
        );
        ok(page);
        assert.ok(page.json.items.length <= 10);
        items.push(...page.json.items);
        cursor = page.json.nextCursor;
        pages++;
      } while (cursor);
      assert.ok(pages >= 3, `${pages} pages`);
      const ids = items.map((i) => Number(i.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
        'newest first',
      );
      assert.equal(new Set(ids).size, ids.length, 'no entry twice');
      for (const e of expected) {
        const found = items.filter(
          (i) => i.action === e.action && i.target === e.target && i.actor.startsWith(e.actor),
        );
        assert.equal(found.length, 1, `audit ${e.action} ${e.target} by ${e.actor}`);
        assert.equal(found[0]!.ip, '127.0.0.1');
        assert.ok(!Number.isNaN(Date.parse(found[0]!.at)));
      }
      // Every recorded mutation is one the suite made (no failed request was recorded).
      const known = new Set(expected.map((e) => `${e.action} ${e.target}`));
      const extra = items.filter((i) => !known.has(`${i.action} ${i.target}`));
      assert.deepEqual(extra, []);

      const cancels = await h.call('GET', `${V1}/audit?action=run.cancel`);
      assert.deepEqual(
        cancels.json.items.map((i: { action: string }) => i.action),
        ['run.cancel', 'run.cancel'],
      );
      const alphaAdmin = await h.token('admin', 'alpha');
      const alpha = await h.call('GET', `${V1}/audit`, { token: alphaAdmin });
      ok(alpha);
      assert.deepEqual(
        alpha.json.items.map((i: { target: string }) => i.target),
        ['alpha'],
      );
    });
  });
}
