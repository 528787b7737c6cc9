import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { CCError, problem, type EventType } from '@commandcenter/protocol';
import {
  formatLogCursor,
  LOG_START,
  readLogTail,
  type LogCursor,
  type TailLine,
} from '../../engine/log-tail.js';
import { LogWakeups } from '../../engine/log-wakeups.js';
import { parseCursor } from '../../events/event-feed.js';
import { SSE_HEADERS, SSE_KEEPALIVE } from '../../events/sse.js';
import type { ApiDeps } from '../context.js';
import { idParams, objectName } from '../schemas.js';
import { runProject } from './runs.js';

const KEEPALIVE_MS = 15_000;
/** Lines per read; a full batch is followed at once by the next read. */
const BATCH = 500;
/** Unsent output above which the stream stops reading until the client has taken it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Re-read delay while lines are held back behind an open transaction (as the event feed polls). */
const HELD_RETRY_MS = 250;
const RUN_END_EVENTS: EventType[] = [
  'workflow.run.succeeded',
  'workflow.run.failed',
  'workflow.run.cancelled',
  'workflow.run.timed_out',
];

/** One line as an SSE message: the cursor as `id:`, the line as the `LogLine` JSON. */
function formatLine(l: TailLine): string {
  const data = JSON.stringify({
    id: l.id,
    stepKey: l.stepKey,
    attempt: l.attempt,
    ts: new Date(l.ts).toISOString(),
    line: l.line,
  });
  return `id: ${formatLogCursor(l.cursor)}\nevent: log\ndata: ${data}\n\n`;
}

/**
 * Where a stream starts: after `Last-Event-ID` (a reconnection), else after `?cursor=`, else at
 * the run's first line. A malformed position is a 400 naming the header or the query field.
 */
function streamStart(header: string | undefined, query: string | undefined): LogCursor {
  const resume = header?.trim();
  if (resume) return parseCursor(resume);
  if (query === undefined) return LOG_START;
  try {
    return parseCursor(query);
  } catch {
    throw CCError.invalid('CC_E_BAD_REQUEST', [
      problem(
        'CC_E_BAD_REQUEST',
        'query.cursor',
        `query.cursor ${JSON.stringify(query.slice(0, 80))} is not a position of this log stream.`,
        'Pass the `id:` of the last line received from the stream, or omit `cursor` to start at the first line.',
      ),
    ]);
  }
}

/** Resolves once the client has taken the buffered output, or has gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * `GET /runs/{id}/logs/stream`: a run's log lines as Server-Sent Events, without polling. Sends
 * every stored line after the start position, then each new one as it is stored (woken by the
 * log writer's NOTIFY, in any process, and by the run's end event), then `event: end` once the
 * run has ended and every line was sent. Resumable with `Last-Event-ID`.
 */
export const logStreamRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    const wakeups = new LogWakeups(deps.store);
    const open = new Set<() => void>();
    app.addHook('preClose', async () => {
      for (const close of open) close();
    });
    app.addHook('onClose', async () => wakeups.close());

    app.get(
      '/runs/:id/logs/stream',
      {
        schema: {
          tags: ['runs'],
          summary:
            'Live log lines of a run (text/event-stream): stored lines, then new ones, then `end`',
          description:
            'Each line is `event: log`, `id: <cursor>`, `data: {id, stepKey, attempt, ts, line}`. ' +
            'Resumes after `Last-Event-ID` (or `?cursor=`); ends with `event: end` ' +
            '(`data: {status}`) once the run has ended and every line was sent.',
          params: idParams,
          querystring: {
            type: 'object',
            properties: {
              step: { ...objectName, description: 'Only the lines of this step key' },
              cursor: {
                type: 'string',
                minLength: 1,
                maxLength: 100,
                description: 'Start after this line (the `id:` of a line of this stream)',
              },
            },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const project = await runProject(deps.store, req, id, 'viewer');
        const q = req.query as { step?: string; cursor?: string };
        const header = req.headers['last-event-id'];
        let cursor = streamStart(Array.isArray(header) ? header[0] : header, q.cursor);

        const res = reply.raw;
        let live = false;
        let closed = false;
        let reading = false;
        let again = false;
        let retry: NodeJS.Timeout | undefined;
        const cleanups: (() => void)[] = [];
        const close = () => {
          if (closed) return;
          closed = true;
          open.delete(close);
          clearTimeout(retry);
          for (const cleanup of cleanups) cleanup();
          res.end();
        };

        /** Reads and sends what is new; coalesces wake-ups that arrive while it reads. */
        const pump = async (): Promise<void> => {
          if (!live || closed) return;
          if (reading) return void (again = true);
          reading = true;
          try {
            do {
              again = false;
              const r = await readLogTail(deps.store, id, cursor, { step: q.step, limit: BATCH });
              if (closed) return;
              for (const l of r.lines) res.write(formatLine(l));
              const last = r.lines.at(-1);
              if (last) cursor = last.cursor;
              if (r.lines.length === BATCH) again = true;
              else if (r.finished || r.status === null) {
                res.write(`event: end\ndata: ${JSON.stringify({ status: r.status })}\n\n`);
                return close();
              } else if (r.held) {
                clearTimeout(retry);
                retry = setTimeout(() => void pump(), HELD_RETRY_MS);
              }
              if (res.writableLength > MAX_BUFFERED_BYTES) await drained(res);
            } while (again && !closed);
          } catch {
            // The store failed: end the stream; the client resumes with Last-Event-ID.
            close();
          } finally {
            reading = false;
          }
        };
        const wake = () => void pump();

        // Listen before the first read, so nothing stored in between goes unnoticed.
        try {
          cleanups.push(await wakeups.subscribe(id, wake));
          const filter = { projects: [project], runId: id, types: RUN_END_EVENTS };
          cleanups.push(deps.feed.subscribe(filter, 'now', wake));
        } catch (err) {
          for (const cleanup of cleanups) cleanup();
          throw err;
        }

        reply.hijack();
        res.writeHead(200, SSE_HEADERS);
        res.write(': connected\n\n');
        // Keep-alives double as a slow safety net: a notification lost with a dropped LISTEN
        // connection delays lines by at most this interval.
        const keepalive = setInterval(() => {
          res.write(SSE_KEEPALIVE);
          wake();
        }, deps.sseKeepaliveMs ?? KEEPALIVE_MS);
        cleanups.push(() => clearInterval(keepalive));
        open.add(close);
        req.raw.on('close', close);
        res.on('error', close);
        live = true;
        wake();
      },
    );
  };
