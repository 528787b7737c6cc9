/**
 * The live event feed (`GET /api/v1/events`) as an async iterator that survives dropped
 * connections: it reconnects with `Last-Event-ID`, so the hub resends exactly what was missed.
 */
import { CCError } from '../errors.js';
import type { CCEvent } from '../events.js';
import type { StreamedEvent } from './api-types.js';
import { resumableSse, type ResumableSseOptions } from './sse-connection.js';
import type { SseMessage } from './sse.js';
import type { Query, Transport } from './transport.js';

/** Options of {@link HubClient.events}. */
export type EventStreamOptions = ResumableSseOptions;

/** Streams the events of `query`, reconnecting after dropped connections. */
export async function* eventStream(
  transport: Transport,
  query: Query,
  opts: EventStreamOptions = {},
): AsyncGenerator<StreamedEvent, void, undefined> {
  for await (const message of resumableSse(transport, '/api/v1/events', query, opts)) {
    yield toStreamedEvent(message);
  }
}

function toStreamedEvent(message: SseMessage): StreamedEvent {
  let event: CCEvent;
  try {
    event = JSON.parse(message.data) as CCEvent;
  } catch {
    throw new CCError('CC_E_INTERNAL', {
      detail: `the event stream sent data that is not JSON (event ${message.event}, id ${message.id || 'none'})`,
    });
  }
  return { cursor: message.id, event };
}
