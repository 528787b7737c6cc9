/**
 * Workflow text entry points: parse YAML/JSON, then validate.
 */
import { isCCError } from './errors.js';
import { parseDocumentText, type DocumentFormat } from './parse-document.js';
import {
  validateWorkflow,
  type ValidateWorkflowOptions,
  type WorkflowValidation,
} from './validate-workflow.js';

/**
 * Parses workflow text (YAML by default; JSON is valid YAML) into a plain value. Throws
 * `CCError('CC_E_PARSE')` whose problems carry 1-based `line`/`column`.
 */
export function parseWorkflowText(text: string, format?: DocumentFormat): unknown {
  return parseDocumentText(text, format);
}

/**
 * Parses and validates workflow text in one call. Parse errors are returned as problems (not
 * thrown), so callers handle a single result shape.
 */
export function loadWorkflow(
  text: string,
  options: ValidateWorkflowOptions & { format?: DocumentFormat } = {},
): WorkflowValidation {
  let doc: unknown;
  try {
    doc = parseWorkflowText(text, options.format);
  } catch (error) {
    if (isCCError(error) && error.code === 'CC_E_PARSE')
      return { ok: false, problems: error.problems };
    throw error;
  }
  return validateWorkflow(doc, options);
}
