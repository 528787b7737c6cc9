/** The actions of the built-in `compliance-checker` agent. */
import { validateAgainstSchema } from '@commandcenter/protocol';
import { StepFailure, type BuiltinHandler } from '../../executors/builtin.js';
import { runCheck } from './check.js';
import { checkInputSchema, type CheckInput } from './manifest.js';

/** Hub-level settings of the checker; every limit has a production default. */
export interface ComplianceCheckerOptions {
  /** Directories `path` may point into (the hub's `workspaceRoots`). */
  workspaceRoots: readonly string[];
  /** Files listed at most in one check (default 20 000). */
  maxFiles?: number;
  /** Larger files are not searched by content rules (default 1 MiB). */
  maxFileBytes?: number;
  /** Time limit of one policy regular-expression search (default 1 000 ms). */
  regexTimeoutMs?: number;
  /** Violations listed at most (default 1 000; `passed` considers all). */
  maxViolations?: number;
}

/** Creates the `check` action. */
export function createComplianceCheckerActions(
  opts: ComplianceCheckerOptions,
): Record<string, BuiltinHandler> {
  const settings = {
    workspaceRoots: opts.workspaceRoots,
    maxFiles: opts.maxFiles ?? 20_000,
    maxFileBytes: opts.maxFileBytes ?? 1024 * 1024,
    regexTimeoutMs: opts.regexTimeoutMs ?? 1000,
    maxViolations: opts.maxViolations ?? 1000,
  };
  return {
    check: (input, ctx) => runCheck(parseCheckInput(input), settings, ctx),
  };
}

// The input schema minus the policy's details: loadPolicy reports those with `policy.…` paths.
const inputShape = {
  ...checkInputSchema,
  properties: { ...checkInputSchema.properties, policy: { type: 'object' } },
};

/**
 * Checks a `check` input's shape (path/files); the policy itself is validated by `loadPolicy`,
 * which reports its problems as `policy.…` paths for objects and YAML alike.
 */
export function parseCheckInput(input: unknown): CheckInput {
  const problems = validateAgainstSchema(inputShape, input, 'CC_E_STEP_INPUT_INVALID', 'input');
  if (problems.length > 0) {
    throw new StepFailure(
      `The check input is invalid: ${problems.map((p) => p.message).join(' ')} ` +
        'Give path (a directory in the workspace roots) or files, and optionally policy or policyYaml.',
      { retryable: false, code: 'CC_E_STEP_INPUT_INVALID', details: { problems } },
    );
  }
  return input as CheckInput;
}
