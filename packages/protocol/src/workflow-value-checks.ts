/**
 * Value checks the schema cannot express: duration bounds, retry delays, the `inputs` JSON
 * Schema, and UI positions of nodes that do not exist.
 */
import { durationPattern, parseDuration } from './duration.js';
import { compileJsonSchema } from './json-schema.js';
import { formatPath, isRecord } from './path.js';
import { nodeLabel, nodePath, report, warn, type CheckContext } from './workflow-check-context.js';

const durationShape = new RegExp(durationPattern);

/** Runs the value checks. */
export function checkValues(ctx: CheckContext): void {
  checkDuration(ctx, ctx.doc.timeout, 'timeout', 'The workflow timeout', 1);
  for (const node of ctx.nodes) {
    const label = nodeLabel(node);
    checkDuration(ctx, node.raw.timeout, nodePath(node, 'timeout'), `${label}: timeout`, 1);
    checkDuration(
      ctx,
      node.raw.approvalTimeout,
      nodePath(node, 'approvalTimeout'),
      `${label}: approvalTimeout`,
      1,
    );
    const retry = node.raw.retry;
    if (!isRecord(retry)) continue;
    const delay = checkDuration(
      ctx,
      retry.delay,
      nodePath(node, 'retry', 'delay'),
      `${label}: retry.delay`,
      0,
    );
    const maxDelay = checkDuration(
      ctx,
      retry.maxDelay,
      nodePath(node, 'retry', 'maxDelay'),
      `${label}: retry.maxDelay`,
      1,
    );
    if (delay !== undefined && maxDelay !== undefined && maxDelay < delay) {
      report(
        ctx,
        'CC_E_WORKFLOW_RETRY',
        nodePath(node, 'retry', 'maxDelay'),
        `${label}: retry.maxDelay (${String(retry.maxDelay)}) is smaller than retry.delay (${String(retry.delay)}).`,
        'Set maxDelay to at least delay, or lower delay.',
      );
    }
  }
  checkInputsSchema(ctx);
  checkUi(ctx);
}

/** Checks a well-formed duration's value (malformed ones are schema errors); returns ms. */
function checkDuration(
  ctx: CheckContext,
  value: unknown,
  path: string,
  label: string,
  minimumMs: number,
): number | undefined {
  if (typeof value !== 'string' || !durationShape.test(value)) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) {
    report(ctx, 'CC_E_DURATION', path, `${label} "${value}" is too large.`);
    return undefined;
  }
  if (ms < minimumMs) {
    report(ctx, 'CC_E_DURATION', path, `${label} must be greater than 0 (got "${value}").`);
    return undefined;
  }
  return ms;
}

function checkInputsSchema(ctx: CheckContext): void {
  const schema = ctx.doc.inputs;
  if (schema === undefined || !(isRecord(schema) || typeof schema === 'boolean')) return;
  const compiled = compileJsonSchema(schema, 'CC_E_WORKFLOW_INPUT_SCHEMA', 'inputs');
  if (compiled.ok) ctx.warnings.push(...compiled.warnings);
  else ctx.problems.push(...compiled.problems);
}

function checkUi(ctx: CheckContext): void {
  const ui = ctx.doc.ui;
  if (!isRecord(ui) || !isRecord(ui.positions)) return;
  const ids = new Set(ctx.nodes.map((n) => n.raw.id));
  for (const key of Object.keys(ui.positions)) {
    if (!ids.has(key)) {
      warn(
        ctx,
        'CC_W_UI_UNKNOWN_NODE',
        formatPath(['ui', 'positions', key]),
        `ui.positions has an entry for "${key}", which is not a node.`,
      );
    }
  }
}
