import type { FastifyPluginAsync } from 'fastify';
import { audit, scope, type ApiDeps } from '../context.js';
import { projectQuery } from '../schemas.js';

const secretParams = {
  type: 'object',
  properties: { name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' } },
  required: ['name'],
  additionalProperties: false,
} as const;

const valueBody = {
  type: 'object',
  properties: { value: { type: 'string', minLength: 1, maxLength: 65_536 } },
  required: ['value'],
  additionalProperties: false,
} as const;

/** Secrets of a project: names are listed, values are only ever written (and never logged). */
export const secretRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/secrets',
      {
        schema: {
          tags: ['secrets'],
          summary: 'Secret names (never values)',
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        return { items: await deps.secrets.list(project) };
      },
    );

    app.put(
      '/secrets/:name',
      {
        schema: {
          tags: ['secrets'],
          summary: 'Sets a secret (creates it or replaces its value)',
          params: secretParams,
          querystring: projectQuery,
          body: valueBody,
        },
      },
      async (req, reply) => {
        const project = await scope(deps, req, 'admin');
        const { name } = req.params as { name: string };
        const r = await deps.secrets.set(project, name, (req.body as { value: string }).value);
        await audit(deps, req, {
          action: r.created ? 'secret.create' : 'secret.set',
          project,
          target: name,
          detail: { version: r.version },
        });
        return reply.code(r.created ? 201 : 200).send(r);
      },
    );

    app.post(
      '/secrets/:name/rotate',
      {
        schema: {
          tags: ['secrets'],
          summary: 'Replaces the value of an existing secret',
          params: secretParams,
          querystring: projectQuery,
          body: valueBody,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'admin');
        const { name } = req.params as { name: string };
        const r = await deps.secrets.rotate(project, name, (req.body as { value: string }).value);
        await audit(deps, req, {
          action: 'secret.rotate',
          project,
          target: name,
          detail: { version: r.version },
        });
        return r;
      },
    );

    app.delete(
      '/secrets/:name',
      {
        schema: {
          tags: ['secrets'],
          summary: 'Deletes a secret',
          params: secretParams,
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'admin');
        const { name } = req.params as { name: string };
        await deps.secrets.delete(project, name);
        await audit(deps, req, { action: 'secret.delete', project, target: name });
        return { name, deleted: true };
      },
    );
  };
