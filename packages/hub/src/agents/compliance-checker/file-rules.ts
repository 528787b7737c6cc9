/**
 * File checks of a policy: required files, forbidden files and custom rules (`mustContain`,
 * `mustNotContain`, `maxSizeKb`). File globs match case-insensitively.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { StepFailure } from '../../executors/builtin.js';
import { compileGlob } from '../security-scanner/glob.js';
import type { ProjectFile } from '../security-scanner/project-files.js';
import type { Violation } from './manifest.js';
import type { FileRule, Policy } from './policy-schema.js';
import { RegexGuard, RegexTimeoutError } from './regex-guard.js';

/** What the file checks found. */
export interface FileCheck {
  violations: Violation[];
  warnings: Violation[];
  /** Custom rules evaluated. */
  rules: number;
}

/** Options of {@link checkFiles}. */
export interface FileCheckOptions {
  signal: AbortSignal;
  /** Larger files are not searched by mustContain/mustNotContain (a warning says so). */
  maxFileBytes: number;
  /** Time limit of one regular-expression search. */
  regexTimeoutMs: number;
}

/** Runs the file checks of `policy` over `files`. */
export async function checkFiles(
  policy: Policy,
  files: readonly ProjectFile[],
  opts: FileCheckOptions,
): Promise<FileCheck> {
  const out: FileCheck = { violations: [], warnings: [], rules: 0 };
  for (const glob of policy.requiredFiles ?? []) {
    const matches = compileGlob(glob, { nocase: true, anchored: true });
    if (files.some((f) => matches(f.path))) continue;
    out.violations.push({
      rule: 'file.required',
      severity: 'medium',
      file: glob,
      message: `Required file "${glob}" is missing: add it at the root of the project.`,
    });
  }
  for (const glob of policy.forbiddenFiles ?? []) {
    const matches = compileGlob(glob, { nocase: true });
    for (const file of files.filter((f) => matches(f.path))) {
      out.violations.push({
        rule: 'file.forbidden',
        severity: 'high',
        file: file.path,
        message: `${file.path} matches the forbidden pattern "${glob}": remove it from the project (and rotate any secret it held).`,
      });
    }
  }
  const guard = new RegexGuard(opts.regexTimeoutMs);
  for (const rule of policy.rules ?? []) {
    out.rules++;
    await applyRule(rule, files, guard, opts, out);
  }
  return out;
}

async function applyRule(
  rule: FileRule,
  files: readonly ProjectFile[],
  guard: RegexGuard,
  opts: FileCheckOptions,
  out: FileCheck,
): Promise<void> {
  const matches = compileGlob(rule.file, { nocase: true });
  const targets = files.filter((f) => matches(f.path));
  const about = rule.description ? ` (${rule.description})` : '';
  const violation = (file: string, message: string, line?: number): Violation => ({
    rule: rule.id,
    severity: rule.severity ?? 'medium',
    file,
    ...(line === undefined ? {} : { line }),
    message: `${message}${about}.`,
  });
  if (targets.length === 0) {
    out.warnings.push({
      rule: rule.id,
      severity: 'low',
      message: `Rule ${rule.id} matches no file (file: "${rule.file}"), so it checked nothing.`,
    });
    return;
  }
  for (const file of targets) {
    opts.signal.throwIfAborted();
    await nextTurn(); // searching many files must not starve the hub
    if (rule.maxSizeKb !== undefined && file.size > rule.maxSizeKb * 1024) {
      const kb = Math.ceil(file.size / 1024);
      out.violations.push(
        violation(file.path, `${file.path} is ${kb} KiB, over the ${rule.maxSizeKb} KiB limit`),
      );
    }
    if (rule.mustContain === undefined && rule.mustNotContain === undefined) continue;
    if (file.size > opts.maxFileBytes) {
      out.warnings.push({
        rule: rule.id,
        severity: 'low',
        file: file.path,
        message: `${file.path} is too large to search (over ${opts.maxFileBytes} bytes); rule ${rule.id} did not check its content.`,
      });
      continue;
    }
    const text = (await file.read()).toString('utf8');
    if (rule.mustContain !== undefined && search(guard, rule, rule.mustContain, text, file) < 0) {
      out.violations.push(
        violation(file.path, `${file.path} does not contain /${rule.mustContain}/`),
      );
    }
    if (rule.mustNotContain !== undefined) {
      const at = search(guard, rule, rule.mustNotContain, text, file);
      if (at >= 0) {
        const line = lineAt(text, at);
        out.violations.push(
          violation(file.path, `${file.path} line ${line} contains /${rule.mustNotContain}/`, line),
        );
      }
    }
  }
}

function search(
  guard: RegexGuard,
  rule: FileRule,
  source: string,
  text: string,
  file: ProjectFile,
): number {
  try {
    return guard.search(new RegExp(source, rule.flags), text);
  } catch (err) {
    if (!(err instanceof RegexTimeoutError)) throw err;
    throw new StepFailure(
      `Policy rule ${rule.id}: ${err.message} on ${file.path}. Simplify the expression (avoid nested quantifiers such as (a+)+) or narrow the rule's file glob.`,
      {
        retryable: false,
        code: 'CC_E_STEP_INPUT_INVALID',
        details: { rule: rule.id, file: file.path },
      },
    );
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
