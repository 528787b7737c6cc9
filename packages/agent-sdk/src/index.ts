/**
 * `@commandcenter/agent-sdk`: write a CommandCenter process agent in a few lines. Define typed
 * actions with {@link defineAgent}, call `.main()`, and the SDK speaks the stdio protocol — one
 * request per process, or many on a warm process (`runtime.persistent: true`). No dependencies.
 */
export {
  defineAgent,
  action,
  type Agent,
  type AgentDefinition,
  type ActionDefinition,
  type ActionEntry,
  type Handler,
  type HandleOptions,
} from './define-agent.js';
export { AgentError, retryable, fatal, type AgentErrorOptions } from './errors.js';
export { serve, READY_LINE, type AgentIO } from './serve.js';
export type {
  ActionContext,
  AgentMode,
  AgentRequest,
  ErrorBody,
  JsonSchema,
  ResultLine,
} from './types.js';
