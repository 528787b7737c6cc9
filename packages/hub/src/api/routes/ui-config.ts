import type { FastifyPluginAsync } from 'fastify';
import { principalOf, type ApiDeps } from '../context.js';

/**
 * `GET /api/v1/ui/config`: hub settings the web UI adapts to. `traceUrlTemplate`
 * (`CC_TRACE_URL_TEMPLATE`) turns a run's `traceId` into a link to the tracing UI by replacing
 * `{traceId}`; null when unset. Any role may read it (viewer and up): it holds no secret.
 */
export const uiConfigRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/ui/config',
      {
        schema: {
          tags: ['ui'],
          summary:
            'Settings of the web UI: `{ traceUrlTemplate }`, the tracing UI link of a run (`{traceId}` replaced), or null',
        },
      },
      async (req) => {
        principalOf(req);
        return { traceUrlTemplate: deps.config?.traceUrlTemplate ?? null };
      },
    );
  };
