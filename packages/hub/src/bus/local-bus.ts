import { randomUUID } from 'node:crypto';
import { engineMsgId } from './subjects.js';
import type {
  BusMessage,
  EventBus,
  EventSink,
  OutboxEvent,
  PublishOptions,
  PublishResult,
} from './event-bus.js';

/**
 * The in-process bus (no `NATS_URL`): messages go straight to this process's event triggers.
 *
 * - Engine events come from the outbox (the leader reads it with a saved cursor), so events of
 *   every process on the database reach the triggers, and none is lost across a restart.
 * - An external event published through the API is delivered before `publish` resolves: the runs
 *   it starts exist when the API answers. It is not stored otherwise: there is no replay, and
 *   other processes never see it (each API process fires its own).
 */
export class LocalEventBus implements EventBus {
  readonly kind = 'local' as const;
  private sink: EventSink | undefined;

  async publish(
    project: string,
    subject: string,
    payload: unknown,
    opts: PublishOptions = {},
  ): Promise<PublishResult> {
    const id = opts.msgId ?? randomUUID();
    await this.sink?.deliver({
      project,
      subject,
      data: JSON.stringify(payload ?? null),
      msgId: id,
      bus: 'local',
    });
    return { subject, id, duplicate: false };
  }

  async publishEngineEvents(events: readonly OutboxEvent[]): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    for (const e of events) await sink.deliver(engineMessage(e, 'local'));
  }

  async consume(sink: EventSink): Promise<void> {
    this.sink = sink;
  }

  async refresh(): Promise<void> {}

  async close(): Promise<void> {
    this.sink = undefined;
  }
}

/** The bus message of an engine event: its data as JSON on `<type>`, id `cc-event-<id>`. */
export function engineMessage(e: OutboxEvent, bus: BusMessage['bus']): BusMessage {
  return {
    project: e.project,
    subject: e.type,
    data: JSON.stringify(e.data ?? null),
    msgId: engineMsgId(e.id),
    bus,
  };
}
