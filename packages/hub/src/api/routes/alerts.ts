import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CCError } from '@commandcenter/protocol';
import { alertmanagerNotificationSchema } from '../../triggers/alert-payload.js';
import type { AlertmanagerNotification } from '../../triggers/alert-payload.js';
import { AlertReceiver, type AlertNotificationRecord } from '../../triggers/alert-receiver.js';
import {
  ALERT_HMAC_SECRET,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyAlertSignature,
} from '../../triggers/alert-signature.js';
import { cursor, principalOf, scope, type ApiDeps } from '../context.js';
import { pageQuery, projectName, projectQuery } from '../schemas.js';
import { isoTime } from '../views.js';

/** The raw bytes of each notification body (HMAC is computed over them, not the parsed JSON). */
const rawBodies = new WeakMap<FastifyRequest, Buffer>();

const alertView = (a: AlertNotificationRecord) => ({ ...a, receivedAt: isoTime(a.receivedAt) });

/**
 * Alertmanager's webhook receiver and the notifications it recorded. The receiver authenticates
 * itself: an API token (operator) as Alertmanager sends it (`http_config.authorization`), or an
 * HMAC signature keyed with the project secret `ALERTMANAGER_WEBHOOK_SECRET`.
 */
export const alertsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    const receiver = new AlertReceiver(deps.store, deps.triggers, deps.firer);
    // Encapsulated in this plugin: the other routes keep Fastify's parser.
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
      rawBodies.set(req, body as Buffer);
      // Fastify's parser (proto-poisoning checks, its error codes) reads buffers as well.
      void parseJson(req, body as unknown as string, done);
    });

    app.post(
      '/alerts/alertmanager',
      {
        // Authenticated here (token or signature), not by the app-wide token hook.
        config: { public: true },
        onRequest: async (req) => {
          const header = req.headers.authorization;
          if (header !== undefined) {
            const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
            if (!m) {
              throw new CCError('CC_E_UNAUTHORIZED', {
                detail: 'the Authorization header must be `Bearer <token>`',
              });
            }
            req.principal = await deps.tokens.verify(m[1]!);
          } else if (req.headers[SIGNATURE_HEADER] === undefined) {
            throw new CCError('CC_E_UNAUTHORIZED', {
              detail: `send an operator token as \`Authorization: Bearer <token>\` (Alertmanager: \`http_config: { authorization: { credentials: <token> } }\`), or sign the body with the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers`,
            });
          }
        },
        schema: {
          tags: ['alerts'],
          summary: 'Receives an Alertmanager webhook notification (starts the matching workflows)',
          description:
            'Auth: `Authorization: Bearer <operator token>`, or `X-CC-Timestamp` (unix seconds) and ' +
            '`X-CC-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` keyed with the ' +
            'project secret ALERTMANAGER_WEBHOOK_SECRET (at most 5 minutes old). Answers 200 ' +
            'whether or not a workflow matched: unmatched notifications are listed by GET /alerts.',
          querystring: projectQuery,
          headers: {
            type: 'object',
            properties: {
              [TIMESTAMP_HEADER]: { type: 'string', maxLength: 20 },
              [SIGNATURE_HEADER]: { type: 'string', maxLength: 200 },
            },
          },
          body: alertmanagerNotificationSchema,
        },
      },
      async (req) => {
        const n = req.body as AlertmanagerNotification;
        let project: string;
        let sender: string;
        if (req.principal) {
          project = await scope(deps, req, 'operator');
          sender = principalOf(req).name;
        } else {
          project = (req.query as { project?: string }).project ?? 'default';
          await verifySigned(deps, req, project);
          sender = 'hmac';
        }
        return receiver.receive(project, n, sender);
      },
    );

    app.get(
      '/alerts',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Alertmanager notifications received, newest first (matched or not)',
          querystring: {
            type: 'object',
            properties: {
              project: projectName,
              matched: {
                type: 'boolean',
                description: '`false`: only notifications that started no run',
              },
              ...pageQuery,
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const q = req.query as { matched?: boolean; limit: number; cursor?: string };
        const before = cursor.decode(q.cursor, /^\d{1,18}$/);
        const rows = await receiver.list(project, {
          matched: q.matched,
          before,
          limit: q.limit + 1,
        });
        const page = rows.slice(0, q.limit);
        return {
          items: page.map(alertView),
          nextCursor: rows.length > q.limit ? cursor.encode(page.at(-1)!.id) : null,
        };
      },
    );

    app.get(
      '/alerts/:id',
      {
        schema: {
          tags: ['alerts'],
          summary: 'One notification, with the body Alertmanager sent',
          querystring: projectQuery,
          params: {
            type: 'object',
            properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } },
            required: ['id'],
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { id } = req.params as { id: string };
        const a = await receiver.get(project, id);
        return { ...alertView(a), payload: a.payload };
      },
    );
  };

/** Checks the HMAC headers against the project's secret (same answer when either is missing). */
async function verifySigned(deps: ApiDeps, req: FastifyRequest, project: string): Promise<void> {
  let secret: string;
  try {
    secret = (await deps.secrets.resolve(project, [ALERT_HMAC_SECRET]))[ALERT_HMAC_SECRET]!;
  } catch (err) {
    if (!(err instanceof CCError) || err.code !== 'CC_E_SECRET_MISSING') throw err;
    throw new CCError('CC_E_UNAUTHORIZED', {
      detail: `signed notifications to project ${project} need the project secret ${ALERT_HMAC_SECRET} (set it with \`commandcenter secrets set ${ALERT_HMAC_SECRET} --from-stdin --project ${project}\`), or send an operator token instead`,
    });
  }
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  verifyAlertSignature({
    secret,
    timestamp: header(TIMESTAMP_HEADER),
    signature: header(SIGNATURE_HEADER),
    body: rawBodies.get(req) ?? Buffer.alloc(0),
  });
}
