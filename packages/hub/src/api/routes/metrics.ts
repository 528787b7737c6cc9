import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../telemetry/metrics.js';

/**
 * `GET /metrics`: Prometheus text, public like /healthz (scrapers carry no token) and left out of
 * the OpenAPI document. Label values are names (projects, workflows, agents), never ids. Not
 * registered when metrics are off (CC_TELEMETRY=off).
 */
export const metricsRoutes =
  (metrics: Metrics | undefined): FastifyPluginAsync =>
  async (app) => {
    if (!metrics) return;
    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply.type(metrics.contentType).send(await metrics.text()),
    );
  };
