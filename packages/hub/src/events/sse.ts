import { parseCursor, type FeedEvent } from './event-feed.js';

/**
 * Server-Sent Events framing of the event feed (`GET /api/v1/events`). The `id:` of each event is
 * its feed cursor, so the browser's automatic `Last-Event-ID` on reconnect resumes exactly.
 */
export function formatSse(e: FeedEvent): string {
  const body = JSON.stringify({
    id: e.id,
    project: e.project,
    type: e.type,
    runId: e.runId,
    data: e.data,
    time: e.time,
  });
  // JSON.stringify escapes line breaks, so the payload is one `data:` line.
  return `id: ${e.cursor}\nevent: ${e.type}\ndata: ${body}\n\n`;
}

/** A comment line: keeps proxies from closing an idle stream; clients ignore it. */
export const SSE_KEEPALIVE = ': keepalive\n\n';

/** Response headers of every event stream (`x-accel-buffering`: no buffering in nginx). */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/**
 * Where a stream starts: the `Last-Event-ID` header (or its query-string stand-in, for clients
 * that cannot set headers). Absent, empty or `now` → `'now'`; otherwise the cursor, checked here
 * so that a bad one is answered with 400 before the stream opens (`CC_E_BAD_REQUEST`).
 */
export function parseLastEventId(headerOrQuery?: string): string | 'now' {
  const v = headerOrQuery?.trim();
  if (!v || v === 'now') return 'now';
  const c = parseCursor(v);
  return `${c.tx}-${c.id}`;
}
