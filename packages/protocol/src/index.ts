/**
 * `@commandcenter/protocol`: the contract shared by the hub, the CLI, the UI and agents —
 * error catalogue, workflow and agent schemas and validation, templates, DAG and retry helpers.
 *
 * Everything is platform-neutral except `hash.ts` (node:crypto).
 */
export * from './errors.js';
export * from './path.js';
export * from './names.js';
export * from './duration.js';
export * from './cron.js';
export * from './did-you-mean.js';
export * from './canonical-json.js';
export * from './hash.js';
export * from './json-schema.js';
export * from './json-value.js';
export * from './parse-document.js';
export * from './workflow-types.js';
export * from './workflow-schema.js';
export * from './validate-workflow.js';
export * from './parse-workflow.js';
export { normalizeRetry } from './normalize-workflow.js';
export { triggerKinds, checkSubjectPattern, type TriggerKind } from './workflow-trigger-checks.js';
export { templateRoots, type TemplateRoot } from './workflow-template-checks.js';
export * from './dag.js';
export * from './agent-types.js';
export * from './agent-schema.js';
export * from './validate-agent.js';
export * from './risk.js';
export * from './template.js';
export {
  compileExpression,
  evaluationLimits,
  isTruthy,
  type CompiledExpression,
} from './template-expression.js';
export type { TemplateReference } from './template-refs.js';
export {
  splitTemplate,
  wholeTemplateExpression,
  hasTemplate,
  type TemplatePart,
} from './template-syntax.js';
export * from './retry-policy.js';
export * from './execution.js';
export * from './project-settings.js';
export * from './events.js';
export * from './node-references.js';
export { schemaProblems, type SchemaProblemRules } from './schema-problems.js';
export * from './client/index.js';
