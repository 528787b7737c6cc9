import { MISSING_ID, V1 } from '../testing/api-harness.js';
import { webhookBattery, type Fixtures, type WebhookBadCase } from './webhook-battery.js';

/**
 * Refused rotations of a webhook's signing secret (`POST /api/v1/triggers/{id}/webhook-secret`):
 * the exact problem, and nothing changed at all. Runner and fixtures: `webhook-battery.ts`.
 */

const rotate =
  (id: (f: Fixtures) => string, body: unknown = {}) =>
  (f: Fixtures) => ({
    url: `${V1}/triggers/${id(f)}/webhook-secret`,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

const cases: WebhookBadCase[] = [
  {
    name: 'rotate: no token',
    request: (f) => ({ ...rotate((x) => x.trigger.hooked!)(f), token: null }),
    status: 401,
    code: 'CC_E_UNAUTHORIZED',
  },
  {
    name: 'rotate: an operator token',
    request: (f) => ({ ...rotate((x) => x.trigger.hooked!)(f), token: f.operator }),
    status: 403,
    code: 'CC_E_FORBIDDEN',
  },
  {
    name: 'rotate: the admin of another project',
    request: (f) => ({ ...rotate((x) => x.trigger.hooked!)(f), token: f.alphaAdmin }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'rotate: an unknown trigger',
    request: (f) => ({ ...rotate(() => MISSING_ID)(f), token: f.admin }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
  },
  {
    name: 'rotate: an id that is not a UUID',
    request: (f) => ({ ...rotate(() => 'not-a-uuid')(f), token: f.admin }),
    status: 400,
    code: 'CC_E_BAD_REQUEST',
    paths: ['params.id'],
  },
  {
    name: 'rotate: a trigger that is not a webhook',
    request: (f) => ({ ...rotate((x) => x.trigger.acted!)(f), token: f.admin }),
    status: 404,
    code: 'CC_E_NOT_FOUND',
    detail: /webhook trigger/,
  },
  {
    name: 'rotate: a token-auth webhook',
    request: (f) => ({ ...rotate((x) => x.trigger.tokened!)(f), token: f.admin }),
    status: 409,
    code: 'CC_E_CONFLICT',
    detail: /auth: token/,
  },
  {
    name: 'rotate: a trigger the workflow no longer declares',
    request: (f) => ({ ...rotate((x) => x.trigger.dropped!)(f), token: f.admin }),
    status: 409,
    code: 'CC_E_CONFLICT',
    detail: /no longer declared/,
  },
  {
    name: 'rotate: previousValidFor is not a duration',
    request: (f) => ({
      ...rotate((x) => x.trigger.hooked!, { previousValidFor: 'tomorrow' })(f),
      token: f.admin,
    }),
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['previousValidFor'],
  },
  {
    name: 'rotate: previousValidFor longer than 30 days',
    request: (f) => ({
      ...rotate((x) => x.trigger.hooked!, { previousValidFor: '31d' })(f),
      token: f.admin,
    }),
    status: 422,
    code: 'CC_E_SCHEMA_INVALID_VALUE',
    paths: ['previousValidFor'],
    detail: /30 days/,
  },
  {
    name: 'rotate: an unknown field',
    request: (f) => ({
      ...rotate((x) => x.trigger.hooked!, { secret: 'mine' })(f),
      token: f.admin,
    }),
    status: 422,
    code: 'CC_E_SCHEMA_UNKNOWN_FIELD',
    paths: ['secret'],
  },
];

webhookBattery('webhook secret rotation', cases, { atLeast: 10 });
