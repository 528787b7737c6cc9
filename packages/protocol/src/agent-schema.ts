/**
 * JSON Schema (2020-12) of an agent manifest (SPEC §1, §4). The type-specific settings live under
 * `runtime`, selected by `type` with `if`/`then`. Published in the OpenAPI document.
 */
import { durationPattern } from './duration.js';
import { actionNamePattern, namePattern, secretNamePattern, semverPattern } from './names.js';

/** `$id` of {@link agentManifestSchema}. */
export const agentManifestSchemaId = 'https://commandcenter.dev/schemas/agent.json';

const runtimeFor = (type: string, ref: string, required: boolean): Record<string, unknown> => ({
  if: { properties: { type: { const: type } }, required: ['type'] },
  then: {
    ...(required ? { required: ['runtime'] } : {}),
    properties: { runtime: { $ref: `#/$defs/${ref}` } },
  },
});

/** The agent manifest schema. Unknown fields are rejected. */
export const agentManifestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: agentManifestSchemaId,
  title: 'CommandCenter agent manifest',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'type', 'actions'],
  properties: {
    name: { type: 'string', pattern: namePattern },
    version: { type: 'string', pattern: semverPattern, description: 'Semantic version.' },
    type: { enum: ['process', 'http', 'nats', 'llm', 'builtin'] },
    description: { type: 'string' },
    risk: { $ref: '#/$defs/risk' },
    concurrency: {
      type: 'integer',
      minimum: 1,
      description: 'Maximum in-flight attempts of this agent across the cluster.',
    },
    runtime: { type: 'object', description: 'Settings of the agent type (see `$defs`).' },
    actions: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: actionNamePattern },
      additionalProperties: { $ref: '#/$defs/action' },
    },
  },
  allOf: [
    runtimeFor('process', 'processRuntime', true),
    runtimeFor('http', 'httpRuntime', true),
    runtimeFor('nats', 'natsRuntime', false),
    runtimeFor('llm', 'llmRuntime', false),
    runtimeFor('builtin', 'builtinRuntime', false),
  ],
  $defs: {
    risk: { enum: ['low', 'medium', 'high', 'critical'] },
    duration: { type: 'string', pattern: durationPattern },
    stringMap: { type: 'object', additionalProperties: { type: 'string' } },
    nonEmptyString: { type: 'string', minLength: 1 },
    action: {
      type: 'object',
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        input: { type: ['object', 'boolean'], description: 'JSON Schema of the action input.' },
        output: { type: ['object', 'boolean'], description: 'JSON Schema of the action output.' },
        risk: { $ref: '#/$defs/risk' },
        prompt: { type: 'string', description: 'LLM agents: prompt template of this action.' },
      },
    },
    processRuntime: {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: {
        command: {
          type: ['string', 'array'],
          minLength: 1,
          minItems: 1,
          items: { $ref: '#/$defs/nonEmptyString' },
        },
        args: { type: 'array', items: { type: 'string' } },
        cwd: { type: 'string' },
        env: { $ref: '#/$defs/stringMap' },
        envAllowlist: { type: 'array', items: { type: 'string', pattern: secretNamePattern } },
        secrets: { type: 'array', items: { type: 'string', pattern: secretNamePattern } },
        persistent: { type: 'boolean' },
        timeout: { $ref: '#/$defs/duration' },
        memoryMb: { type: 'integer', minimum: 16 },
        maxOutputBytes: { type: 'integer', minimum: 1024 },
      },
    },
    httpRuntime: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^https?://' },
        headers: {
          $ref: '#/$defs/stringMap',
          description:
            'Header values may be `{{ secrets.NAME }}` for a secret listed in `secrets`.',
        },
        secrets: { type: 'array', items: { type: 'string', pattern: secretNamePattern } },
        timeout: { $ref: '#/$defs/duration' },
      },
    },
    natsRuntime: {
      type: 'object',
      additionalProperties: false,
      properties: {
        subject: { type: 'string', pattern: '^[^\\s*>]+$' },
        timeout: { $ref: '#/$defs/duration' },
      },
    },
    llmRuntime: {
      type: 'object',
      additionalProperties: false,
      properties: {
        baseUrl: {
          type: 'string',
          pattern: '^https?://',
          description: 'OpenAI-compatible base URL; default: the project secret LLM_BASE_URL.',
        },
        model: {
          $ref: '#/$defs/nonEmptyString',
          description: 'Model name; default: the project secret LLM_MODEL.',
        },
        pricing: {
          type: 'object',
          additionalProperties: false,
          required: ['inputPerMillion', 'outputPerMillion'],
          description: 'US dollars per million input and output tokens, for the recorded cost.',
          properties: {
            inputPerMillion: { type: 'number', minimum: 0 },
            outputPerMillion: { type: 'number', minimum: 0 },
          },
        },
        prompt: { type: 'string' },
        system: { type: 'string' },
        apiKeySecret: { type: 'string', pattern: secretNamePattern },
        temperature: { type: 'number', minimum: 0, maximum: 2 },
        maxTokens: { type: 'integer', minimum: 1 },
        timeout: { $ref: '#/$defs/duration' },
      },
    },
    builtinRuntime: { type: 'object', additionalProperties: false },
  },
} as const;
