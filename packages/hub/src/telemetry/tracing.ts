import {
  ROOT_CONTEXT,
  SpanKind,
  TraceFlags,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  SamplingDecision,
  SimpleSpanProcessor,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { hubVersion } from './metrics.js';
import { SPAN_NAMES } from './trace-attributes.js';
import { PinnedIdGenerator } from './trace-id-generator.js';
import { formatTraceparent, type RunTrace } from './trace-ids.js';
import { samplerFromEnv, traceExportersFromEnv } from './tracing-config.js';

export interface TracingOptions {
  /** Where spans go: the OTLP exporter ({@link Tracing.fromEnv}), an in-memory one in tests. */
  exporters?: SpanExporter[];
  /** Export each span as it ends instead of in batches (tests); default false. */
  simple?: boolean;
  /** Where configuration warnings go; default console.warn. */
  warn?: (line: string) => void;
}

/** W3C trace context of a span, as headers or environment variables carry it. */
export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

let contextManagerRegistered = false;

/**
 * The OpenTelemetry SDK of one hub or worker process (docs/observability.md, "Traces"). Exists
 * only when tracing is on ({@link Tracing.fromEnv}); when it is off nothing of the SDK is
 * created, no hook is installed, and the engine, store and HTTP app run exactly as without it.
 *
 * The spans of one run are recorded by several processes at different times: its step attempts
 * by whichever workers claim them, its root span by whichever process ends the run. They hang
 * together because a run's trace id and root span id are fixed when it is created (trace-ids.ts)
 * and the sampling decision is a function of them ({@link runContext}).
 */
export class Tracing {
  readonly tracer: Tracer;
  private readonly provider: NodeTracerProvider;
  private readonly ids = new PinnedIdGenerator();
  private readonly sampler: Sampler;
  private readonly recording = new Set<Promise<unknown>>();

  /**
   * Tracing as the `OTEL_*` variables of this process configure it, or undefined when they leave
   * it off. (The SDK's exporter and resource detector read `process.env` themselves.)
   */
  static fromEnv(warn: (line: string) => void = (l) => console.warn(l)): Tracing | undefined {
    const names = traceExportersFromEnv(process.env, warn);
    if (names.length === 0) return undefined;
    // The OTLP exporter reads OTEL_EXPORTER_OTLP_* itself (endpoint, headers, timeout).
    const exporters = names.map((n) =>
      n === 'otlp' ? new OTLPTraceExporter() : new ConsoleSpanExporter(),
    );
    return new Tracing({ exporters, warn });
  }

  constructor(opts: TracingOptions = {}) {
    const warn = opts.warn ?? ((l: string) => console.warn(l));
    this.sampler = samplerFromEnv(process.env, warn);
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) override these defaults.
    const resource = defaultResource()
      .merge(
        resourceFromAttributes({
          [ATTR_SERVICE_NAME]: 'commandcenter',
          [ATTR_SERVICE_VERSION]: hubVersion(),
        }),
      )
      .merge(detectResources({ detectors: [envDetector] }));
    this.provider = new NodeTracerProvider({
      resource,
      sampler: this.sampler,
      idGenerator: this.ids,
      spanProcessors: (opts.exporters ?? []).map((e) =>
        opts.simple ? new SimpleSpanProcessor(e) : new BatchSpanProcessor(e),
      ),
    });
    // AsyncLocalStorage carries the active span across awaits (a step's store queries nest under
    // its span). One context manager per process; the newest provider is the global one.
    trace.disable();
    this.provider.register({
      propagator: null,
      ...(contextManagerRegistered ? { contextManager: null } : {}),
    });
    contextManagerRegistered = true;
    this.tracer = this.provider.getTracer('commandcenter', hubVersion());
  }

  /**
   * The context of a run's root span, the parent of its step and approval spans in every
   * process. Its sampled flag is what the configured sampler decides for the root span (the same
   * decision the process ending the run will make), so a run is traced whole or not at all.
   */
  runContext(run: RunTrace): Context {
    const parent = this.parentOf(run);
    const { decision } = this.sampler.shouldSample(
      parent,
      run.traceId,
      SPAN_NAMES.run,
      SpanKind.INTERNAL,
      {},
      [],
    );
    return trace.setSpanContext(
      ROOT_CONTEXT,
      this.remote(run, run.rootSpanId, decision === SamplingDecision.RECORD_AND_SAMPLED ? 1 : 0),
    );
  }

  /** Starts a run's `workflow.run` span with the ids its children already name (trace-ids.ts). */
  startRunSpan(run: RunTrace, options: SpanOptions): Span {
    return this.ids.withIds({ traceId: run.traceId, spanId: run.rootSpanId }, () =>
      this.tracer.startSpan(SPAN_NAMES.run, options, this.parentOf(run)),
    );
  }

  /** The W3C headers that make a callee's spans children of `span`. */
  headersOf(span: Span): TraceHeaders {
    const c = span.spanContext();
    const state = c.traceState?.serialize();
    return {
      traceparent: formatTraceparent(c.traceId, c.spanId, c.traceFlags),
      ...(state ? { tracestate: state } : {}),
    };
  }

  /**
   * Work that records spans after an await (tracing-runs.ts reads the run first):
   * {@link forceFlush} and {@link shutdown} wait for it.
   */
  track(work: Promise<unknown>): void {
    const p: Promise<unknown> = work.finally(() => this.recording.delete(p));
    this.recording.add(p);
  }

  /** Exports every span recorded or being recorded (tests, and before a process exits). */
  async forceFlush(): Promise<void> {
    await this.settle();
    await this.provider.forceFlush();
  }

  /** Exports what is buffered and stops; later spans are dropped. */
  async shutdown(): Promise<void> {
    await this.settle();
    await this.provider.shutdown();
  }

  /** Waits for tracked work, including work it started in turn (a few rounds at most). */
  private async settle(): Promise<void> {
    for (let round = 0; round < 10 && this.recording.size > 0; round++) {
      await Promise.allSettled([...this.recording]);
    }
  }

  /** The inbound request's span a run continues, or the root context. */
  private parentOf(run: RunTrace): Context {
    if (!run.parent) return ROOT_CONTEXT;
    return trace.setSpanContext(
      ROOT_CONTEXT,
      this.remote(run, run.parent.spanId, run.parent.traceFlags),
    );
  }

  private remote(run: RunTrace, spanId: string, flags: number): SpanContext {
    const state = run.parent?.traceState;
    return {
      traceId: run.traceId,
      spanId,
      traceFlags: flags & TraceFlags.SAMPLED,
      isRemote: true,
      ...(state ? { traceState: new TraceState(state) } : {}),
    };
  }
}
