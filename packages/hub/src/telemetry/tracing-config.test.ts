import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { v7 as uuidv7 } from 'uuid';
import { PinnedIdGenerator } from './trace-id-generator.js';
import { inboundTrace, runTrace } from './trace-ids.js';
import { Tracing } from './tracing.js';
import { samplerFromEnv, traceExportersFromEnv } from './tracing-config.js';

/** Tracing's configuration (the OTEL_* variables only) and the ids that tie a run's spans. */

/** Runs `fn` with exactly these OTEL_* variables in process.env (the SDK reads it itself). */
function withOtelEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith('OTEL_'));
  for (const [k] of saved) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const k of Object.keys(vars)) delete process.env[k];
    for (const [k, v] of saved) process.env[k] = v;
  }
}

describe('tracing configuration', () => {
  test('on only when an exporter or an OTLP endpoint is named; OTEL_SDK_DISABLED wins', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    const cases: [Record<string, string>, string[]][] = [
      [{}, []],
      [endpoint, ['otlp']],
      [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, ['otlp']],
      [{ OTEL_TRACES_EXPORTER: 'console' }, ['console']],
      [{ OTEL_TRACES_EXPORTER: 'otlp, console' }, ['otlp', 'console']],
      [{ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, []],
      [{ ...endpoint, OTEL_SDK_DISABLED: 'true' }, []],
      [{ ...endpoint, OTEL_SDK_DISABLED: 'false' }, ['otlp']],
    ];
    for (const [env, expected] of cases) {
      assert.deepEqual(traceExportersFromEnv(env), expected, JSON.stringify(env));
    }
    const warnings: string[] = [];
    assert.deepEqual(
      traceExportersFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' }, (l) => warnings.push(l)),
      [],
    );
    assert.match(warnings[0]!, /zipkin/);
  });

  test('Tracing.fromEnv: nothing at all when the variables leave tracing off', () => {
    withOtelEnv({}, () => assert.equal(Tracing.fromEnv(), undefined));
    withOtelEnv({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'console' }, () =>
      assert.equal(Tracing.fromEnv(), undefined),
    );
  });

  test('samplers as the specification names them; a bad value falls back with a warning', () => {
    const name = (env: Record<string, string>, warn?: (l: string) => void) =>
      samplerFromEnv(env, warn).toString();
    assert.equal(
      name({}),
      'ParentBased{root=AlwaysOnSampler, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}',
    );
    assert.equal(name({ OTEL_TRACES_SAMPLER: 'always_off' }), 'AlwaysOffSampler');
    assert.equal(
      name({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }),
      'TraceIdRatioBased{0.25}',
    );
    const warnings: string[] = [];
    const warn = (l: string) => warnings.push(l);
    assert.match(name({ OTEL_TRACES_SAMPLER: 'sometimes' }, warn), /^ParentBased\{root=AlwaysOn/);
    assert.equal(
      name({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, warn),
      'TraceIdRatioBased{1}',
    );
    assert.equal(warnings.length, 2);
  });
});

describe('trace ids', () => {
  test('an inbound traceparent is validated and normalised; anything else is ignored', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    assert.deepEqual(inboundTrace({ traceparent: tp }), { traceparent: tp });
    assert.deepEqual(inboundTrace({ traceparent: [tp, 'x'], tracestate: 'a=1,b=2' }), {
      traceparent: tp,
      tracestate: 'a=1,b=2',
    });
    // A later version may append fields: its ids are kept, written as version 00.
    assert.deepEqual(
      inboundTrace({ traceparent: '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-x' }),
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03' },
    );
    for (const bad of [
      undefined,
      '',
      'garbage',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
      `${tp}-extra`,
    ]) {
      assert.equal(inboundTrace({ traceparent: bad, tracestate: 'a=1' }), undefined, bad);
    }
  });

  test('a run’s trace: its id, or the stored traceparent’s trace; the root span from md5', () => {
    const id = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
    // The same values 012_tracing.sql computes (checked against the database in the engine suite).
    assert.deepEqual(runTrace(id, { type: 'manual' }), {
      runId: id,
      traceId: '0192f3a45b6c7d8e9f0123456789abcd',
      rootSpanId: 'cbbd78b5efa0ff30',
    });
    assert.deepEqual(
      runTrace(id, {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00',
        tracestate: 'v=1',
      }),
      {
        runId: id,
        traceId: '0af7651916cd43dd8448eb211c80319c',
        rootSpanId: 'cbbd78b5efa0ff30',
        parent: { spanId: 'b7ad6b7169203331', traceFlags: 0, traceState: 'v=1' },
      },
    );
  });

  test('pinned ids go to the one span started with them, then ids are random again', () => {
    const ids = new PinnedIdGenerator();
    const got = ids.withIds({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, () => [
      ids.generateSpanId(),
      ids.generateTraceId(),
      ids.generateSpanId(),
    ]);
    assert.deepEqual(got.slice(0, 2), ['b'.repeat(16), 'a'.repeat(32)]);
    assert.notEqual(got[2], 'b'.repeat(16));
    assert.match(ids.generateTraceId(), /^[0-9a-f]{32}$/);
  });
});

describe('sampling of a run', () => {
  let tracing: Tracing;
  before(() => {
    tracing = withOtelEnv(
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' },
      () => new Tracing({ exporters: [new InMemorySpanExporter()], simple: true }),
    );
  });
  after(() => tracing.shutdown());

  test('the run span and its step spans, recorded apart, make the same decision', () => {
    const seen = new Set<boolean>();
    for (let i = 0; i < 64; i++) {
      const run = runTrace(uuidv7(), {});
      const step = tracing.tracer.startSpan('workflow.step', {}, tracing.runContext(run));
      const root = tracing.startRunSpan(run, {});
      assert.equal(root.spanContext().spanId, run.rootSpanId);
      assert.equal(step.isRecording(), root.isRecording(), run.traceId);
      seen.add(root.isRecording());
      step.end();
      root.end();
    }
    assert.deepEqual([...seen].sort(), [false, true], 'runs of both kinds at a ratio of 0.5');
  });
});
