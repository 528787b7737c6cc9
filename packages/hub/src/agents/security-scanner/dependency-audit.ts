/**
 * The dependency part of a scan: finds the package-lock.json among the scanned files and runs
 * npm audit on it. An audit that cannot run (no npm, registry unreachable) is recorded in the
 * output with its reason; it never fails the scan.
 */
import { posix } from 'node:path';
import { auditFindings, emptyAuditCounts } from './audit-report.js';
import type { AuditResult, Finding } from './manifest.js';
import { runNpmAudit, type NpmAuditOptions } from './npm-audit.js';
import type { ProjectFile } from './project-files.js';

/** Largest lockfile read for an audit (lockfiles of big monorepos reach tens of MiB). */
const maxLockfileBytes = 64 * 1024 * 1024;

/** The shallowest `package-lock.json` among `files`, if any. */
export function findLockfile(files: readonly ProjectFile[]): ProjectFile | undefined {
  const depth = (f: ProjectFile) => f.path.split('/').length;
  return files
    .filter((f) => posix.basename(f.path) === 'package-lock.json')
    .sort((a, b) => depth(a) - depth(b))[0];
}

/** Audits `lockfile` (with the package.json next to it among `files`, when present). */
export async function auditLockfile(
  lockfile: ProjectFile,
  files: readonly ProjectFile[],
  opts: NpmAuditOptions,
): Promise<{ audit: AuditResult; findings: Finding[] }> {
  const failed = (reason: string) => ({
    audit: { ran: false, reason, lockfile: lockfile.path, vulnerabilities: emptyAuditCounts() },
    findings: [],
  });
  if (lockfile.size > maxLockfileBytes) {
    return failed(`${lockfile.path} is larger than ${maxLockfileBytes / 1024 / 1024} MiB`);
  }
  let lockText: string;
  let packageJson: string | undefined;
  try {
    lockText = (await lockfile.read()).toString('utf8');
    const dir = posix.dirname(lockfile.path);
    const manifestPath = dir === '.' ? 'package.json' : `${dir}/package.json`;
    const manifestFile = files.find((f) => f.path === manifestPath);
    packageJson = manifestFile ? (await manifestFile.read()).toString('utf8') : undefined;
  } catch (err) {
    return failed(`${lockfile.path} cannot be read: ${(err as Error).message}`);
  }
  const run = await runNpmAudit(lockText, packageJson, opts);
  if (!run.ok) return failed(run.reason);
  const { findings, counts } = auditFindings(run.report, lockfile.path, lockText);
  return { audit: { ran: true, lockfile: lockfile.path, vulnerabilities: counts }, findings };
}

/** The audit entry when the audit was asked for but has nothing to run on. */
export function auditNotRun(reason: string): AuditResult {
  return { ran: false, reason, vulnerabilities: emptyAuditCounts() };
}
