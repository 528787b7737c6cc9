/**
 * JSON Schema (2020-12) of a workflow document (SPEC §2). It drives structural validation and is
 * published in the OpenAPI document. Semantic rules a schema cannot express (unique ids,
 * dependencies, cycles, templates, cron fields, exactly one trigger kind) are checked by
 * `validateWorkflow`.
 */
import { durationPattern } from './duration.js';
import { namePattern, nodeIdPattern } from './names.js';

/** `$id` of {@link workflowSchema}. */
export const workflowSchemaId = 'https://commandcenter.dev/schemas/workflow.json';

/** The workflow document schema. Unknown fields are rejected everywhere except under `ui`. */
export const workflowSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: workflowSchemaId,
  title: 'CommandCenter workflow',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'nodes'],
  properties: {
    name: { $ref: '#/$defs/workflowName' },
    description: { type: 'string' },
    inputs: {
      description: 'JSON Schema (2020-12) of the run input, validated when a run is triggered.',
      type: ['object', 'boolean'],
    },
    triggers: { type: 'array', items: { $ref: '#/$defs/trigger' } },
    concurrency: { $ref: '#/$defs/concurrency' },
    timeout: { $ref: '#/$defs/duration', description: 'Maximum duration of a whole run.' },
    nodes: { type: 'array', minItems: 1, items: { $ref: '#/$defs/node' } },
    ui: { $ref: '#/$defs/ui' },
  },
  $defs: {
    workflowName: { type: 'string', pattern: namePattern },
    nodeId: { type: 'string', pattern: nodeIdPattern },
    duration: {
      type: 'string',
      pattern: durationPattern,
      description: 'A number and a unit (ms, s, m, h, d), e.g. `30s`, `5m`, `1h30m`.',
    },
    template: {
      type: 'string',
      description: 'A JSONata expression between `{{` and `}}`.',
    },
    node: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'agent', 'action'],
      properties: {
        id: { $ref: '#/$defs/nodeId' },
        agent: { type: 'string', minLength: 1 },
        action: { type: 'string', minLength: 1 },
        description: { type: 'string' },
        inputs: {
          type: 'object',
          description: 'Action input; strings may contain `{{ }}` templates at any depth.',
        },
        dependsOn: { type: 'array', items: { type: 'string' } },
        when: { $ref: '#/$defs/template' },
        forEach: { $ref: '#/$defs/forEach' },
        retry: { $ref: '#/$defs/retry' },
        timeout: { $ref: '#/$defs/duration' },
        approval: { enum: ['required', 'auto'] },
        approvalTimeout: { $ref: '#/$defs/duration' },
        onFailure: { enum: ['fail', 'continue'] },
      },
    },
    forEach: {
      type: ['string', 'array'],
      description: 'A `{{ }}` template yielding an array, or a literal array.',
    },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: { type: 'integer', minimum: 1, maximum: 100 },
        backoff: { enum: ['fixed', 'exponential', 'linear'] },
        delay: { $ref: '#/$defs/duration' },
        maxDelay: { $ref: '#/$defs/duration' },
      },
    },
    concurrency: {
      type: 'object',
      additionalProperties: false,
      required: ['limit'],
      properties: {
        limit: { type: 'integer', minimum: 1 },
        key: { type: 'string', description: 'Template of the key that limits runs per value.' },
      },
    },
    trigger: {
      type: 'object',
      additionalProperties: false,
      oneOf: [
        { required: ['event'] },
        { required: ['cron'] },
        { required: ['webhook'] },
        { required: ['manual'] },
        { required: ['alert'] },
        { required: ['action'] },
      ],
      properties: {
        event: { type: 'string', minLength: 1, description: 'NATS-style subject pattern.' },
        when: { $ref: '#/$defs/template' },
        cron: { type: 'string' },
        timezone: { type: 'string' },
        catchUp: { enum: ['run', 'skip'] },
        webhook: { type: 'string', pattern: namePattern },
        auth: {
          enum: ['hmac', 'token'],
          description:
            'Webhook triggers: `hmac` (default, signed with the trigger’s secret) or `token` (an API token with the operator role).',
        },
        manual: { type: ['object', 'null'], additionalProperties: false },
        alert: {
          type: 'object',
          description: 'Alert labels that must all be equal for the trigger to fire.',
          propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
          additionalProperties: { type: 'string' },
        },
        action: { type: 'string', pattern: namePattern },
      },
    },
    ui: {
      type: 'object',
      description: 'Builder layout; keys other than `positions` are kept verbatim.',
      properties: {
        positions: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['x', 'y'],
            properties: { x: { type: 'number' }, y: { type: 'number' } },
          },
        },
      },
    },
  },
} as const;
