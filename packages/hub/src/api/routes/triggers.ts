import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CCError, triggerKinds } from '@commandcenter/protocol';
import type { TriggerHistoryEntry, TriggerRow } from '../../triggers/trigger-store.js';
import { audit, cursor, own, scope, type ApiDeps } from '../context.js';
import { emptyBody, idParams, objectName, pageQuery, projectName } from '../schemas.js';
import { iso, isoTime } from '../views.js';

/**
 * The base of webhook URLs: the hub's public URL (`CC_PUBLIC_URL`) when the process has one,
 * else the origin the caller reached. `ApiDeps` is built from the hub's services, which carry the
 * config; it is read defensively because tests may build the deps without it.
 */
function publicBase(deps: ApiDeps, req: FastifyRequest): string {
  const configured = (deps as ApiDeps & { config?: { publicUrl?: string } }).config?.publicUrl;
  return (configured ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

/** A trigger as the API shows it: what the workflow declares, and its state. */
export function triggerView(t: TriggerRow, base: string) {
  return {
    id: t.id,
    project: t.project,
    workflow: t.workflow,
    kind: t.kind,
    spec: t.spec,
    version: t.version,
    active: t.active,
    paused: t.paused,
    nextFireAt: iso(t.nextFireAt),
    lastFireAt: iso(t.lastFireAt),
    lastRunId: t.lastRunId,
    lastError: t.lastError,
    lastErrorAt: iso(t.lastErrorAt),
    createdAt: isoTime(t.createdAt),
    updatedAt: isoTime(t.updatedAt),
    ...(t.spec.kind === 'webhook'
      ? {
          url: `${base}/hooks/${encodeURIComponent(t.project)}/${encodeURIComponent(t.spec.webhook)}`,
        }
      : {}),
  };
}

const historyView = (h: TriggerHistoryEntry) => ({ ...h, at: isoTime(h.at) });

/**
 * Triggers of the workflows (SPEC §6, issue 5): list them with their state, pause and resume
 * them, and read what each one did. The rows follow the latest version of every workflow.
 */
export const triggersRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    /** The trigger with this id, checked against the caller (another project's is "not found"). */
    const find = async (req: FastifyRequest, min: 'viewer' | 'operator'): Promise<TriggerRow> => {
      const { id } = req.params as { id: string };
      const r = await deps.store.query<{ project: string }>(
        'SELECT project FROM triggers WHERE id = $1',
        [id],
      );
      const project = r.rows[0]?.project;
      if (!project) throw CCError.notFound(`trigger ${id}`);
      own(req, project, min, `trigger ${id}`);
      return deps.triggers.get(project, id);
    };

    app.get(
      '/triggers',
      {
        schema: {
          tags: ['triggers'],
          summary: 'Triggers of the project’s workflows with their state',
          querystring: {
            type: 'object',
            properties: {
              project: projectName,
              workflow: objectName,
              kind: { type: 'string', enum: triggerKinds.filter((k) => k !== 'manual') },
              inactive: {
                type: 'boolean',
                description: 'Include triggers the latest versions no longer declare',
              },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const q = req.query as { workflow?: string; kind?: string; inactive?: boolean };
        const rows = await deps.triggers.list(project, q.workflow, q.inactive ?? false);
        const base = publicBase(deps, req);
        return {
          items: rows.filter((t) => !q.kind || t.kind === q.kind).map((t) => triggerView(t, base)),
        };
      },
    );

    app.get(
      '/triggers/:id',
      { schema: { tags: ['triggers'], summary: 'One trigger with its state', params: idParams } },
      async (req) => triggerView(await find(req, 'viewer'), publicBase(deps, req)),
    );

    for (const op of ['pause', 'resume'] as const) {
      app.post(
        `/triggers/:id/${op}`,
        {
          schema: {
            tags: ['triggers'],
            summary:
              op === 'pause'
                ? 'Pauses a trigger: what it would fire is skipped (and recorded) until resumed'
                : 'Resumes a paused trigger',
            params: idParams,
            body: emptyBody,
          },
        },
        async (req) => {
          const t = await find(req, 'operator');
          const updated = await deps.triggers.setPaused(t.project, t.id, op === 'pause');
          await audit(deps, req, {
            action: `trigger.${op}`,
            project: t.project,
            target: t.id,
            detail: { workflow: t.workflow, kind: t.kind, key: t.key, wasPaused: t.paused },
          });
          return triggerView(updated, publicBase(deps, req));
        },
      );
    }

    app.get(
      '/triggers/:id/history',
      {
        schema: {
          tags: ['triggers'],
          summary: 'What a trigger did, newest first: runs created, or why not',
          params: idParams,
          querystring: {
            type: 'object',
            properties: { ...pageQuery },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const t = await find(req, 'viewer');
        const q = req.query as { limit: number; cursor?: string };
        const before = cursor.decode(q.cursor, /^\d{1,18}$/);
        const rows = await deps.triggers.history(t.project, t.id, { before, limit: q.limit + 1 });
        const page = rows.slice(0, q.limit);
        return {
          items: page.map(historyView),
          nextCursor: rows.length > q.limit ? cursor.encode(page.at(-1)!.id) : null,
        };
      },
    );
  };
