/**
 * Checks against the registered agents: the agent and action exist, and literal node inputs can
 * match the action's input schema. Templated values are unknown until run time, so errors that
 * depend on them are skipped (see {@link keepInputError}).
 */
import type { ErrorObject } from './ajv.js';
import { describeAjvError, isBranchError } from './ajv-errors.js';
import { didYouMean } from './did-you-mean.js';
import { compileJsonSchema } from './json-schema.js';
import { formatPath, isRecord, pointerToSegments, valueAt } from './path.js';
import { wholeTemplateExpression } from './template-syntax.js';
import {
  nodeLabel,
  nodePath,
  report,
  type CheckContext,
  type NodeEntry,
} from './workflow-check-context.js';

/** Runs the agent checks (only when `options.agents` is given). */
export function checkAgents(ctx: CheckContext): void {
  const lookup = ctx.options.agents;
  if (lookup === undefined) return;
  const names = [...(ctx.options.agentNames ?? [])];
  for (const node of ctx.nodes) {
    const { agent: agentName, action: actionName } = node.raw;
    if (typeof agentName !== 'string' || agentName === '') continue;
    const agent = lookup(agentName);
    if (agent === undefined) {
      report(
        ctx,
        'CC_E_WORKFLOW_UNKNOWN_AGENT',
        nodePath(node, 'agent'),
        `${nodeLabel(node)} uses agent "${agentName}", which is not registered.`,
        `${didYouMean(agentName, names)}Register it first (commandcenter apply -f <agent manifest>) or correct the name.`,
      );
      continue;
    }
    if (typeof actionName !== 'string' || actionName === '') continue;
    const action = agent.actions[actionName];
    if (action === undefined) {
      const actions = Object.keys(agent.actions);
      report(
        ctx,
        'CC_E_WORKFLOW_UNKNOWN_ACTION',
        nodePath(node, 'action'),
        `${nodeLabel(node)}: agent "${agentName}" has no action "${actionName}".`,
        `${didYouMean(actionName, actions)}Actions of ${agentName}: ${actions.join(', ')}.`,
      );
      continue;
    }
    if (action.input !== undefined)
      checkLiteralInputs(ctx, node, `${agentName}.${actionName}`, action.input);
  }
}

function checkLiteralInputs(
  ctx: CheckContext,
  node: NodeEntry,
  actionLabel: string,
  schema: unknown,
): void {
  const inputs = node.raw.inputs === undefined ? {} : node.raw.inputs;
  if (!isRecord(inputs)) return; // a schema error already
  const compiled = compileJsonSchema(schema, 'CC_E_WORKFLOW_INPUT_MISMATCH', 'input');
  if (!compiled.ok || compiled.validate(inputs)) return;
  for (const error of compiled.validate.errors ?? []) {
    if (isBranchError(error) || !keepInputError(error, inputs)) continue;
    const described = describeAjvError(error, inputs);
    const local = formatPath(['inputs', ...described.segments]);
    const path = nodePath(node, 'inputs', ...described.segments);
    if (error.keyword === 'required') {
      const key = String(described.segments.at(-1));
      report(
        ctx,
        'CC_E_WORKFLOW_INPUT_MISSING',
        path,
        `${nodeLabel(node)}: ${local} is required by ${actionLabel}.`,
        `Add \`${key}:\` under the node's inputs (a literal or a {{ }} template).`,
      );
    } else if (error.keyword === 'additionalProperties') {
      const allowed = Object.keys(
        isRecord(error.parentSchema) && isRecord(error.parentSchema.properties)
          ? error.parentSchema.properties
          : {},
      );
      const key = String(described.segments.at(-1));
      report(
        ctx,
        'CC_E_WORKFLOW_INPUT_MISMATCH',
        path,
        `${nodeLabel(node)}: ${local} is not an input of ${actionLabel}.`,
        `${didYouMean(key, allowed)}Inputs of ${actionLabel}: ${allowed.join(', ') || '(none declared)'}.`,
      );
    } else {
      report(
        ctx,
        'CC_E_WORKFLOW_INPUT_MISMATCH',
        path,
        `${nodeLabel(node)}: ${local} ${described.message} for ${actionLabel}.`,
      );
    }
  }
}

/** Keywords whose outcome depends only on keys, container types and lengths — never on values. */
const shapeKeywords = new Set([
  'required',
  'additionalProperties',
  'type',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'propertyNames',
  'dependentRequired',
]);

/**
 * Whether an input schema error is certain despite templates: always for fully literal values;
 * for a string with embedded templates (certainly a string) only type errors; for containers
 * holding templates only shape errors; never for a whole-string template (any type at run time).
 */
export function keepInputError(error: ErrorObject, inputs: unknown): boolean {
  const value = valueAt(inputs, pointerToSegments(error.instancePath, inputs));
  if (typeof value === 'string') {
    if (!value.includes('{{')) return true;
    if (wholeTemplateExpression(value) !== undefined) return false;
    return error.keyword === 'type';
  }
  if (!containsTemplate(value)) return true;
  return shapeKeywords.has(error.keyword);
}

function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (isRecord(value)) return Object.values(value).some(containsTemplate);
  return false;
}
