import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { CCError } from '@commandcenter/protocol';
import { SESSION_COOKIE } from '../auth/session-store.js';
import type { ApiDeps } from './context.js';
import { installErrorHandlers } from './errors.js';
import { compileValidator } from './validation.js';
import { agentRoutes } from './routes/agents.js';
import { approvalRoutes } from './routes/approvals.js';
import { auditRoutes } from './routes/audit.js';
import { eventRoutes } from './routes/events.js';
import { actionsRoutes } from './routes/actions.js';
import { alertsRoutes } from './routes/alerts.js';
import { busEventsRoutes } from './routes/bus-events.js';
import { triggersRoutes } from './routes/triggers.js';
import { webhooksRoutes } from './routes/webhooks.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { registerHttpMetrics } from '../telemetry/http-metrics.js';
import { installHttpTracing } from '../telemetry/tracing-http.js';
import { uiConfigRoutes } from './routes/ui-config.js';
import { homeRoutes } from './routes/home.js';
import { projectRoutes } from './routes/projects.js';
import { runRoutes } from './routes/runs.js';
import { logStreamRoutes } from './routes/log-stream.js';
import { statsRoutes } from './routes/stats.js';
import { secretRoutes } from './routes/secrets.js';
import { sessionRoutes } from './routes/session.js';
import { tokenRoutes } from './routes/tokens.js';
import { workflowRoutes } from './routes/workflows.js';

export type { ApiDeps } from './context.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/**
 * The hub's HTTP app, without a listening socket (tests call `app.inject()`). Every route of
 * `/api/v1` needs a token or a session except those marked public; errors become problem+json in
 * one handler.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: deps.bodyLimit,
    logger: false,
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
  });
  app.setValidatorCompiler(compileValidator);
  if (deps.tracing) installHttpTracing(app, deps.tracing);
  if (deps.metrics) registerHttpMetrics(app, deps.metrics.registry);
  installErrorHandlers(app, deps.bodyLimit);
  // Bodies are JSON; YAML only where a document is expected. Fastify's default text/plain parser
  // would hand a string to JSON-schema routes (a misleading 422 instead of 415).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('preValidation', async (req) => {
    if (typeof req.body === 'string' && !req.routeOptions.config.documentBody) {
      throw new CCError('CC_E_UNSUPPORTED_MEDIA_TYPE', {
        detail: `${req.method} ${req.routeOptions.url ?? req.url} takes JSON (Content-Type: application/json), not ${req.headers['content-type']}`,
      });
    }
  });
  await app.register(cookie);

  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.public || !req.url.startsWith('/api/')) return;
    req.principal = await authenticate(deps, req);
  });

  if (deps.rateLimit > 0) {
    // A route-level onRequest hook: it runs after authentication (an app-level hook), so it
    // counts per token, and before the body is read, so floods of bad requests count too.
    await app.register(rateLimit, {
      hook: 'onRequest',
      max: deps.rateLimit,
      timeWindow: 60_000,
      keyGenerator: (req) => req.principal?.tokenId ?? req.principal?.name ?? req.ip,
      allowList: (req) => req.routeOptions.config.public === true,
      errorResponseBuilder: (_req, ctx) =>
        Object.assign(
          new CCError('CC_E_RATE_LIMITED', {
            detail: `more than ${ctx.max} requests per minute with this token; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
          }),
          { retryAfter: Math.max(1, Math.ceil(ctx.ttl / 1000)) },
        ),
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'CommandCenter API',
        version: '1',
        description:
          'Agents, workflows, runs, approvals, tokens and secrets of a CommandCenter hub. Errors are application/problem+json (RFC 9457) with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: ({ schema, url, route }) => {
      const documentBody = route.config?.documentBody;
      const s = { ...(schema ?? {}) } as Record<string, unknown>;
      if (documentBody) s.body = documentBody;
      if (route.config?.public) s.security = [];
      return { schema: s as never, url };
    },
  });

  await app.register(healthRoutes(deps));
  await app.register(metricsRoutes(deps.metrics));
  await app.register(sessionRoutes(deps));
  await app.register(homeRoutes(deps.uiDir));
  // POST /hooks/<project>/<name>: authenticated by the trigger's signature, not by a token.
  await app.register(webhooksRoutes(deps));
  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await api.register(projectRoutes(deps));
      await api.register(agentRoutes(deps));
      await api.register(workflowRoutes(deps));
      await api.register(runRoutes(deps));
      await api.register(logStreamRoutes(deps));
      await api.register(statsRoutes(deps));
      await api.register(approvalRoutes(deps));
      await api.register(tokenRoutes(deps));
      await api.register(secretRoutes(deps));
      await api.register(auditRoutes(deps));
      await api.register(eventRoutes(deps));
      await api.register(triggersRoutes(deps));
      await api.register(alertsRoutes(deps));
      await api.register(actionsRoutes(deps));
      await api.register(busEventsRoutes(deps));
      await api.register(uiConfigRoutes(deps));
    },
    { prefix: '/api/v1' },
  );
  return app;
}

async function authenticate(deps: ApiDeps, req: FastifyRequest) {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      throw new CCError('CC_E_UNAUTHORIZED', {
        detail: 'the Authorization header must be `Bearer <token>`',
      });
    }
    return deps.tokens.verify(m[1]!);
  }
  const session = req.cookies[SESSION_COOKIE];
  if (session) return deps.sessions.verify(session);
  throw new CCError('CC_E_UNAUTHORIZED', {
    detail: 'this route needs an API token (`Authorization: Bearer <token>`) or a session',
  });
}
