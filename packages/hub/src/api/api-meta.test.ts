import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { V1 } from '../testing/api-harness.js';
import { apiSuite, ok } from '../testing/api-suite.js';
import { storeKinds } from '../testing/stores.js';

/** Health probes and the OpenAPI document: what clients and operators rely on first. */

/** The routes of docs/api.md's table, as `METHOD /path` with `{param}` placeholders. */
function documentedRoutes(): string[] {
  const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
  const out: string[] = [];
  for (const m of doc.matchAll(/^\|\s*`(GET|POST|PUT|DELETE|PATCH) ([^`?]+)(?:\?[^`]*)?`/gm)) {
    out.push(`${m[1]} ${m[2]!.trim()}`);
  }
  return out;
}

for (const kind of storeKinds()) {
  describe(`REST API health and OpenAPI on ${kind}`, () => {
    const api = apiSuite(kind);

    test('/healthz and /readyz answer without a token', async () => {
      const health = await api.h.call('GET', '/healthz', { token: null });
      ok(health);
      assert.deepEqual(health.json, { status: 'ok' });
      const ready = await api.h.call('GET', '/readyz', { token: null });
      ok(ready);
      assert.deepEqual(ready.json, { status: 'ready' });
    });

    test('/api/v1/openapi.json is an OpenAPI 3.1 document listing every documented route', async () => {
      const res = await api.h.call('GET', `${V1}/openapi.json`);
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
  });
}
