/** Maps an npm audit report (auditReportVersion 2) to scanner findings and counts. */
import type { AuditCounts, Finding } from './manifest.js';
import type { NpmAuditReport, NpmVulnerability } from './npm-audit.js';
import type { Severity } from './rule-types.js';

/** The rule id of dependency findings. */
export const auditRuleId = 'dependency.npm-audit';

const severityOf: Record<string, Severity> = {
  info: 'low',
  low: 'low',
  moderate: 'medium',
  high: 'high',
  critical: 'critical',
};

/** Zero counts, for an audit that did not run. */
export function emptyAuditCounts(): AuditCounts {
  return { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 };
}

/**
 * One finding per vulnerable package of `report`, located at its entry in the lockfile
 * (`lockfilePath`, whose text is `lockText`).
 */
export function auditFindings(
  report: NpmAuditReport,
  lockfilePath: string,
  lockText: string,
): { findings: Finding[]; counts: AuditCounts } {
  const lock = parseLock(lockText);
  const findings = Object.entries(report.vulnerabilities).map(([name, vuln]) => {
    const node = vuln.nodes?.[0] ?? `node_modules/${name}`;
    const version = lock[node]?.version;
    const advisories = vuln.via.filter((v) => typeof v === 'object');
    const through = vuln.via.filter((v): v is string => typeof v === 'string');
    const what =
      advisories.length > 0
        ? advisories.map((a) => a.title ?? `advisory ${a.source ?? ''}`.trim()).join('; ')
        : `depends on vulnerable ${through.join(', ')}`;
    const ranges = advisories.map((a) => a.range).filter((r): r is string => !!r);
    const range = ranges[0] ?? vuln.range;
    const finding: Finding = {
      file: lockfilePath,
      line: lineOf(lockText, node),
      rule: auditRuleId,
      severity: severityOf[vuln.severity] ?? 'medium',
      category: 'dependency',
      message: `${name}${version ? `@${version}` : ''}: ${what}`,
      excerpt: `${name}${version ? `@${version}` : ''}${range ? ` (vulnerable: ${range})` : ''}`,
      fix: fixText(vuln),
    };
    const urls = advisories.map((a) => a.url).filter((u): u is string => !!u);
    if (urls.length > 0) finding.references = urls;
    return finding;
  });
  const meta = report.metadata?.vulnerabilities ?? {};
  const counts = emptyAuditCounts();
  for (const key of Object.keys(counts) as (keyof AuditCounts)[]) {
    const n = meta[key];
    if (typeof n === 'number') counts[key] = n;
  }
  return { findings, counts };
}

function fixText(vuln: NpmVulnerability): string {
  const fix = vuln.fixAvailable;
  if (fix === true) return 'Run `npm audit fix` to move to a patched version.';
  if (fix && typeof fix === 'object') {
    return fix.isSemVerMajor
      ? `Upgrade ${fix.name} to ${fix.version} (a semver-major change: check its breaking changes; \`npm audit fix --force\`).`
      : `Upgrade ${fix.name} to ${fix.version} (\`npm audit fix\`).`;
  }
  return 'No patched version is available yet: replace or remove the dependency, or accept the risk knowingly.';
}

function parseLock(text: string): Record<string, { version?: string }> {
  try {
    const lock = JSON.parse(text) as { packages?: Record<string, { version?: string }> };
    return lock.packages ?? {};
  } catch {
    return {};
  }
}

/** 1-based line of the lockfile entry `"node_modules/x":`, or 1 when it is not found. */
function lineOf(text: string, node: string): number {
  const at = text.indexOf(`${JSON.stringify(node)}:`);
  if (at < 0) return 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
