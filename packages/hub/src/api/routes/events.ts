import type { FastifyPluginAsync } from 'fastify';
import { EVENT_TYPES } from '@commandcenter/protocol';
import { authorize } from '../../auth/roles.js';
import { formatSse, parseLastEventId, SSE_HEADERS, SSE_KEEPALIVE } from '../../events/sse.js';
import { principalOf, type ApiDeps } from '../context.js';
import { objectName, projectName, uuid } from '../schemas.js';

const KEEPALIVE_MS = 15_000;
/** A client that falls this far behind is disconnected; it resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Live events as Server-Sent Events, resumable with Last-Event-ID. */
export const eventRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    const open = new Set<() => void>();
    app.addHook('preClose', async () => {
      for (const close of open) close();
    });
    app.get(
      '/events',
      {
        schema: {
          tags: ['events'],
          summary: 'Live events (text/event-stream), filtered, resumable with Last-Event-ID',
          querystring: {
            type: 'object',
            properties: {
              project: projectName,
              workflow: objectName,
              run: uuid,
              types: {
                type: 'string',
                description: `Comma-separated event types: ${EVENT_TYPES.join(', ')}`,
                pattern: `^(${EVENT_TYPES.map((t) => t.replace(/\./g, '\\.')).join('|')})(,(${EVENT_TYPES.map((t) => t.replace(/\./g, '\\.')).join('|')}))*$`,
              },
              lastEventId: { type: 'string', maxLength: 100 },
            },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const who = principalOf(req);
        const q = req.query as {
          project?: string;
          workflow?: string;
          run?: string;
          types?: string;
          lastEventId?: string;
        };
        const project = q.project ?? who.project ?? undefined;
        if (project !== undefined) authorize(who, project, 'viewer');
        const header = req.headers['last-event-id'];
        const from = parseLastEventId(
          (Array.isArray(header) ? header[0] : header) ?? q.lastEventId,
        );
        const filter = {
          projects: project !== undefined ? [project] : null,
          workflow: q.workflow,
          runId: q.run,
          types: q.types?.split(','),
        };
        const start = from === 'now' ? await deps.feed.head() : from;

        // Subscribe before answering, so a refused filter still gets a problem response.
        let closed = false;
        const early: string[] = [];
        let live = false;
        let sent = start;
        const unsubscribe = deps.feed.subscribe(filter, start, (e) => {
          if (closed) return;
          sent = e.cursor;
          if (!live) return void early.push(formatSse(e));
          res.write(formatSse(e));
          if (res.writableLength > MAX_BUFFERED_BYTES) close();
        });
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, SSE_HEADERS);
        res.write(': connected\n\n');
        for (const chunk of early) res.write(chunk);
        live = true;
        // Keep-alives also carry how far the feed has read for this filter (an `id:` without
        // `data:` moves the client's Last-Event-ID without an event), so a reconnecting client
        // with a rare filter does not re-scan what it has already passed.
        const keepalive = setInterval(() => {
          const at = unsubscribe.position();
          if (at && at !== sent) {
            sent = at;
            res.write(`id: ${at}\n\n`);
          } else res.write(SSE_KEEPALIVE);
        }, deps.sseKeepaliveMs ?? KEEPALIVE_MS);
        const close = () => {
          if (closed) return;
          closed = true;
          open.delete(close);
          clearInterval(keepalive);
          unsubscribe();
          res.end();
        };
        open.add(close);
        req.raw.on('close', close);
        res.on('error', close);
      },
    );
  };
