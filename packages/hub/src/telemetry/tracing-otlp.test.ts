import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startEngine, type Harness } from '../testing/engine-harness.js';
import { Tracing } from './tracing.js';
import { engineTracing } from './tracing-engine.js';

/**
 * OTLP/HTTP export configured by the standard variables only, to a receiver on 127.0.0.1 that
 * decodes what it gets (JSON: the protocol this exporter speaks).
 */

interface Received {
  path: string;
  contentType: string;
  body: {
    resourceSpans: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeSpans: {
        scope: { name: string };
        spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[];
      }[];
    }[];
  };
}

const OTEL_VARS = {
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_SERVICE_NAME: 'cc-otlp-test',
  OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
};

describe('OTLP/HTTP export', () => {
  const received: Received[] = [];
  let receiver: Server;
  let saved: Record<string, string | undefined>;
  let tracing: Tracing | undefined;
  let h: Harness;
  let unwatch: () => void;

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          contentType: String(req.headers['content-type']),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    saved = Object.fromEntries(Object.keys(OTEL_VARS).map((k) => [k, process.env[k]]));
    Object.assign(process.env, OTEL_VARS, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    });
    tracing = Tracing.fromEnv();
    h = await startEngine('pglite');
    const traced = engineTracing(tracing!, h.store);
    await h.restart({ store: traced.store, attempts: traced.attempts });
    unwatch = traced.watch(h.engine);
  });
  after(async () => {
    unwatch?.();
    await h?.close();
    await tracing?.shutdown();
    for (const [k, v] of Object.entries(saved ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await new Promise((r) => receiver?.close(r));
  });

  test('a run’s spans reach the receiver as OTLP JSON, with the service resource', async () => {
    assert.ok(tracing, 'OTEL_EXPORTER_OTLP_ENDPOINT alone turns tracing on');
    await h.engine.applyWorkflow('default', {
      name: 'exported',
      nodes: [{ id: 'a', agent: 'test', action: 'noop' }],
    });
    const r = await h.engine.createRun('default', 'exported');
    assert.equal(await h.engine.waitForRun(r.id), 'succeeded');
    await tracing!.forceFlush();

    assert.ok(received.length > 0, 'the exporter posted');
    for (const x of received) {
      assert.equal(x.path, '/v1/traces');
      assert.match(x.contentType, /^application\/json/);
    }
    const resources = received.flatMap((x) => x.body.resourceSpans);
    const attrs = new Map(
      resources[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]),
    );
    assert.equal(attrs.get('service.name'), 'cc-otlp-test');
    assert.equal(attrs.get('deployment.environment.name'), 'test');
    const spans = resources.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans));
    const traceId = r.id.replaceAll('-', '');
    const mine = spans.filter((s) => s.traceId === traceId);
    const run = mine.find((s) => s.name === 'workflow.run');
    const step = mine.find((s) => s.name === 'workflow.step');
    assert.ok(run && step, `spans of the run: ${mine.map((s) => s.name).join(', ')}`);
    assert.equal(step.parentSpanId, run.spanId);
  });
});
