import type { FastifyPluginAsync } from 'fastify';
import { CCError, parseDuration, problem } from '@commandcenter/protocol';
import { ROLES, authorize, authorizeHub, roleAtLeast, type Role } from '../../auth/roles.js';
import { audit, principalOf, type ApiDeps } from '../context.js';
import { idParams, projectName } from '../schemas.js';

/** The longest lifetime `expiresIn` may give a token: 100 years. */
const MAX_EXPIRES_MS = 36_500 * 86_400_000;

/**
 * API tokens. A hub-wide admin manages every token; a project admin manages the tokens of its
 * project, never with a role above its own.
 */
export const tokenRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Tokens (never their values)',
          querystring: {
            type: 'object',
            properties: { project: projectName },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const who = principalOf(req);
        const { project } = req.query as { project?: string };
        const scopeProject = project ?? who.project;
        if (scopeProject !== null) authorize(who, scopeProject, 'admin');
        else if (who.role !== 'admin') authorizeHub(who, 'admin');
        return { items: await deps.tokens.list(scopeProject) };
      },
    );

    app.post(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Creates a token; its value is in the answer and never again',
          body: {
            type: 'object',
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 100 },
              role: { type: 'string', enum: [...ROLES] },
              project: {
                anyOf: [projectName, { type: 'null' }],
                description:
                  'The project it may act in; null = every project (hub-wide admins only)',
              },
              expiresIn: {
                type: 'string',
                pattern: '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+$',
                description: 'Lifetime, e.g. 30d or 12h; none = no expiry',
              },
            },
            required: ['name', 'role'],
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const who = principalOf(req);
        const body = req.body as {
          name: string;
          role: Role;
          project?: string | null;
          expiresIn?: string;
        };
        const project = body.project === undefined ? who.project : body.project;
        if (project === null) {
          if (who.project !== null || who.role !== 'admin') {
            throw new CCError('CC_E_FORBIDDEN', {
              detail: 'only a hub-wide admin can create hub-wide tokens; set `project`',
            });
          }
        } else {
          authorize(who, project, 'admin');
          const exists = await deps.store.query('SELECT 1 FROM projects WHERE id = $1', [project]);
          if (exists.rowCount === 0) throw CCError.notFound(`project ${project}`);
        }
        if (!roleAtLeast(who.role, body.role)) {
          throw new CCError('CC_E_FORBIDDEN', {
            detail: `you cannot create a token with role ${body.role} above your own (${who.role})`,
          });
        }
        let expiresAt: Date | null = null;
        if (body.expiresIn !== undefined) {
          const ms = parseDuration(body.expiresIn);
          // Beyond MAX_EXPIRES_MS a Date is invalid (and the insert fails): omit expiresIn instead.
          if (ms === undefined || ms <= 0 || ms > MAX_EXPIRES_MS) {
            throw CCError.invalid('CC_E_SCHEMA_INVALID_VALUE', [
              problem(
                'CC_E_SCHEMA_INVALID_VALUE',
                'expiresIn',
                `expiresIn ${JSON.stringify(body.expiresIn)} must be a positive duration of at most 100 years.`,
                'Write e.g. `30d`, `12h` or `90m`, or leave expiresIn out for a token that does not expire.',
              ),
            ]);
          }
          expiresAt = new Date(Date.now() + ms);
        }
        const t = await deps.tokens.create({
          name: body.name,
          role: body.role,
          project,
          expiresAt,
          createdBy: who.name,
        });
        await audit(deps, req, {
          action: 'token.create',
          project,
          target: t.id,
          detail: { name: t.name, role: t.role, expiresAt: t.expiresAt },
        });
        return reply.code(201).send(t);
      },
    );

    app.delete(
      '/tokens/:id',
      { schema: { tags: ['tokens'], summary: 'Revokes a token', params: idParams } },
      async (req) => {
        const who = principalOf(req);
        const { id } = req.params as { id: string };
        const t = await deps.tokens.get(id);
        if (!t) throw CCError.notFound(`token ${id}`);
        if (t.project === null) {
          if (who.project !== null) throw CCError.notFound(`token ${id}`);
          if (who.role !== 'admin') authorizeHub(who, 'admin');
        } else {
          authorize(who, t.project, 'admin', `token ${id}`);
        }
        if (t.revokedAt) {
          throw new CCError('CC_E_CONFLICT', {
            detail: `token ${id} was already revoked at ${t.revokedAt}`,
          });
        }
        await deps.tokens.revoke(id);
        await audit(deps, req, {
          action: 'token.revoke',
          project: t.project,
          target: id,
          detail: { name: t.name },
        });
        return { id, revoked: true };
      },
    );
  };
