/**
 * The event bus (SPEC §6): one interface, two implementations — NATS JetStream (`NATS_URL`) and
 * the in-process bus. Engine events (read from the outbox by the leader) and external events
 * (published through the API or, with NATS, by any NATS client) reach `event:` triggers through it.
 */

/** An engine event as read from the outbox (`events`), in feed order. */
export interface OutboxEvent {
  /** The outbox id (a bigint, as text). */
  id: string;
  project: string;
  /** The event type of the typed event map, e.g. `workflow.run.succeeded`. */
  type: string;
  runId: string | null;
  data: unknown;
  /** ISO time the event was written. */
  time: string;
}

/** One message of a project's bus, as the event triggers see it. */
export interface BusMessage {
  project: string;
  /** The subject without its `cc.<project>.` prefix, e.g. `audit.result.fail`. */
  subject: string;
  /** The payload as published (JSON by convention; anything else is handed on as text). */
  data: Uint8Array | string;
  /** The message id (`Nats-Msg-Id`): `cc-event-<id>` for engine events. */
  msgId?: string;
  /** The message's place in the project's JetStream stream (NATS only). */
  stream?: { name: string; seq: number; created: string };
  bus: 'nats' | 'local';
}

/** What a project's event triggers want from the bus. */
export interface ProjectInterest {
  /** The distinct subject patterns of its active event triggers (relative to `cc.<project>.`). */
  patterns: readonly string[];
  /**
   * When its triggers last changed: a durable consumer created later starts with the messages
   * stored since then, so events published right after a workflow was applied are not missed.
   */
  since: Date;
}

/** Where a bus delivers the messages meant for event triggers. */
export interface EventSink {
  /** The projects that have active event triggers (`fresh`: read now, not from a cache). */
  interest(opts?: { fresh?: boolean }): Promise<ReadonlyMap<string, ProjectInterest>>;
  /** Handles one message; rejects when it must be delivered again (a store error). */
  deliver(message: BusMessage): Promise<void>;
}

export interface PublishOptions {
  /**
   * The message id: a second message with the same id creates no second run (JetStream also
   * drops it within its duplicate window). Default: a new UUID.
   */
  msgId?: string;
}

export interface PublishResult {
  /** The subject, relative to `cc.<project>.`. */
  subject: string;
  /** The message id. */
  id: string;
  /** JetStream had already stored a message with this id (it was not stored again). */
  duplicate: boolean;
}

/** Why a publication failed. */
export class EventBusError extends Error {
  constructor(
    message: string,
    /** `unavailable`: NATS cannot be reached; `not-captured`: no stream stores the subject; `too-large`: over the server's payload limit. */
    readonly kind: 'unavailable' | 'not-captured' | 'too-large',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EventBusError';
  }
}

/** The bus of a hub process. */
export interface EventBus {
  readonly kind: 'nats' | 'local';
  /**
   * Publishes an external event on `cc.<project>.<subject>`; resolves once it is durable (stored
   * by JetStream) or, in-process, once every matching trigger has fired. Rejects with an
   * {@link EventBusError}.
   */
  publish(
    project: string,
    subject: string,
    payload: unknown,
    opts?: PublishOptions,
  ): Promise<PublishResult>;
  /** Hands engine events to the bus, in order; rejects when they must be handed again. */
  publishEngineEvents(events: readonly OutboxEvent[]): Promise<void>;
  /** Starts delivering messages for event triggers to `sink`, until {@link EventBus.close}. */
  consume(sink: EventSink): Promise<void>;
  /** Re-reads which projects want messages (after workflows were applied). */
  refresh(): Promise<void>;
  /** Stops consuming (in-flight messages finish) and closes connections. */
  close(): Promise<void>;
}
