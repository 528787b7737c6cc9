import type { FastifyPluginAsync } from 'fastify';
import {
  CCError,
  projectSettingsPatchSchema,
  type ProjectSettingsPatch,
} from '@commandcenter/protocol';
import { authorize, authorizeHub } from '../../auth/roles.js';
import { parseAllowHostEntry } from '../../net/allow-hosts.js';
import { isoTime } from '../views.js';
import { audit, principalOf, type ApiDeps } from '../context.js';
import { projectName } from '../schemas.js';

/** Projects (tenants). Creating one takes a hub-wide admin token. */
export const projectRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/projects',
      { schema: { tags: ['projects'], summary: 'Projects the token can see' } },
      async (req) => {
        const who = principalOf(req);
        const r = await deps.store.query<{ id: string; created_at: Date }>(
          'SELECT id, created_at FROM projects WHERE $1::text IS NULL OR id = $1 ORDER BY id',
          [who.project],
        );
        return { items: r.rows.map((p) => ({ name: p.id, createdAt: isoTime(p.created_at) })) };
      },
    );

    app.post(
      '/projects',
      {
        schema: {
          tags: ['projects'],
          summary: 'Creates a project (hub-wide admin)',
          body: {
            type: 'object',
            properties: { name: projectName },
            required: ['name'],
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        authorizeHub(principalOf(req), 'admin');
        const { name } = req.body as { name: string };
        const r = await deps.store.query<{ id: string; created_at: Date }>(
          'INSERT INTO projects (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id, created_at',
          [name],
        );
        const row = r.rows[0];
        if (!row) {
          throw new CCError('CC_E_CONFLICT', { detail: `project ${name} already exists` });
        }
        await deps.engine.catalog.installBuiltins(name);
        await audit(deps, req, { action: 'project.create', project: name, target: name });
        return reply.code(201).send({ name: row.id, createdAt: isoTime(row.created_at) });
      },
    );

    app.get(
      '/projects/:name',
      {
        schema: {
          tags: ['projects'],
          summary: 'One project with counts of its objects',
          params: {
            type: 'object',
            properties: { name: projectName },
            required: ['name'],
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const { name } = req.params as { name: string };
        authorize(principalOf(req), name, 'viewer');
        const r = await deps.store.query<{
          created_at: Date;
          workflows: string;
          agents: string;
          runs: string;
        }>(
          `SELECT p.created_at,
                  (SELECT count(*) FROM workflows w WHERE w.project = p.id AND w.archived_at IS NULL) AS workflows,
                  (SELECT count(DISTINCT a.name) FROM agents a WHERE a.project = p.id) AS agents,
                  (SELECT count(*) FROM runs r WHERE r.project = p.id) AS runs
             FROM projects p WHERE p.id = $1`,
          [name],
        );
        const row = r.rows[0];
        if (!row) throw CCError.notFound(`project ${name}`);
        return {
          name,
          createdAt: isoTime(row.created_at),
          workflows: Number(row.workflows),
          agents: Number(row.agents),
          runs: Number(row.runs),
          settings: await deps.engine.projects.get(name),
        };
      },
    );

    const nameParams = {
      type: 'object',
      properties: { name: projectName },
      required: ['name'],
      additionalProperties: false,
    } as const;

    app.get(
      '/projects/:name/settings',
      {
        schema: {
          tags: ['projects'],
          summary: 'The effective settings of a project and what it sets itself',
          params: nameParams,
        },
      },
      async (req) => {
        const { name } = req.params as { name: string };
        authorize(principalOf(req), name, 'viewer');
        const stored = await deps.engine.projects.stored(name);
        return { effective: await deps.engine.projects.get(name), stored };
      },
    );

    app.patch(
      '/projects/:name/settings',
      {
        schema: {
          tags: ['projects'],
          summary: 'Changes the approval policy or the SSRF-guard exemptions of a project (admin)',
          params: nameParams,
          body: projectSettingsPatchSchema,
        },
      },
      async (req) => {
        const { name } = req.params as { name: string };
        authorize(principalOf(req), name, 'admin');
        const patch = req.body as ProjectSettingsPatch;
        const problems = (patch.egressAllowHosts ?? []).flatMap((entry, i) => {
          const parsed = parseAllowHostEntry(entry);
          return 'error' in parsed
            ? [
                {
                  code: 'CC_E_SCHEMA_INVALID_VALUE' as const,
                  path: `egressAllowHosts[${i}]`,
                  message: parsed.error,
                  fix: 'Use a host name (api.internal), an IP address (10.1.2.3) or a CIDR range (10.0.0.0/8).',
                },
              ]
            : [];
        });
        if (problems.length) throw CCError.invalid('CC_E_SCHEMA_INVALID_VALUE', problems);
        const effective = await deps.engine.projects.update(name, patch);
        await audit(deps, req, {
          action: 'project.settings',
          project: name,
          target: name,
          detail: patch as Record<string, unknown>,
        });
        return { effective, stored: await deps.engine.projects.stored(name) };
      },
    );
  };
