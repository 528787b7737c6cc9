import type { FastifyPluginAsync } from 'fastify';
import { agentHealthSample } from '../../engine/agent-health.js';
import { NO_COST, costOf } from '../../telemetry/cost.js';
import {
  CCError,
  agentManifestSchema,
  validateAgainstSchema,
  type AgentManifest,
  type StepError,
} from '@commandcenter/protocol';
import { agentTimeout, schemaFailure } from '../../engine/step-runner.js';
import { isoTime } from '../views.js';
import { audit, scope, type ApiDeps } from '../context.js';
import { documentBody } from '../document-body.js';
import { nameParams, objectName, projectQuery } from '../schemas.js';

/** Agents: apply a manifest (a new version each time its version changes), list, show, test. */
export const agentRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.post(
      '/agents',
      {
        config: { documentBody: agentManifestSchema as Record<string, unknown> },
        schema: {
          tags: ['agents'],
          summary: 'Registers an agent manifest (JSON or YAML)',
          querystring: projectQuery,
        },
      },
      async (req, reply) => {
        const project = await scope(deps, req, 'operator');
        const r = await deps.engine.registerAgent(project, documentBody(req));
        if (r.created) {
          await audit(deps, req, {
            action: 'agent.apply',
            project,
            target: `${r.name}@${r.version}`,
          });
        }
        return reply
          .code(r.created ? 201 : 200)
          .send({ name: r.name, version: r.version, created: r.created, manifest: r.definition });
      },
    );

    app.get(
      '/agents',
      { schema: { tags: ['agents'], summary: 'Agents of the project', querystring: projectQuery } },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const r = await deps.store.query<{
          name: string;
          manifest: AgentManifest;
          created_at: Date;
          versions: string;
        }>(
          `SELECT DISTINCT ON (name) name, manifest, created_at,
                  count(*) OVER (PARTITION BY name) AS versions
             FROM agents WHERE project = $1 ORDER BY name, seq DESC`,
          [project],
        );
        return {
          items: r.rows.map((a) => ({
            name: a.name,
            version: a.manifest.version,
            type: a.manifest.type,
            risk: a.manifest.risk,
            description: a.manifest.description,
            actions: Object.keys(a.manifest.actions),
            versions: Number(a.versions),
            updatedAt: isoTime(a.created_at),
          })),
        };
      },
    );

    const versionsOf = async (project: string, name: string) => {
      const r = await deps.store.query<{
        version: string;
        manifest: AgentManifest;
        created_at: Date;
      }>(
        'SELECT version, manifest, created_at FROM agents WHERE project = $1 AND name = $2 ORDER BY seq DESC',
        [project, name],
      );
      if (r.rows.length === 0) throw CCError.notFound(`agent ${name}`);
      return r.rows;
    };

    app.get(
      '/agents/:name',
      {
        schema: {
          tags: ['agents'],
          summary: 'An agent: its latest manifest and every version',
          params: nameParams,
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { name } = req.params as { name: string };
        const rows = await versionsOf(project, name);
        const { health, attempts } = await agentHealthSample(deps.store, project, name);
        return {
          name,
          manifest: rows[0]!.manifest,
          versions: rows.map((v) => ({ version: v.version, createdAt: isoTime(v.created_at) })),
          health,
          cost: costOf(attempts, deps.cost ?? NO_COST),
        };
      },
    );

    app.get(
      '/agents/:name/versions/:version',
      {
        schema: {
          tags: ['agents'],
          summary: 'One version of an agent',
          params: {
            type: 'object',
            properties: { name: objectName, version: objectName },
            required: ['name', 'version'],
            additionalProperties: false,
          },
          querystring: projectQuery,
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { name, version } = req.params as { name: string; version: string };
        const v = (await versionsOf(project, name)).find((x) => x.version === version);
        if (!v) throw CCError.notFound(`agent ${name} version ${version}`);
        return { name, version, manifest: v.manifest, createdAt: isoTime(v.created_at) };
      },
    );

    app.post(
      '/agents/:name/test',
      {
        schema: {
          tags: ['agents'],
          summary: 'Runs one action of the agent once, outside any workflow',
          params: nameParams,
          querystring: projectQuery,
          body: {
            type: 'object',
            properties: {
              action: objectName,
              input: {},
              version: objectName,
            },
            required: ['action'],
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'operator');
        const { name } = req.params as { name: string };
        const body = req.body as { action: string; input?: unknown; version?: string };
        const rows = await versionsOf(project, name);
        const row = body.version ? rows.find((v) => v.version === body.version) : rows[0];
        if (!row) throw CCError.notFound(`agent ${name} version ${body.version}`);
        const agent = row.manifest;
        const action = agent.actions[body.action];
        if (!action) {
          throw CCError.invalid('CC_E_BAD_REQUEST', [
            {
              code: 'CC_E_BAD_REQUEST',
              path: 'action',
              message: `agent ${name} has no action ${JSON.stringify(body.action)}.`,
              fix: `Use one of: ${Object.keys(agent.actions).join(', ')}.`,
            },
          ]);
        }
        const input = body.input ?? {};
        const problems =
          action.input === undefined
            ? []
            : validateAgainstSchema(action.input, input, 'CC_E_STEP_INPUT_INVALID', 'input');
        if (problems.length) throw CCError.invalid('CC_E_STEP_INPUT_INVALID', problems);
        const logs: string[] = [];
        const timeoutMs = agentTimeout(agent) ?? 60_000;
        const signal = AbortSignal.timeout(timeoutMs);
        const started = performance.now();
        const id = crypto.randomUUID();
        const result = await deps.executors.execute(
          agent,
          {
            action: body.action,
            input,
            run: { id, project, workflow: '(agents test)', version: 0 },
            step: { id: 'test', key: 'test' },
            attempt: 1,
            idempotencyKey: `test:${id}`,
          },
          {
            signal,
            log: (line) => void (logs.length < 1000 && logs.push(line)),
            allowHosts: (await deps.engine.projects.get(project)).egressAllowHosts,
          },
        );
        const durationMs = Math.round(performance.now() - started);
        await audit(deps, req, {
          action: 'agent.test',
          project,
          target: `${name}@${agent.version}.${body.action}`,
          detail: { ok: result.ok },
        });
        if (!result.ok) {
          const error: StepError = signal.aborted
            ? {
                type: 'timeout',
                code: 'CC_E_STEP_TIMEOUT',
                retryable: true,
                message: `the action exceeded its timeout of ${timeoutMs} ms`,
              }
            : result.error;
          return { ok: false, error, logs, durationMs };
        }
        const outputError = schemaFailure(
          action.output,
          result.output,
          'CC_E_OUTPUT_INVALID',
          `${name}.${body.action}'s output`,
        );
        if (outputError) {
          return { ok: false, output: result.output, error: outputError, logs, durationMs };
        }
        return { ok: true, output: result.output, logs, durationMs };
      },
    );
  };
