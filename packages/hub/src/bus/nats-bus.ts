import { randomUUID } from 'node:crypto';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
} from '@nats-io/jetstream';
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { LazyNatsConnection } from '../executors/nats-connection.js';
import { EventTriggerConsumers, type EventConsumerOptions } from '../triggers/event-consumer.js';
import {
  EventBusError,
  type EventBus,
  type EventSink,
  type OutboxEvent,
  type PublishOptions,
  type PublishResult,
} from './event-bus.js';
import { ProjectStreams, type StreamSettings } from './jetstream-streams.js';
import { engineMsgId, natsSubject } from './subjects.js';

export interface NatsEventBusOptions {
  /** NATS server URL(s), comma-separated (`config.natsUrl`). */
  servers: string;
  /** Connection name shown by the server (default `commandcenter-event-bus`). */
  name?: string;
  streams?: StreamSettings;
  consumer?: Pick<EventConsumerOptions, 'concurrency' | 'retryMs' | 'ackWaitMs'>;
  /** How often the consumers follow the triggers (default 2000 ms). */
  syncMs?: number;
  /** How long a publication may wait for JetStream's ack (default 10 000 ms). */
  publishTimeoutMs?: number;
  /** Whether this process is the bus leader (it deletes consumers nobody needs). */
  isLeader: () => boolean;
  log: (line: string) => void;
}

/**
 * The bus over NATS JetStream: every event of a project is stored in its stream (`CC_<PROJECT>`,
 * subjects `cc.<project>.…`), engine events with the message id `cc-event-<outbox id>`, and event
 * triggers read the stream through a durable consumer shared by every hub process.
 */
export class NatsEventBus implements EventBus {
  readonly kind = 'nats' as const;
  private readonly conn: LazyNatsConnection;
  private readonly streams: ProjectStreams;
  private clients: { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager } | undefined;
  private consumers: EventTriggerConsumers | undefined;
  private sink: EventSink | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NatsEventBusOptions) {
    this.conn = new LazyNatsConnection({
      servers: opts.servers,
      name: opts.name ?? 'commandcenter-event-bus',
    });
    this.streams = new ProjectStreams(
      async () => (await this.connect()).jsm,
      async (project) => (await this.sink?.interest())?.get(project)?.patterns ?? [],
      opts.streams,
    );
  }

  async publish(
    project: string,
    subject: string,
    payload: unknown,
    opts: PublishOptions = {},
  ): Promise<PublishResult> {
    const id = opts.msgId ?? randomUUID();
    const data = JSON.stringify(payload ?? null);
    let ack: PubAck;
    try {
      ack = await this.send(project, subject, data, id);
    } catch (err) {
      if (!isNoStream(err)) throw this.failure(project, subject, err);
      // The stream may have been deleted behind our back: look again, once.
      this.streams.forget(project);
      try {
        ack = await this.send(project, subject, data, id);
      } catch (again) {
        if (!isNoStream(again)) throw this.failure(project, subject, again);
        throw new EventBusError(
          `no stream stores cc.${project}.${subject}: a two-token subject is stored only when an event trigger of project ${project} names its first token (e.g. \`${subject.split('.')[0]}.*\`); until then no trigger could match it. Add such a trigger, or publish on a subject of one or of three or more tokens.`,
          'not-captured',
          { cause: again },
        );
      }
    }
    return { subject, id, duplicate: ack.duplicate };
  }

  async publishEngineEvents(events: readonly OutboxEvent[]): Promise<void> {
    const { js } = await this.connect();
    for (const project of new Set(events.map((e) => e.project))) {
      await this.streams.ensure(project);
    }
    // One connection keeps their order; the acks come back together.
    await Promise.all(
      events.map((e) => {
        const h = headers();
        h.set('CC-Event-Type', e.type);
        h.set('CC-Event-Id', e.id);
        h.set('CC-Event-Time', e.time);
        if (e.runId) h.set('CC-Run-Id', e.runId);
        return js.publish(natsSubject(e.project, e.type), JSON.stringify(e.data ?? null), {
          msgID: engineMsgId(e.id),
          headers: h,
          timeout: this.opts.publishTimeoutMs ?? 10_000,
        });
      }),
    ).catch((err: unknown) => {
      // A deleted stream is created again on the next attempt.
      for (const e of events) this.streams.forget(e.project);
      throw err;
    });
  }

  async consume(sink: EventSink): Promise<void> {
    this.sink = sink;
    const consumers = new EventTriggerConsumers({
      js: async () => (await this.connect()).js,
      jsm: async () => (await this.connect()).jsm,
      streams: this.streams,
      sink,
      isLeader: this.opts.isLeader,
      log: this.opts.log,
      ...this.opts.consumer,
    });
    this.consumers = consumers;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.syncMs ?? 2000);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    await this.consumers
      ?.sync()
      .catch((err: unknown) =>
        this.opts.log(`event triggers: cannot follow the triggers: ${describe(err)}`),
      );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.consumers?.stop();
    this.consumers = undefined;
    await this.conn.close();
  }

  private async send(project: string, subject: string, data: string, id: string): Promise<PubAck> {
    const { js } = await this.connect();
    await this.streams.ensure(project);
    const h: MsgHdrs = headers();
    h.set('CC-Event-Type', subject);
    return js.publish(natsSubject(project, subject), data, {
      msgID: id,
      headers: h,
      timeout: this.opts.publishTimeoutMs ?? 10_000,
    });
  }

  private async connect() {
    const nc = await this.conn.get();
    if (this.clients?.nc !== nc) {
      this.clients = { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
    }
    return this.clients;
  }

  private failure(project: string, subject: string, err: unknown): EventBusError {
    const text = describe(err);
    if (/max_payload/i.test(text)) {
      return new EventBusError(
        `the event is larger than the NATS server accepts (max_payload): ${text}`,
        'too-large',
        { cause: err },
      );
    }
    return new EventBusError(
      `cannot publish cc.${project}.${subject} to NATS JetStream at ${this.opts.servers}: ${text}`,
      'unavailable',
      { cause: err },
    );
  }
}

/** JetStream answered nothing on the subject: no stream captures it (the client calls that "not enabled"). */
function isNoStream(err: unknown): boolean {
  return err instanceof Error && err.name === 'JetStreamNotEnabled';
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
