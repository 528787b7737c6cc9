/**
 * Workflow validation: structure (JSON Schema), then every semantic check, reporting all
 * problems at once; a valid document is normalized into a {@link WorkflowDefinition}.
 */
import { documentAjv } from './ajv.js';
import { jsonType } from './ajv-errors.js';
import { problem, type Problem } from './errors.js';
import { toJsonValue } from './json-value.js';
import { normalizeWorkflow } from './normalize-workflow.js';
import { isRecord } from './path.js';
import { schemaProblems, type SchemaProblemRules } from './schema-problems.js';
import { checkAgents } from './workflow-agent-checks.js';
import { createCheckContext, type ValidateWorkflowOptions } from './workflow-check-context.js';
import { checkGraph } from './workflow-graph-checks.js';
import { workflowSchema } from './workflow-schema.js';
import { checkWorkflowTemplates } from './workflow-template-checks.js';
import { checkTriggers } from './workflow-trigger-checks.js';
import type { WorkflowDefinition, WorkflowDocument } from './workflow-types.js';
import { checkValues } from './workflow-value-checks.js';

export type { ValidateWorkflowOptions } from './workflow-check-context.js';

/** Result of {@link validateWorkflow}. */
export type WorkflowValidation =
  | { ok: true; workflow: WorkflowDefinition; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

const validateStructure = documentAjv.compile(workflowSchema);

const rules: SchemaProblemRules = {
  paths: [
    { path: /^name$/, code: 'CC_E_WORKFLOW_NAME', label: 'workflow name' },
    { path: /^nodes\[\]\.id$/, code: 'CC_E_WORKFLOW_NODE_ID', label: 'node id' },
    {
      path: /^(timeout|nodes\[\]\.(timeout|approvalTimeout|retry\.delay|retry\.maxDelay))$/,
      code: 'CC_E_DURATION',
      typeToo: true,
      label: 'duration',
    },
    { path: /^nodes\[\]\.forEach$/, code: 'CC_E_WORKFLOW_FOREACH', typeToo: true },
    { path: /^nodes\[\]\.retry\./, code: 'CC_E_WORKFLOW_RETRY' },
    { path: /^concurrency\./, code: 'CC_E_WORKFLOW_CONCURRENCY' },
    { path: /^triggers\[\]\./, code: 'CC_E_WORKFLOW_TRIGGER' },
    { path: /^ui\.positions\./, code: 'CC_E_WORKFLOW_UI', typeToo: true },
  ],
  keywords: { 'nodes/minItems': 'CC_E_WORKFLOW_NO_NODES' },
};

/**
 * Validates a parsed workflow document (from {@link parseWorkflowText} or any JSON value).
 * Every problem is reported, each with a code, a path (`nodes[2].retry.attempts`), a message
 * naming the node, and a fix. The document is copied; the caller's object is never modified.
 */
export function validateWorkflow(
  doc: unknown,
  options: ValidateWorkflowOptions = {},
): WorkflowValidation {
  const json = toJsonValue(doc);
  if (json.problems.length > 0) return { ok: false, problems: json.problems };
  const copy = json.value;
  if (!isRecord(copy)) {
    return {
      ok: false,
      problems: [
        problem(
          'CC_E_SCHEMA_WRONG_TYPE',
          '',
          `The document must be an object with name and nodes (got ${jsonType(copy)}).`,
          'Write the workflow as a YAML/JSON object: `name: my-flow` and `nodes: [...]`.',
        ),
      ],
    };
  }
  const ctx = createCheckContext(copy, options);
  if (!validateStructure(copy)) {
    ctx.problems.push(...schemaProblems(validateStructure.errors ?? [], copy, rules));
  }
  checkGraph(ctx);
  checkTriggers(ctx);
  checkValues(ctx);
  checkWorkflowTemplates(ctx);
  checkAgents(ctx);
  if (ctx.problems.length > 0) return { ok: false, problems: ctx.problems };
  const workflow = normalizeWorkflow(structuredClone(copy) as unknown as WorkflowDocument);
  workflow.source = copy as unknown as WorkflowDocument;
  return { ok: true, workflow, warnings: ctx.warnings };
}
