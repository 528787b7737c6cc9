import type { FastifyRequest } from 'fastify';
import { CCError, parseDocumentText, problem } from '@commandcenter/protocol';

/** A document sent as JSON, or as YAML text (`Content-Type: application/yaml`). */
export function documentBody(req: FastifyRequest): unknown {
  const body = req.body;
  if (typeof body === 'string') return parseDocumentText(body, 'yaml');
  if (body === undefined || body === null) {
    throw CCError.invalid('CC_E_PARSE', [
      problem(
        'CC_E_PARSE',
        '',
        'The request has no body.',
        'Send the document as JSON (`Content-Type: application/json`) or YAML (`Content-Type: application/yaml`).',
      ),
    ]);
  }
  return body;
}
