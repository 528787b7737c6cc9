import type { FastifyPluginAsync } from 'fastify';
import { authorize, authorizeHub } from '../../auth/roles.js';
import { cursor, principalOf, type ApiDeps } from '../context.js';
import { pageQuery, projectName } from '../schemas.js';

/** The audit log, newest first: project admins see their project, hub-wide admins everything. */
export const auditRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'Who changed or decided what, when, and from where',
          querystring: {
            type: 'object',
            properties: {
              project: projectName,
              action: { type: 'string', maxLength: 100 },
              ...pageQuery,
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const who = principalOf(req);
        const q = req.query as {
          project?: string;
          action?: string;
          limit: number;
          cursor?: string;
        };
        const project = q.project ?? who.project;
        if (project !== null) authorize(who, project, 'admin');
        else if (who.role !== 'admin') authorizeHub(who, 'admin');
        const before = cursor.decode(q.cursor, /^\d{1,18}$/);
        const items = await deps.audit.list({
          project,
          action: q.action,
          before: before === undefined ? undefined : Number(before),
          limit: q.limit + 1,
        });
        const page = items.slice(0, q.limit);
        return {
          items: page,
          nextCursor: items.length > q.limit ? cursor.encode(page.at(-1)!.id) : null,
        };
      },
    );
  };
