import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { ActionRunner } from '../../triggers/action-runner.js';
import { audit, principalOf, scope, type ApiDeps } from '../context.js';
import { projectQuery } from '../schemas.js';

/** Action names: those of `- action: <name>` triggers (the workflow schema's name pattern). */
const actionName = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
  description: 'Action name (lowercase letters, digits and dashes)',
} as const;

/**
 * UI actions (issue 5): named buttons bound to workflows by `- action: <name>` triggers.
 * Running one starts every bound workflow with the same input.
 */
export const actionsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    const runner = new ActionRunner(deps.store, deps.engine.catalog, deps.triggers, deps.firer);

    app.get(
      '/actions',
      {
        schema: {
          tags: ['actions'],
          summary: 'The project’s actions, each with the workflows bound to it',
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        return { items: await runner.list(project) };
      },
    );

    app.post(
      '/actions/:name',
      {
        schema: {
          tags: ['actions'],
          summary: 'Runs every workflow bound to the action (202 with the runs)',
          querystring: projectQuery,
          params: {
            type: 'object',
            properties: { name: actionName },
            required: ['name'],
            additionalProperties: false,
          },
          headers: {
            type: 'object',
            properties: {
              'idempotency-key': {
                type: 'string',
                minLength: 1,
                maxLength: 200,
                description: 'Repeating a request with the same key answers the first runs',
              },
            },
          },
          body: {
            type: 'object',
            properties: {
              input: {
                description:
                  'The run input of every bound workflow (checked against each one’s `inputs`)',
              },
            },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const project = await scope(deps, req, 'operator');
        const { name } = req.params as { name: string };
        const { input } = req.body as { input?: unknown };
        const given = req.headers['idempotency-key'] as string | undefined;
        const runs = await runner.run(project, name, {
          input,
          idempotencyKey: given ?? randomUUID(),
          by: principalOf(req).name,
        });
        const started = runs.filter((r) => r.outcome === 'fired');
        if (started.length > 0) {
          await audit(deps, req, {
            action: 'action.run',
            project,
            target: name,
            detail: { runs: started.map((r) => ({ workflow: r.workflow, runId: r.runId })) },
          });
        }
        return reply.code(started.length > 0 ? 202 : 200).send({ action: name, runs });
      },
    );
  };
