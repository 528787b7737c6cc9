/**
 * `@commandcenter/protocol/client`: what a client of the hub needs (the typed API client, errors,
 * event types, document parsing) without the validation machinery, so that the CLI starts fast.
 */
export * from './client/index.js';
export * from './errors.js';
export * from './events.js';
export { parseDocumentText } from './parse-document.js';
export { isValidName, isValidNodeId, namePattern, nodeIdPattern } from './names.js';
export { formatPath, type PathSegment } from './path.js';
export type * from './workflow-types.js';
export type * from './agent-types.js';
export type * from './execution.js';
export type * from './project-settings.js';
