import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  trace,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Tracing } from './tracing.js';

/** Probes scraped every few seconds: a trace each would bury the real ones. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * A SERVER span per HTTP request (`POST /api/v1/runs`: method and route pattern), continuing the
 * caller's W3C `traceparent` when it sends one, with the semantic conventions' attributes; 5xx
 * answers mark it failed. The route handler runs inside the span, so the store queries it makes
 * are its children. Hooks, not an auto-instrumentation loader (ESM loader hooks are fragile):
 * call before any route is registered (the handler wrapping is an `onRoute` hook).
 */
export function installHttpTracing(app: FastifyInstance, tracing: Tracing): void {
  const propagator = new W3CTraceContextPropagator();
  const spans = new WeakMap<FastifyRequest, Span>();
  const end = (req: FastifyRequest, status?: number) => {
    const span = spans.get(req);
    if (!span) return;
    spans.delete(req);
    if (status !== undefined) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    } else {
      span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
    }
    span.end();
  };

  app.addHook('onRequest', (req, _reply, done) => {
    const path = req.url.split('?', 1)[0]!;
    if (!UNTRACED.has(path)) {
      const route = req.routeOptions.url;
      const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const span = tracing.tracer.startSpan(
        route ? `${req.method} ${route}` : req.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: req.method,
            [ATTR_URL_PATH]: path,
            ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
            [ATTR_CLIENT_ADDRESS]: req.ip,
            ...(req.headers['user-agent']
              ? { [ATTR_USER_AGENT_ORIGINAL]: req.headers['user-agent'] }
              : {}),
          },
        },
        parent,
      );
      spans.set(req, span);
    }
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    end(req, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    end(req);
    done();
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function traced(this: unknown, req, reply) {
      const span = spans.get(req);
      if (!span) return handler.call(this as never, req, reply);
      return context.with(trace.setSpan(ROOT_CONTEXT, span), handler, this as never, req, reply);
    } as RouteHandlerMethod;
  });
}
