import type { FastifyPluginAsync } from 'fastify';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import {
  CCError,
  parseWorkflowText,
  validateWorkflow,
  workflowSchema,
  type WorkflowDefinition,
} from '@commandcenter/protocol';
import { isoTime } from '../views.js';
import { audit, scope, type ApiDeps } from '../context.js';
import { documentBody } from '../document-body.js';
import { nameParams, objectName, projectQuery } from '../schemas.js';
import { structuralDiff } from '../structural-diff.js';
import { workflowStats } from '../workflow-stats.js';

const versionParams = {
  type: 'object',
  properties: { name: objectName, version: { type: 'integer', minimum: 1 } },
  required: ['name', 'version'],
  additionalProperties: false,
} as const;

interface VersionRow {
  version: number;
  hash: string;
  definition: WorkflowDefinition;
  source: unknown;
  created_at: Date;
}

/** Workflows: apply (a new immutable version when the content changes), validate, list, diff, archive. */
export const workflowRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    const documentConfig = { documentBody: workflowSchema as Record<string, unknown> };

    app.post(
      '/workflows',
      {
        config: documentConfig,
        schema: {
          tags: ['workflows'],
          summary: 'Applies a workflow (JSON or YAML); unchanged content creates no version',
          querystring: projectQuery,
        },
      },
      async (req, reply) => {
        const project = await scope(deps, req, 'operator');
        const r = await deps.engine.applyWorkflow(project, documentBody(req));
        if (r.created || r.restored) {
          await audit(deps, req, {
            action: r.created ? 'workflow.apply' : 'workflow.restore',
            project,
            target: `${r.name}@${r.version}`,
          });
        }
        return reply.code(r.created ? 201 : 200).send({
          name: r.name,
          version: r.version,
          created: r.created,
          definition: r.definition,
        });
      },
    );

    app.post(
      '/workflows/validate',
      {
        config: documentConfig,
        schema: {
          tags: ['workflows'],
          summary: 'Validates a workflow against the project’s agents without saving it',
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const body = documentBody(req);
        const doc = typeof req.body === 'string' ? parseWorkflowText(req.body) : body;
        const agents = await deps.engine.catalog.latestAgents(project);
        const result = validateWorkflow(doc, { agents: (name) => agents.get(name) });
        if (!result.ok) throw CCError.invalid('CC_E_WORKFLOW_INVALID', result.problems);
        return {
          ok: true,
          name: result.workflow.name,
          definition: result.workflow,
          warnings: result.warnings,
        };
      },
    );

    app.get(
      '/workflows',
      {
        schema: {
          tags: ['workflows'],
          summary: 'Workflows of the project, each with stats of its recent runs',
          querystring: {
            type: 'object',
            properties: {
              ...projectQuery.properties,
              archived: { type: 'boolean', default: false },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { archived } = req.query as { archived: boolean };
        const r = await deps.store.query<{
          name: string;
          latest_version: number;
          archived_at: Date | null;
          updated_at: Date;
          description: string | null;
        }>(
          `SELECT w.name, w.latest_version, w.archived_at, w.updated_at, v.definition->>'description' AS description
             FROM workflows w JOIN workflow_versions v
               ON v.project = w.project AND v.name = w.name AND v.version = w.latest_version
            WHERE w.project = $1 AND ($2 OR w.archived_at IS NULL) ORDER BY w.name`,
          [project, archived],
        );
        const stats = await workflowStats(
          deps.store,
          project,
          r.rows.map((w) => w.name),
        );
        return {
          items: r.rows.map((w) => ({
            name: w.name,
            latestVersion: w.latest_version,
            description: w.description ?? '',
            archived: w.archived_at !== null,
            updatedAt: isoTime(w.updated_at),
            stats: stats.get(w.name),
          })),
        };
      },
    );

    const versions = async (project: string, name: string): Promise<VersionRow[]> => {
      const r = await deps.store.query<VersionRow>(
        `SELECT version, hash, definition, source, created_at FROM workflow_versions
          WHERE project = $1 AND name = $2 ORDER BY version DESC`,
        [project, name],
      );
      if (r.rows.length === 0) throw CCError.notFound(`workflow ${name}`);
      return r.rows;
    };
    const versionOf = async (project: string, name: string, version: number) => {
      const r = await deps.store.query<VersionRow>(
        `SELECT version, hash, definition, source, created_at FROM workflow_versions
          WHERE project = $1 AND name = $2 AND version = $3`,
        [project, name, version],
      );
      if (!r.rows[0]) throw CCError.notFound(`workflow ${name} version ${version}`);
      return r.rows[0];
    };

    app.get(
      '/workflows/:name',
      {
        schema: {
          tags: ['workflows'],
          summary: 'A workflow: its latest version and the list of versions',
          params: nameParams,
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { name } = req.params as { name: string };
        const w = await deps.store.query<{ latest_version: number; archived_at: Date | null }>(
          'SELECT latest_version, archived_at FROM workflows WHERE project = $1 AND name = $2',
          [project, name],
        );
        if (!w.rows[0]) throw CCError.notFound(`workflow ${name}`);
        const all = await versions(project, name);
        const latest = all.find((v) => v.version === w.rows[0]!.latest_version) ?? all[0]!;
        return {
          name,
          latestVersion: latest.version,
          archived: w.rows[0].archived_at !== null,
          definition: latest.definition,
          source: latest.source,
          versions: all.map((v) => ({
            version: v.version,
            hash: v.hash,
            createdAt: isoTime(v.created_at),
          })),
        };
      },
    );

    app.get(
      '/workflows/:name/versions/:version',
      {
        schema: {
          tags: ['workflows'],
          summary: 'One immutable version of a workflow',
          params: versionParams,
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { name, version } = req.params as { name: string; version: number };
        const v = await versionOf(project, name, version);
        return {
          name,
          version: v.version,
          hash: v.hash,
          definition: v.definition,
          source: v.source,
          createdAt: isoTime(v.created_at),
        };
      },
    );

    app.get(
      '/workflows/:name/diff',
      {
        schema: {
          tags: ['workflows'],
          summary:
            'What changed between two versions (structural changes and a unified YAML patch)',
          params: nameParams,
          querystring: {
            type: 'object',
            properties: {
              ...projectQuery.properties,
              from: { type: 'integer', minimum: 1 },
              to: { type: 'integer', minimum: 1 },
            },
            required: ['from', 'to'],
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { name } = req.params as { name: string };
        const { from, to } = req.query as { from: number; to: number };
        const [a, b] = await Promise.all([
          versionOf(project, name, from),
          versionOf(project, name, to),
        ]);
        return {
          name,
          from,
          to,
          changes: structuralDiff(a.source, b.source),
          patch: createTwoFilesPatch(
            `${name}@${from}`,
            `${name}@${to}`,
            stringify(a.source),
            stringify(b.source),
          ),
        };
      },
    );

    app.delete(
      '/workflows/:name',
      {
        schema: {
          tags: ['workflows'],
          summary: 'Archives a workflow: no new runs; history and running runs stay',
          params: nameParams,
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'operator');
        const { name } = req.params as { name: string };
        const w = await deps.store.query<{ archived: boolean }>(
          'SELECT archived_at IS NOT NULL AS archived FROM workflows WHERE project = $1 AND name = $2',
          [project, name],
        );
        if (!w.rows[0]) throw CCError.notFound(`workflow ${name}`);
        // Archiving an archived workflow changes nothing (and records nothing).
        if (w.rows[0].archived) return { name, archived: true };
        await deps.engine.catalog.archiveWorkflow(project, name);
        await audit(deps, req, { action: 'workflow.archive', project, target: name });
        return { name, archived: true };
      },
    );
  };
