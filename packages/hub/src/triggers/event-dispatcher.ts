import { createHash } from 'node:crypto';
import type { Queryable } from '../store/port.js';
import type { BusMessage, EventSink, ProjectInterest } from '../bus/event-bus.js';
import { matchSubject } from '../bus/subjects.js';
import type { TriggerFirer } from './trigger-firer.js';
import type { EventTriggerIndex } from './event-trigger-index.js';

/** What a trigger's run gets from a message: `event` (for `when` and templates) and `input`. */
export interface EventPayload {
  /** The payload parsed as JSON; text that is not JSON as a string; an empty payload as null. */
  event: unknown;
  /** The payload when it is a JSON object, else `{}` (validated against the workflow's inputs). */
  input: Record<string, unknown>;
}

/** Reads a message's payload (see {@link EventPayload}). */
export function parseEventPayload(data: Uint8Array | string): EventPayload {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  let event: unknown = null;
  if (text.trim() !== '') {
    try {
      event = JSON.parse(text);
    } catch {
      event = text;
    }
  }
  const input =
    typeof event === 'object' && event !== null && !Array.isArray(event)
      ? (event as Record<string, unknown>)
      : {};
  return { event, input };
}

/**
 * The identity of a message, for the runs' idempotency keys: its message id, else its place in
 * its stream (the stream's creation time keeps a re-created stream's sequences apart).
 */
export function messageKey(m: BusMessage): string {
  const key = m.msgId ?? (m.stream ? `${m.stream.name}@${m.stream.created}#${m.stream.seq}` : '');
  if (key === '') throw new Error('a bus message needs a message id or a stream position');
  return key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** First tokens of the engine's run-scoped events (their data carries `runId`). */
const RUN_EVENTS = new Set(['workflow', 'approval']);

/**
 * Fires the event triggers a message matches (SPEC §6): every active `event:` trigger of the
 * message's project whose subject pattern matches, once per message and trigger (idempotency key
 * `event:<message key>:<trigger id>`, so a redelivery or a duplicate message id creates no second
 * run). The firer applies `paused` and `when` and records every outcome. An engine event of a run
 * continues that run's trigger chain: depth = the run's depth + 1 (the firer stops long chains).
 */
export class EventDispatcher implements EventSink {
  constructor(
    private readonly store: Queryable,
    private readonly index: EventTriggerIndex,
    private readonly firer: TriggerFirer,
  ) {}

  async interest(opts: { fresh?: boolean } = {}): Promise<ReadonlyMap<string, ProjectInterest>> {
    if (opts.fresh) await this.index.refresh();
    return this.index.interest();
  }

  async deliver(m: BusMessage): Promise<void> {
    const matching = (await this.index.of(m.project)).filter((t) =>
      matchSubject(t.spec.event, m.subject),
    );
    if (matching.length === 0) return;
    const { event, input } = parseEventPayload(m.data);
    const key = messageKey(m);
    const source = {
      bus: m.bus,
      subject: m.subject,
      ...(m.msgId !== undefined ? { msgId: m.msgId } : {}),
      ...(m.stream ? { stream: m.stream.name, seq: m.stream.seq } : {}),
      depth: await this.depthOf(m, event),
    };
    for (const t of matching) {
      await this.firer.fire(t, {
        input,
        event,
        idempotencyKey: `event:${key}:${t.id}`,
        source,
      });
    }
  }

  /** 0 for external events; for an engine event of a run, that run's trigger depth + 1. */
  private async depthOf(m: BusMessage, event: unknown): Promise<number> {
    const runId = (event as { runId?: unknown } | null)?.runId;
    if (!RUN_EVENTS.has(m.subject.split('.')[0]!) || typeof runId !== 'string') return 0;
    if (!UUID.test(runId)) return 0;
    const r = await this.store.query<{ depth: unknown }>(
      `SELECT trigger->'depth' AS depth FROM runs WHERE id = $1::uuid AND project = $2`,
      [runId, m.project],
    );
    if (!r.rows[0]) return 0;
    const depth = Number(r.rows[0].depth ?? 0);
    return (Number.isFinite(depth) ? depth : 0) + 1;
  }
}
