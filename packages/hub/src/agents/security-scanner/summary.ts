/** The output of a scan: findings sorted most severe first and capped, with their counts. */
import type { AuditResult, Finding, ScannedFile, ScanOutput } from './manifest.js';
import { severityRank, type Severity } from './rule-types.js';

/** What {@link summarize} needs besides the findings. */
export interface SummaryInput {
  failOn: Severity;
  filesScanned: number;
  filesSkipped: number;
  /** Findings listed at most (the counts cover all of them). */
  maxFindings: number;
  audit?: AuditResult;
  notes: string[];
  /** Files with findings, with their (redacted) content. */
  files?: ScannedFile[];
}

/** Builds the scan output from every finding kept. */
export function summarize(findings: Finding[], s: SummaryInput): ScanOutput {
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0 };
  const byCategory = { secret: 0, code: 0, dependency: 0 };
  for (const f of findings) {
    bySeverity[f.severity]++;
    byCategory[f.category]++;
  }
  const sorted = [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      (a.column ?? 0) - (b.column ?? 0),
  );
  const notes = [...s.notes];
  if (sorted.length > s.maxFindings) {
    notes.push(
      `Listed the ${s.maxFindings} most severe of ${sorted.length} findings (the summary counts all of them).`,
    );
  }
  const output: ScanOutput = {
    findings: sorted.slice(0, s.maxFindings),
    files: s.files ?? [],
    summary: {
      total: findings.length,
      ...bySeverity,
      bySeverity,
      byCategory,
      filesScanned: s.filesScanned,
      filesSkipped: s.filesSkipped,
      failOn: s.failOn,
      passed: !findings.some((f) => severityRank(f.severity) >= severityRank(s.failOn)),
    },
    notes,
  };
  if (s.audit) output.audit = s.audit;
  return output;
}
