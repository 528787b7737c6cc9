import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { EventSink, ProjectInterest } from '../bus/event-bus.js';
import type { ProjectStreams, StreamRef } from '../bus/jetstream-streams.js';
import { subjectPrefix } from '../bus/subjects.js';

/** The durable consumer every hub process shares on each project's stream. */
export const TRIGGER_CONSUMER = 'cc-triggers';

export interface EventConsumerOptions {
  js: () => Promise<JetStreamClient>;
  jsm: () => Promise<JetStreamManager>;
  streams: ProjectStreams;
  sink: EventSink;
  /** Only the leader deletes the consumer of a project that no longer has event triggers. */
  isLeader: () => boolean;
  log: (line: string) => void;
  /** Messages handled at once per project by this process (default 16). */
  concurrency?: number;
  /**
   * Delay before a message whose handling failed is delivered again, and before setting up a
   * project's consumer again after a failure (default 2000 ms; doubled per failure up to 30 s).
   */
  retryMs?: number;
  /** How long the server waits for an ack before redelivering (default 30 s). */
  ackWaitMs?: number;
}

/** Starts consuming the messages of one project for its event triggers; resolves at once. */
export class ProjectConsumer {
  private stopped = false;
  private messages: ConsumerMessages | undefined;
  private readonly loop: Promise<void>;
  private wake: (() => void) | undefined;
  private markReady!: () => void;
  /**
   * Settles once the first attempt to set up the project's stream and consumer ended (consuming,
   * or failed and retrying), or on stop.
   */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    readonly project: string,
    private interest: ProjectInterest,
    private readonly opts: EventConsumerOptions,
  ) {
    this.loop = this.run();
  }

  /** Whether it stopped (asked to, or because the project's last trigger went). */
  get done(): boolean {
    return this.stopped;
  }

  /** The project's triggers changed: make the stream capture what they need. */
  async update(interest: ProjectInterest): Promise<void> {
    const changed = interest.patterns.join('\n') !== this.interest.patterns.join('\n');
    this.interest = interest;
    if (changed) await this.opts.streams.sync(this.project, interest.patterns);
  }

  /** Stops pulling; resolves when the messages in hand were handled (acked or nak'ed). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.messages?.close().catch(() => {});
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const stream = await this.opts.streams.sync(this.project, this.interest.patterns);
        await this.ensureConsumer(stream);
        if (this.stopped) break;
        failures = 0;
        await this.consume(stream);
      } catch (err) {
        this.markReady();
        if (this.stopped) break;
        const retryMs = Math.min(30_000, (this.opts.retryMs ?? 2000) * 2 ** failures++);
        this.opts.log(
          `event triggers of ${this.project}: ${(err as Error).message ?? String(err)}; retrying in ${retryMs} ms`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryMs);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    this.markReady();
  }

  private async ensureConsumer(stream: StreamRef): Promise<void> {
    const jsm = await this.opts.jsm();
    try {
      await jsm.consumers.info(stream.name, TRIGGER_CONSUMER);
      return;
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) {
        throw err;
      }
    }
    // The leader deletes the consumer when the last trigger goes: do not bring it back then.
    if (!(await this.opts.sink.interest({ fresh: true })).has(this.project)) {
      this.stopped = true;
      return;
    }
    // Messages stored since the triggers changed (a second of slack for clock skew).
    const since = new Date(this.interest.since.getTime() - 1000);
    await jsm.consumers.add(stream.name, {
      durable_name: TRIGGER_CONSUMER,
      description: `CommandCenter event triggers of project ${this.project}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
      ack_wait: nanos(this.opts.ackWaitMs ?? 30_000),
      max_deliver: -1,
      max_ack_pending: 1000,
    });
  }

  private async consume(stream: StreamRef): Promise<void> {
    const js = await this.opts.js();
    const consumer = await js.consumers.get(stream.name, TRIGGER_CONSUMER);
    const concurrency = this.opts.concurrency ?? 16;
    const messages = await consumer.consume({
      max_messages: concurrency * 2,
      abort_on_missing_resource: true,
    });
    this.messages = messages;
    this.markReady();
    if (this.stopped) await messages.close();
    const inflight = new Set<Promise<void>>();
    try {
      for await (const m of messages) {
        const p: Promise<void> = this.handle(m, stream).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= concurrency) await Promise.race(inflight);
      }
    } finally {
      await Promise.all(inflight);
    }
    if (!this.stopped) throw new Error(`the consumer of ${stream.name} stopped; consuming again`);
  }

  /** Delivers one message to the triggers; acks it, or asks for it again later. Never rejects. */
  private async handle(m: JsMsg, stream: StreamRef): Promise<void> {
    const prefix = subjectPrefix(this.project);
    try {
      await this.opts.sink.deliver({
        project: this.project,
        subject: m.subject.startsWith(prefix) ? m.subject.slice(prefix.length) : m.subject,
        data: m.data,
        ...(m.headers?.get('Nats-Msg-Id') ? { msgId: m.headers.get('Nats-Msg-Id') } : {}),
        stream: { name: stream.name, seq: m.seq, created: stream.created },
        bus: 'nats',
      });
      m.ack();
    } catch (err) {
      const retryMs = this.opts.retryMs ?? 2000;
      this.opts.log(
        `event triggers of ${this.project}: message ${m.seq} on ${m.subject} failed, delivering it again in ${retryMs} ms: ${(err as Error).message ?? String(err)}`,
      );
      m.nak(retryMs);
    }
  }
}

