import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CCError, isCCError, problem } from '@commandcenter/protocol';

/** Fastify's own errors, as catalogue errors. */
function fromFastify(err: FastifyError, bodyLimit: number): CCError {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return CCError.invalid('CC_E_PARSE', [
        problem(
          'CC_E_PARSE',
          '',
          err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
            ? 'The body is empty although Content-Type is application/json.'
            : `The body is not valid JSON: ${err.message}.`,
          'Send a valid JSON document (check quotes, commas and brackets), or no Content-Type with an empty body.',
        ),
      ]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CCError('CC_E_PAYLOAD_TOO_LARGE', {
        detail: `the request body is larger than the limit of ${bodyLimit} bytes`,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CCError('CC_E_UNSUPPORTED_MEDIA_TYPE', { detail: err.message });
  }
  if (err.statusCode === 413) {
    return new CCError('CC_E_PAYLOAD_TOO_LARGE', {
      detail: `the request body is larger than the limit of ${bodyLimit} bytes`,
    });
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new CCError('CC_E_BAD_REQUEST', { detail: err.message });
  }
  return new CCError('CC_E_INTERNAL', { detail: 'internal error', cause: err });
}

/**
 * A problem+json answer. Besides the RFC 9457 members and `errors`, the extension member `fix`
 * carries the catalogue's fix, so that every error (also those without field problems, e.g. 401,
 * 404, 409) says how to fix it.
 */
export function sendProblem(reply: FastifyReply, err: CCError, instance?: string): FastifyReply {
  return reply
    .code(err.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(JSON.stringify({ ...err.toProblemJSON(instance), fix: err.fix }));
}

/** The one place where errors become `application/problem+json` responses. */
export function installErrorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const cc = isCCError(err) ? err : fromFastify(err, bodyLimit);
    if (cc.status >= 500) req.log.error({ err }, 'request failed');
    if (cc.code === 'CC_E_RATE_LIMITED') {
      const retry = (err as { retryAfter?: number }).retryAfter;
      if (retry !== undefined) void reply.header('retry-after', String(retry));
    }
    return sendProblem(reply, cc, req.url.split('?')[0]);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      new CCError('CC_E_NOT_FOUND', {
        detail: `no route ${req.method} ${req.url.split('?')[0]}; see /api/v1/openapi.json`,
      }),
    ),
  );
}
