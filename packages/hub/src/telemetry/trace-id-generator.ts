import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * Random ids, except for spans started inside {@link PinnedIdGenerator.withIds}: a run's
 * `workflow.run` span is recorded when the run ends, possibly in another process than the one
 * that created it, yet must carry the ids its step spans already named as their parent (chosen
 * when the run was created, see trace-ids.ts). The SDK lets a tracer provider have its own
 * `IdGenerator` for exactly this; `Tracer.startSpan` asks it synchronously for the new span's id
 * (and, for a span without a parent, its trace id).
 */
export class PinnedIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private pinned: { traceId?: string; spanId?: string } | undefined;

  generateTraceId(): string {
    const id = this.pinned?.traceId;
    if (id === undefined) return this.random.generateTraceId();
    this.pinned!.traceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.pinned?.spanId;
    if (id === undefined) return this.random.generateSpanId();
    this.pinned!.spanId = undefined;
    return id;
  }

  /** Calls `start`, which starts exactly one span synchronously: that span gets these ids. */
  withIds<T>(ids: { traceId: string; spanId: string }, start: () => T): T {
    this.pinned = { ...ids };
    try {
      return start();
    } finally {
      this.pinned = undefined;
    }
  }
}
