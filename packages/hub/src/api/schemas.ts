/** JSON Schemas shared by the routes (they validate requests and make the OpenAPI document). */

export const projectName = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
  description: 'Project name',
} as const;

export const objectName = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const uuid = {
  type: 'string',
  format: 'uuid',
  description: 'UUID',
} as const;

/** `?project=` of every project-scoped route. */
export const projectQuery = {
  type: 'object',
  properties: { project: projectName },
  additionalProperties: false,
} as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  cursor: { type: 'string', minLength: 1, maxLength: 200 },
} as const;

export const idParams = {
  type: 'object',
  properties: { id: uuid },
  required: ['id'],
  additionalProperties: false,
} as const;

export const nameParams = {
  type: 'object',
  properties: { name: objectName },
  required: ['name'],
  additionalProperties: false,
} as const;

export const emptyBody = {
  type: 'object',
  additionalProperties: false,
  description: 'No fields (an empty body is fine)',
} as const;

export const commentBody = {
  type: 'object',
  properties: { comment: { type: 'string', maxLength: 4000 } },
  additionalProperties: false,
} as const;
