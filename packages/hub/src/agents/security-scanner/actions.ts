/** The actions of the built-in `security-scanner` agent. */
import { validateAgainstSchema } from '@commandcenter/protocol';
import { StepFailure, type BuiltinHandler } from '../../executors/builtin.js';
import { scanInputSchema, type ScanInput } from './manifest.js';
import { runScan } from './scan.js';

/** Hub-level settings of the scanner; every limit has a production default. */
export interface SecurityScannerOptions {
  /** Directories `path` may point into (the hub's `workspaceRoots`). */
  workspaceRoots: readonly string[];
  /** The npm executable for dependency audits (default `npm` on PATH). */
  npmPath?: string;
  /** Registry for npm audit (`--registry`); default: npm's own configuration. */
  npmRegistry?: string;
  /** npm audit time limit (default 120 000 ms). */
  auditTimeoutMs?: number;
  /** Files walked at most in one scan (default 20 000). */
  maxFiles?: number;
  /** Larger files are skipped (default 1 MiB). */
  maxFileBytes?: number;
  /** Findings listed at most (default 1 000; the summary counts all). */
  maxFindings?: number;
}

/** Creates the `scan` action. */
export function createSecurityScannerActions(
  opts: SecurityScannerOptions,
): Record<string, BuiltinHandler> {
  const settings = {
    workspaceRoots: opts.workspaceRoots,
    npmPath: opts.npmPath,
    npmRegistry: opts.npmRegistry,
    auditTimeoutMs: opts.auditTimeoutMs ?? 120_000,
    maxFiles: opts.maxFiles ?? 20_000,
    maxFileBytes: opts.maxFileBytes ?? 1024 * 1024,
    maxFindings: opts.maxFindings ?? 1000,
  };
  return {
    scan: (input, ctx) => runScan(parseScanInput(input), settings, ctx),
  };
}

/** Checks a `scan` input against its schema (the engine does too; direct callers may not). */
export function parseScanInput(input: unknown): ScanInput {
  const problems = validateAgainstSchema(
    scanInputSchema,
    input,
    'CC_E_STEP_INPUT_INVALID',
    'input',
  );
  if (problems.length > 0) {
    throw new StepFailure(
      `The scan input is invalid: ${problems.map((p) => p.message).join(' ')} ` +
        'Give at least one of path, files or diff (see the security-scanner README).',
      { retryable: false, code: 'CC_E_STEP_INPUT_INVALID', details: { problems } },
    );
  }
  return input as ScanInput;
}
