import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { HTTP_BUCKETS, PREFIX, counter, histogram } from './metrics.js';

/**
 * HTTP server metrics by route pattern (`/api/v1/runs/:id`, never the concrete URL, so the
 * series stay bounded; requests no route matched are `unmatched`). Register before the routes.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = counter(registry, {
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'],
  });
  const duration = histogram(registry, {
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time from receiving a request to finishing its answer (an SSE stream: its lifetime)',
    labelNames: ['method', 'route'],
    buckets: HTTP_BUCKETS,
  });
  // Counted when the connection's response closes, not in `onResponse`: a hijacked reply (the
  // SSE streams) never reaches `onResponse` when the client goes away, and would be invisible.
  app.addHook('onRequest', (req, reply, done) => {
    const start = performance.now();
    reply.raw.once('close', () => {
      const route = req.routeOptions.url ?? 'unmatched';
      const method = req.method;
      requests.inc({ method, route, status: String(reply.raw.statusCode) });
      duration.observe({ method, route }, (performance.now() - start) / 1000);
    });
    done();
  });
}
