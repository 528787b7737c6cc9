/**
 * A run's live log (`GET /api/v1/runs/{id}/logs/stream`) as an async iterator: the stored lines,
 * then each new one as the hub stores it, until the run has ended and every line was sent. A
 * dropped connection is resumed with `Last-Event-ID`, so no line is lost or repeated.
 */
import { CCError } from '../errors.js';
import type { FollowedLogLine, LogLine } from './api-types.js';
import { resumableSse, type ResumableSseOptions } from './sse-connection.js';
import type { Transport } from './transport.js';

/** Options of {@link HubClient.followLogs}. */
export interface FollowLogsOptions extends Omit<ResumableSseOptions, 'lastEventId'> {
  /** Only the lines of this step key. */
  step?: string;
  /** Start after this line (the `cursor` of a line received before); default the first line. */
  cursor?: string;
}

/** Follows the log of run `runId`; the iteration ends when the hub sends `end`. */
export async function* logStream(
  transport: Transport,
  runId: string,
  opts: FollowLogsOptions = {},
): AsyncGenerator<FollowedLogLine, void, undefined> {
  const { step, cursor, ...rest } = opts;
  const path = `/api/v1/runs/${encodeURIComponent(runId)}/logs/stream`;
  for await (const message of resumableSse(
    transport,
    path,
    { step },
    { ...rest, lastEventId: cursor },
  )) {
    if (message.event === 'end') return;
    if (message.event !== 'log') continue;
    let line: LogLine;
    try {
      line = JSON.parse(message.data) as LogLine;
    } catch {
      throw new CCError('CC_E_INTERNAL', {
        detail: `the log stream sent data that is not JSON (id ${message.id || 'none'})`,
      });
    }
    yield { ...line, cursor: message.id };
  }
}
