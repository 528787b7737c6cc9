import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { buildApp } from '../api/app.js';
import { loadConfig } from '../config.js';
import {
  V1,
  assertProblem,
  node,
  openApiHarness,
  type ApiHarness,
} from '../testing/api-harness.js';
import { storeKinds } from '../testing/stores.js';
import { ATTR } from './trace-attributes.js';
import { Tracing } from './tracing.js';

/**
 * Traces through the hub's HTTP API: a span per request continuing the caller's `traceparent`,
 * runs started by a request (API or webhook) that carries one continue its trace, the runs API
 * shows each run's trace id, and the UI reads the tracing UI's link template.
 */

const CALLER = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
const traceparent = `00-${CALLER.traceId}-${CALLER.spanId}-01`;
const TEMPLATE = 'http://localhost:3000/explore?traceId={traceId}';

for (const kind of storeKinds()) {
  describe(`traces through the API (${kind})`, () => {
    const exporter = new InMemorySpanExporter();
    const tracing = new Tracing({ exporters: [exporter], simple: true });
    let h: ApiHarness;

    before(async () => {
      h = await openApiHarness(kind, { tracing, env: { CC_TRACE_URL_TEMPLATE: TEMPLATE } });
      const r = await h.call('POST', `${V1}/workflows`, {
        body: {
          name: 'traced',
          triggers: [{ webhook: 'ci', auth: 'token' }],
          nodes: [node('a', 'echo', { inputs: { got: '{{ input }}' } })],
        },
      });
      assert.equal(r.status, 201, r.text);
    });
    after(async () => {
      await h?.close();
      await tracing.shutdown();
    });

    const spans = async () => {
      await tracing.forceFlush();
      return exporter.getFinishedSpans();
    };
    const root = (all: ReadableSpan[], runId: string) =>
      all.find((s) => s.name === 'workflow.run' && s.attributes[ATTR.run] === runId)!;
    const start = async (headers: Record<string, string> = {}) => {
      const r = await h.call('POST', `${V1}/runs`, { body: { workflow: 'traced' }, headers });
      assert.equal(r.status, 202, r.text);
      assert.equal(await h.waitForRun(r.json.id), 'succeeded');
      return r.json.id as string;
    };

    test('a request is a server span; its store queries are its children', async () => {
      exporter.reset();
      const runId = await start();
      const all = await spans();
      const server = all.find((s) => s.name === 'POST /api/v1/runs' && s.kind === SpanKind.SERVER)!;
      assert.ok(server, 'a span for the request');
      assert.equal(server.parentSpanContext, undefined, 'no caller context: a trace of its own');
      assert.equal(server.attributes['http.request.method'], 'POST');
      assert.equal(server.attributes['http.route'], '/api/v1/runs');
      assert.equal(server.attributes['http.response.status_code'], 202);
      const queries = all.filter(
        (s) => s.parentSpanContext?.spanId === server.spanContext().spanId,
      );
      assert.ok(
        queries.some((q) => q.name === 'cc_create_and_claim' && q.kind === SpanKind.CLIENT),
        `the run's creation is a query of the request: ${queries.map((q) => q.name).join(', ')}`,
      );
      const create = queries.find((q) => q.name === 'cc_create_and_claim')!;
      assert.equal(create.attributes['db.system.name'], 'postgresql');
      assert.match(String(create.attributes['db.query.text']), /cc_create_and_claim\(\$1/);
      // The run has its own trace: its id, not the request's.
      assert.equal(root(all, runId).spanContext().traceId, runId.replaceAll('-', ''));
      // Probes are not traced.
      exporter.reset();
      assert.equal((await h.call('GET', '/healthz', { token: null })).status, 200);
      assert.deepEqual(
        (await spans()).filter((s) => s.kind === SpanKind.SERVER).map((s) => s.name),
        [],
      );
    });

    test('the runs API shows each run’s trace id', async () => {
      const plain = await start();
      const continued = await start({ traceparent });
      const one = await h.call('GET', `${V1}/runs/${plain}`);
      assert.equal(one.status, 200);
      assert.equal(one.json.traceId, plain.replaceAll('-', ''));
      const other = await h.call('GET', `${V1}/runs/${continued}`);
      assert.equal(other.json.traceId, CALLER.traceId);
      assert.equal(other.json.trigger.traceparent, traceparent);
      const list = await h.call('GET', `${V1}/runs?workflow=traced`);
      const byId = new Map(
        (list.json.items as { id: string; traceId: string }[]).map((r) => [r.id, r.traceId]),
      );
      assert.equal(byId.get(plain), plain.replaceAll('-', ''));
      assert.equal(byId.get(continued), CALLER.traceId);
    });

    test('a run started with a traceparent continues the caller’s trace', async () => {
      exporter.reset();
      const runId = await start({ traceparent, tracestate: 'vendor=x' });
      const all = await spans();
      const run = root(all, runId);
      assert.equal(run.spanContext().traceId, CALLER.traceId);
      assert.equal(run.parentSpanContext?.spanId, CALLER.spanId);
      const server = all.find((s) => s.name === 'POST /api/v1/runs')!;
      assert.equal(server.spanContext().traceId, CALLER.traceId);
      assert.equal(server.parentSpanContext?.spanId, CALLER.spanId);
      const step = all.find((s) => s.name === 'workflow.step' && s.attributes[ATTR.run] === runId)!;
      assert.equal(step.parentSpanContext?.spanId, run.spanContext().spanId);
      assert.equal(step.spanContext().traceState?.get('vendor'), 'x');
    });

    test('a webhook delivery with a traceparent continues the sender’s trace', async () => {
      exporter.reset();
      const operator = await h.token('operator');
      const r = await h.call('POST', '/hooks/default/ci', {
        token: operator,
        body: { build: 7 },
        headers: { traceparent },
      });
      assert.equal(r.status, 202, r.text);
      const runId = r.json.runs[0].runId as string;
      assert.equal(await h.waitForRun(runId), 'succeeded');
      const shown = await h.call('GET', `${V1}/runs/${runId}`);
      assert.equal(shown.json.traceId, CALLER.traceId);
      assert.equal(shown.json.trigger.type, 'webhook');
      const all = await spans();
      const run = root(all, runId);
      assert.equal(run.spanContext().traceId, CALLER.traceId);
      assert.equal(run.parentSpanContext?.spanId, CALLER.spanId);
      assert.equal(run.attributes[ATTR.trigger], 'webhook');
      const hook = all.find((s) => s.name === 'POST /hooks/:project/:name')!;
      assert.equal(hook.parentSpanContext?.spanId, CALLER.spanId);
      assert.ok(
        all.some(
          (s) =>
            s.name === 'workflow.step' &&
            s.spanContext().traceId === CALLER.traceId &&
            s.parentSpanContext?.spanId === run.spanContext().spanId,
        ),
      );
    });

    test('a malformed traceparent is ignored, never refused', async () => {
      const runId = await start({ traceparent: '00-not-a-trace-01' });
      const shown = await h.call('GET', `${V1}/runs/${runId}`);
      assert.equal(shown.json.traceId, runId.replaceAll('-', ''));
      assert.equal(shown.json.trigger.traceparent, undefined);
    });

    test('GET /ui/config: the trace link template (null when unset), for any role', async () => {
      const viewer = await h.token('viewer');
      const r = await h.call('GET', `${V1}/ui/config`, { token: viewer });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { traceUrlTemplate: TEMPLATE });
      assertProblem(
        await h.call('GET', `${V1}/ui/config`, { token: null }),
        401,
        'CC_E_UNAUTHORIZED',
      );
      const bare = await buildApp({
        ...h.services,
        bodyLimit: 1_048_576,
        rateLimit: 0,
        config: {},
      });
      try {
        const res = await bare.inject({
          method: 'GET',
          url: `${V1}/ui/config`,
          headers: { authorization: `Bearer ${viewer}` },
        });
        assert.deepEqual(res.json(), { traceUrlTemplate: null });
      } finally {
        await bare.close();
      }
    });
  });
}

describe('CC_TRACE_URL_TEMPLATE', () => {
  test('must be an http(s) URL with {traceId}', () => {
    assert.equal(loadConfig({ CC_TRACE_URL_TEMPLATE: TEMPLATE }).traceUrlTemplate, TEMPLATE);
    assert.equal(loadConfig({}).traceUrlTemplate, undefined);
    for (const bad of ['http://localhost:3000/explore', 'ftp://x/{traceId}', '{traceId}']) {
      assert.throws(
        () => loadConfig({ CC_TRACE_URL_TEMPLATE: bad }),
        (err: { code?: string }) => err.code === 'CC_E_CONFIG_INVALID',
        bad,
      );
    }
  });
});