/**
 * The durable pull consumers of event triggers (SPEC §6): one per project that has active event
 * triggers (`cc-triggers` on its stream), shared by every hub process, so each message is handled
 * by one of them and acked after the firer recorded its outcomes; a failure (a store error) is
 * delivered again after `retryMs`. Messages stored while every hub was down are handled once they
 * start. Follows the triggers every `syncMs`: new projects get a consumer, the stream's subjects
 * follow the patterns, and the leader deletes the consumer of a project without event triggers.
 */
export class EventTriggerConsumers {
  private readonly running = new Map<string, ProjectConsumer>();
  private current: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: EventConsumerOptions) {}

  /**
   * Brings the consumers in line with the projects' event triggers, as they are now: a call
   * while a sync runs waits for it and then syncs again (calls meanwhile share that one).
   */
  sync(): Promise<void> {
    this.queued ??= (async () => {
      await this.current?.catch(() => {});
      this.queued = undefined;
      const p = this.doSync();
      this.current = p;
      try {
        await p;
      } finally {
        if (this.current === p) this.current = undefined;
      }
    })();
    return this.queued;
  }

  /** Stops every consumer (in-flight messages finish). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queued?.catch(() => {});
    await this.current?.catch(() => {});
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((c) => c.stop()));
  }

  private async doSync(): Promise<void> {
    if (this.stopped) return;
    const interest = await this.opts.sink.interest({ fresh: true });
    if (this.stopped) return;
    for (const [project, want] of interest) {
      const c = this.running.get(project);
      if (!c || c.done) {
        const started = new ProjectConsumer(project, want, this.opts);
        this.running.set(project, started);
        await started.ready;
        continue;
      }
      await c.update(want).catch((err: unknown) => this.report(project, err));
    }
    for (const [project, c] of [...this.running]) {
      if (interest.has(project)) continue;
      this.running.delete(project);
      await c.stop();
      if (this.opts.isLeader()) {
        await this.deleteConsumer(project).catch((err: unknown) => this.report(project, err));
      }
    }
  }

  /** The project has no event triggers left: its stored messages are not for anyone. */
  private async deleteConsumer(project: string): Promise<void> {
    const jsm = await this.opts.jsm();
    const stream = await this.opts.streams.ensure(project);
    try {
      await jsm.consumers.delete(stream.name, TRIGGER_CONSUMER);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)
        return;
      throw err;
    }
    this.opts.log(
      `event triggers of ${project}: none left; deleted the consumer ${TRIGGER_CONSUMER} of ${stream.name}`,
    );
  }

  private report(project: string, err: unknown): void {
    this.opts.log(`event triggers of ${project}: ${(err as Error).message ?? String(err)}`);
  }
}
