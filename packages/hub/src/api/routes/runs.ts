import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CCError, RUN_STATUSES, canonicalJson } from '@commandcenter/protocol';
import type { Store } from '../../store/port.js';
import { audit, cursor, own, principalOf, scope, UUID, type ApiDeps } from '../context.js';
import { emptyBody, idParams, objectName, pageQuery, projectQuery } from '../schemas.js';
import { runDetail, runSummary } from '../views.js';
import { inboundTrace } from '../../telemetry/trace-ids.js';
import { NO_COST, costOf } from '../../telemetry/cost.js';

const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Repeating a request with the same key returns the first run',
    },
  },
} as const;

/**
 * A key of the runs list: `<created_at, UTC, microseconds>|<id>`. Checked completely (a real
 * instant, a real UUID) so that a forged cursor is a 400, never a failing SQL cast.
 */
function isRunKey(key: string): boolean {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d{6}Z\|([0-9a-f-]{36})$/.exec(key);
  if (!m || !UUID.test(m[2]!)) return false;
  const t = new Date(`${m[1]!}Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 19) === m[1];
}

/** The project of a run, checked against the caller (another project's run is "not found"). */
export async function runProject(
  store: Store,
  req: FastifyRequest,
  id: string,
  min: 'viewer' | 'operator',
): Promise<string> {
  const r = await store.query<{ project: string }>('SELECT project FROM runs WHERE id = $1', [id]);
  const project = r.rows[0]?.project;
  if (!project) throw CCError.notFound(`run ${id}`);
  own(req, project, min, `run ${id}`);
  return project;
}

/** Runs: trigger, list, show, logs, cancel, re-run. */

/** How a run was started (`trigger.type`): the `?trigger=` filter of the runs list. */
const RUN_TRIGGER_TYPES = [
  'manual',
  'cron',
  'webhook',
  'event',
  'alert',
  'action',
  'rerun',
] as const;
export const runRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.post(
      '/runs',
      {
        schema: {
          tags: ['runs'],
          summary: 'Starts a run of a workflow (202 with the run id)',
          querystring: projectQuery,
          headers: idempotencyHeaders,
          body: {
            type: 'object',
            properties: {
              workflow: objectName,
              input: { description: 'The run input (checked against the workflow’s `inputs`)' },
              version: {
                type: 'integer',
                minimum: 1,
                description: 'Pin a version (default latest)',
              },
            },
            required: ['workflow'],
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const project = await scope(deps, req, 'operator');
        const body = req.body as { workflow: string; input?: unknown; version?: number };
        const key = req.headers['idempotency-key'] as string | undefined;
        if (body.version !== undefined) {
          // The engine checks archiving when it resolves the latest version; a pinned one skips that.
          const w = await deps.store.query<{ archived: boolean }>(
            'SELECT archived_at IS NOT NULL AS archived FROM workflows WHERE project = $1 AND name = $2',
            [project, body.workflow],
          );
          if (w.rows[0]?.archived) {
            throw new CCError('CC_E_WORKFLOW_ARCHIVED', {
              detail: `workflow ${body.workflow} is archived; apply it again to start runs`,
            });
          }
        }
        const run = await deps.engine.createRun(project, body.workflow, {
          input: body.input ?? {},
          version: body.version,
          idempotencyKey: key,
          // A caller's W3C trace context: the run continues its trace.
          trigger: { type: 'manual', by: principalOf(req).name, ...inboundTrace(req.headers) },
        });
        if (!run.created) {
          const first = await deps.store.query<{ workflow: string; input: unknown }>(
            'SELECT workflow, input FROM runs WHERE id = $1',
            [run.id],
          );
          const f = first.rows[0]!;
          if (
            f.workflow !== body.workflow ||
            canonicalJson(f.input) !== canonicalJson(body.input ?? {})
          ) {
            throw new CCError('CC_E_IDEMPOTENCY_MISMATCH', {
              detail: `Idempotency-Key ${JSON.stringify(key)} was used for run ${run.id} of ${f.workflow} with another input`,
            });
          }
          return reply.code(200).send(run);
        }
        await audit(deps, req, {
          action: 'run.trigger',
          project,
          target: run.id,
          detail: { workflow: run.workflow, version: run.version },
        });
        return reply.code(202).send(run);
      },
    );

    app.get(
      '/runs',
      {
        schema: {
          tags: ['runs'],
          summary: 'Runs of the project, newest first',
          querystring: {
            type: 'object',
            properties: {
              ...projectQuery.properties,
              ...pageQuery,
              workflow: objectName,
              status: { type: 'string', enum: [...RUN_STATUSES] },
              trigger: { type: 'string', enum: [...RUN_TRIGGER_TYPES] },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const q = req.query as {
          limit: number;
          cursor?: string;
          workflow?: string;
          status?: string;
          trigger?: string;
        };
        const after = cursor.decode(q.cursor, isRunKey);
        const [at, id] = after ? after.split('|') : [null, null];
        const r = await deps.store.query(
          `SELECT id, project, workflow, version, status, trigger, created_at, started_at, finished_at, rerun_of, trace_id,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ckey
             FROM runs
            WHERE project = $1 AND ($2::text IS NULL OR workflow = $2) AND ($3::text IS NULL OR status = $3)
              AND ($7::text IS NULL OR trigger->>'type' = $7)
              AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $6`,
          [project, q.workflow ?? null, q.status ?? null, at, id, q.limit + 1, q.trigger ?? null],
        );
        const rows = r.rows.slice(0, q.limit);
        const last = rows.at(-1);
        return {
          items: rows.map(runSummary),
          nextCursor:
            r.rows.length > q.limit && last ? cursor.encode(`${last.ckey}|${last.id}`) : null,
        };
      },
    );

    app.get(
      '/runs/:id',
      {
        schema: {
          tags: ['runs'],
          summary: 'A run with its steps and every attempt',
          params: idParams,
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        const project = await runProject(deps.store, req, id, 'viewer');
        const run = runDetail(await deps.queries.run(project, id));
        const attempts = run.steps.flatMap((s) => s.attempts);
        return { ...run, cost: costOf(attempts, deps.cost ?? NO_COST) };
      },
    );

    app.get(
      '/runs/:id/logs',
      {
        schema: {
          tags: ['runs'],
          summary: 'Log lines of a run’s steps, oldest first',
          params: idParams,
          querystring: {
            type: 'object',
            properties: { ...pageQuery, step: objectName },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        await runProject(deps.store, req, id, 'viewer');
        const q = req.query as { limit: number; cursor?: string; step?: string };
        const after = Number(cursor.decode(q.cursor, /^\d{1,18}$/) ?? 0);
        const rows = await deps.queries.logs(id, after, q.limit, q.step);
        const last = rows.at(-1);
        return {
          items: rows.map((l) => ({
            id: String(l.id),
            stepKey: l.step_key,
            attempt: l.attempt,
            ts: new Date(l.ts).toISOString(),
            line: l.line,
          })),
          nextCursor: last ? cursor.encode(String(last.id)) : (q.cursor ?? null),
        };
      },
    );

    app.post(
      '/runs/:id/cancel',
      {
        schema: {
          tags: ['runs'],
          summary: 'Cancels a run that has not finished',
          params: idParams,
          body: emptyBody,
        },
      },
      async (req) => {
        const { id } = req.params as { id: string };
        const project = await runProject(deps.store, req, id, 'operator');
        await deps.engine.cancelRun(project, id, principalOf(req).name);
        await audit(deps, req, { action: 'run.cancel', project, target: id });
        return { id, status: 'cancelled' };
      },
    );

    app.post(
      '/runs/:id/rerun',
      {
        schema: {
          tags: ['runs'],
          summary: 'Re-runs a finished run as a new linked run',
          params: idParams,
          headers: idempotencyHeaders,
          body: {
            type: 'object',
            properties: {
              from: { type: 'string', enum: ['failed', 'scratch'], default: 'failed' },
              version: { type: 'string', enum: ['pinned', 'latest'], default: 'pinned' },
            },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const project = await runProject(deps.store, req, id, 'operator');
        const body = req.body as { from?: 'failed' | 'scratch'; version?: 'pinned' | 'latest' };
        const run = await deps.engine.rerun(project, id, {
          from: body.from ?? 'failed',
          version: body.version ?? 'pinned',
          idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        });
        await audit(deps, req, {
          action: 'run.rerun',
          project,
          target: run.id,
          detail: { rerunOf: id, from: body.from ?? 'failed', version: body.version ?? 'pinned' },
        });
        return reply.code(run.created ? 202 : 200).send({ ...run, rerunOf: id });
      },
    );
  };
