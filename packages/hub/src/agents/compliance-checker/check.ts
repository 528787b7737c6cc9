/**
 * The `check` action: loads the policy, collects the project's files (workspace directory and/or
 * inline files), and runs the license and file checks. A breached policy is output data.
 */
import type { BuiltinContext } from '../../executors/builtin.js';
import { StepFailure } from '../../executors/builtin.js';
import {
  inlineFiles,
  listWorkspacePath,
  type ProjectFile,
} from '../security-scanner/project-files.js';
import { checkFiles } from './file-rules.js';
import { checkLicenses } from './licenses.js';
import type { CheckInput, CheckOutput, Violation } from './manifest.js';
import { readProjectPackages } from './packages.js';
import { loadPolicy } from './policy.js';

/** Hub-level settings of the checker (see `ComplianceCheckerOptions`). */
export interface CheckSettings {
  workspaceRoots: readonly string[];
  maxFiles: number;
  maxFileBytes: number;
  regexTimeoutMs: number;
  maxViolations: number;
}

/** Runs one compliance check. */
export async function runCheck(
  input: CheckInput,
  settings: CheckSettings,
  ctx: Pick<BuiltinContext, 'signal' | 'log'>,
): Promise<CheckOutput> {
  const { policy, source } = loadPolicy(input);
  const warnings: Violation[] = [];
  const note = (message: string) => warnings.push({ rule: 'checker', severity: 'low', message });
  let directory: { real: string; realRoots: readonly string[] } | undefined;
  const files: ProjectFile[] = [];
  if (input.path !== undefined) {
    const listing = await listWorkspacePath(input.path, settings.workspaceRoots, {
      maxFiles: settings.maxFiles,
      signal: ctx.signal,
    });
    if (listing.target.kind !== 'directory') {
      throw new StepFailure(
        `path "${input.path}" is a file: give the project's directory (the one holding package.json).`,
        { retryable: false, details: { path: input.path } },
      );
    }
    if (listing.truncated) {
      note(`Stopped listing after ${settings.maxFiles} files: file checks saw only those.`);
    }
    if (listing.unreadable.length > 0) note(`Could not read ${listing.unreadable.join(', ')}.`);
    files.push(...listing.files);
    directory = { real: listing.target.real, realRoots: listing.realRoots };
  }
  files.push(...inlineFiles(input.files ?? []));

  const violations: Violation[] = [];
  let packages = 0;
  if (policy.licenses) {
    const found = await readProjectPackages(files, directory);
    found.warnings.forEach(note);
    if (!found.project && found.dependencies.length === 0) {
      note('No package.json, package-lock.json or node_modules found: no licenses were checked.');
    }
    const licenses = checkLicenses(policy.licenses, found);
    violations.push(...licenses.violations);
    warnings.push(...licenses.warnings);
    packages = licenses.checked;
  }
  const fileCheck = await checkFiles(policy, files, {
    signal: ctx.signal,
    maxFileBytes: settings.maxFileBytes,
    regexTimeoutMs: settings.regexTimeoutMs,
  });
  violations.push(...fileCheck.violations);
  warnings.push(...fileCheck.warnings);
  ctx.log(`checked ${packages} packages, ${files.length} files: ${violations.length} violations`);
  const passed = violations.length === 0;
  if (violations.length > settings.maxViolations) {
    note(`Listed the first ${settings.maxViolations} of ${violations.length} violations.`);
  }
  return {
    passed,
    violations: violations.slice(0, settings.maxViolations),
    warnings: warnings.slice(0, settings.maxViolations),
    checked: { packages, files: files.length, rules: fileCheck.rules },
    policySource: source,
  };
}
