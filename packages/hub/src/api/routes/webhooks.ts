import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  CCError,
  durationPattern,
  isCCError,
  parseDuration,
  problem,
} from '@commandcenter/protocol';
import { audit, own, type ApiDeps } from '../context.js';
import { idParams } from '../schemas.js';
import type { TriggerRow } from '../../triggers/trigger-store.js';
import { webhookAuthOf } from '../../triggers/webhook-auth.js';
import { WebhookReceiver } from '../../triggers/webhook-receiver.js';
import {
  MAX_PREVIOUS_VALID_MS,
  WebhookSecrets,
  webhookTriggerKey,
} from '../../triggers/webhook-secrets.js';

/** Media types a delivery may have: JSON (also `application/<vendor>+json`). */
const JSON_TYPES = ['application/json', /^application\/[a-z0-9.!#$&^_-]+\+json\s*(?:;|$)/i];

const hookParams = {
  type: 'object',
  properties: {
    project: { type: 'string', description: 'Project name' },
    name: { type: 'string', description: 'Webhook name (`webhook: <name>` in a workflow)' },
  },
  required: ['project', 'name'],
  additionalProperties: false,
} as const;

const rotateBody = {
  type: 'object',
  properties: {
    previousValidFor: {
      type: 'string',
      pattern: durationPattern,
      description:
        'How long the replaced secret stays valid (default 24h, at most 30d; `0s` revokes it now).',
    },
  },
  additionalProperties: false,
} as const;

/**
 * Inbound webhooks, `POST /hooks/<project>/<name>` (outside `/api/v1` and its token auth: each
 * trigger authenticates deliveries itself), and the rotation of a webhook's signing secret,
 * `POST /api/v1/triggers/{id}/webhook-secret` (token auth, admin).
 */
export const webhooksRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    const secrets = new WebhookSecrets(deps.store, deps.secrets);
    const receiver = new WebhookReceiver({
      store: deps.store,
      triggers: deps.triggers,
      firer: deps.firer,
      secrets,
      tokens: deps.tokens,
    });
    const found = new WeakMap<FastifyRequest, { name: string; triggers: TriggerRow[] }>();

    await app.register(async (hooks) => {
      // The signature covers the raw bytes: keep them (encapsulated: other routes parse JSON).
      hooks.removeAllContentTypeParsers();
      for (const type of JSON_TYPES) {
        hooks.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) =>
          done(null, body),
        );
      }
      hooks.addContentTypeParser('*', (req, _payload, done) =>
        done(
          new CCError('CC_E_UNSUPPORTED_MEDIA_TYPE', {
            detail: `webhook deliveries are JSON (Content-Type: application/json), not ${req.headers['content-type'] ?? 'a body without Content-Type'}`,
          }),
          undefined,
        ),
      );
      // A refusal before the handler (415, 413) is recorded like the handler's own.
      hooks.addHook('onError', async (req, _reply, err) => {
        const known = found.get(req);
        if (!known) return;
        const cc =
          !isCCError(err) && err.statusCode === 413
            ? new CCError('CC_E_PAYLOAD_TOO_LARGE', {
                detail: `the request body is larger than the limit of ${deps.bodyLimit} bytes`,
              })
            : err;
        await receiver
          .refused({ ...known, headers: req.headers, ip: req.ip }, cc)
          .catch((e: unknown) => req.log.error({ err: e }, 'recording a webhook refusal failed'));
      });

      hooks.post(
        '/hooks/:project/:name',
        {
          schema: {
            tags: ['webhooks'],
            summary: 'Delivers a webhook: starts the run of every workflow declaring it',
            description:
              'Signed with `X-CC-Timestamp` and `X-CC-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` and identified by `X-CC-Delivery` (or, for `auth: token` triggers, `Authorization: Bearer <token>`). The JSON body is the run input. 202 when a run started, 200 for a resent delivery or when no trigger fired.',
            params: hookParams,
            security: [],
          },
          config: {
            documentBody: { description: 'Any JSON document: the run input.' },
          },
          // Before the body is read: an unknown webhook is 404 whatever the body.
          onRequest: async (req) => {
            const { project, name } = req.params as { project: string; name: string };
            const triggers = await deps.triggers.byKey(project, webhookTriggerKey(name));
            // Unknown project or unknown webhook: one answer, so neither is disclosed.
            if (triggers.length === 0)
              throw CCError.notFound(`webhook ${name} in project ${project}`);
            found.set(req, { name, triggers });
          },
        },
        async (req, reply) => {
          const { project } = req.params as { project: string };
          const { name, triggers } = found.get(req)!;
          const answer = await receiver.receive({
            project,
            name,
            triggers,
            headers: req.headers,
            body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
            contentType: req.headers['content-type'],
            ip: req.ip,
          });
          return reply.code(answer.status).send(answer.body);
        },
      );
    });

    app.post(
      '/api/v1/triggers/:id/webhook-secret',
      {
        schema: {
          tags: ['triggers'],
          summary: 'Creates or rotates the signing secret of a webhook (shown once)',
          description:
            'The secret belongs to the webhook URL: every workflow of the project declaring the same webhook shares it. The replaced secret stays valid for `previousValidFor`.',
          params: idParams,
          body: rotateBody,
        },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const t = await webhookTrigger(deps, id);
        own(req, t.project, 'admin', `webhook trigger ${id}`);
        const name = (t.spec as { webhook: string }).webhook;
        if (!t.active) {
          throw new CCError('CC_E_CONFLICT', {
            detail: `trigger ${id} (webhook ${name}) is no longer declared by workflow ${t.workflow}; rotate the secret through an active trigger of the webhook`,
          });
        }
        if (webhookAuthOf(t) === 'token') {
          throw new CCError('CC_E_CONFLICT', {
            detail: `webhook ${name} of workflow ${t.workflow} takes API tokens (auth: token) and has no signing secret; remove \`auth: token\` from the trigger to sign deliveries instead`,
          });
        }
        const validFor = (req.body as { previousValidFor?: string }).previousValidFor ?? '24h';
        const ms = parseDuration(validFor);
        if (ms === undefined || ms > MAX_PREVIOUS_VALID_MS) {
          throw CCError.invalid('CC_E_SCHEMA_INVALID_VALUE', [
            problem(
              'CC_E_SCHEMA_INVALID_VALUE',
              'previousValidFor',
              `previousValidFor ${JSON.stringify(validFor)} is longer than 30 days.`,
              'Use a duration of at most 30d (e.g. `24h`), or `0s` to revoke the previous secret now.',
            ),
          ]);
        }
        const r = await secrets.rotate(t.project, name, ms);
        await audit(deps, req, {
          action: 'webhook.secret.rotate',
          project: t.project,
          target: id,
          detail: {
            webhook: name,
            workflow: t.workflow,
            previousExpiresAt: r.previousExpiresAt?.toISOString() ?? null,
            triggers: r.triggerIds,
          },
        });
        return reply.header('cache-control', 'no-store').send({
          secret: r.secret,
          createdAt: r.createdAt.toISOString(),
          previousExpiresAt: r.previousExpiresAt?.toISOString() ?? null,
          webhook: name,
          project: t.project,
          url: `/hooks/${t.project}/${name}`,
          triggerIds: r.triggerIds,
        });
      },
    );
  };

/** A webhook trigger by id (of any project; the caller checks access). */
async function webhookTrigger(deps: ApiDeps, id: string): Promise<TriggerRow> {
  const r = await deps.store.query<{ project: string; kind: string }>(
    'SELECT project, kind FROM triggers WHERE id = $1',
    [id],
  );
  const row = r.rows[0];
  if (!row || row.kind !== 'webhook') throw CCError.notFound(`webhook trigger ${id}`);
  return deps.triggers.get(row.project, id);
}
