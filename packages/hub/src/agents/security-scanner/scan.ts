/**
 * The `scan` action: collects the files (workspace path, inline files, diff), runs the line
 * rules over each, audits the lockfile, and summarises. Findings are data; only a bad `path`
 * fails the step.
 */
import { posix } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BuiltinContext } from '../../executors/builtin.js';
import { StepFailure } from '../../executors/builtin.js';
import { auditLockfile, auditNotRun, findLockfile } from './dependency-audit.js';
import { parseUnifiedDiff } from './diff.js';
import { compileGlobs, type GlobMatcher } from './glob.js';
import { scanLines, type NumberedLine } from './line-scanner.js';
import type { AuditResult, Finding, ScanInput, ScannedFile, ScanOutput } from './manifest.js';
import { inlineFiles, listWorkspacePath, type ProjectFile } from './project-files.js';
import { selectRules, type RuleSelection } from './rule-set.js';
import { severityRank } from './rule-types.js';
import { summarize } from './summary.js';

/** Hub-level settings of the scanner (see `SecurityScannerOptions`). */
export interface ScanSettings {
  workspaceRoots: readonly string[];
  npmPath?: string;
  npmRegistry?: string;
  auditTimeoutMs: number;
  maxFiles: number;
  maxFileBytes: number;
  maxFindings: number;
}

const lockfileNames = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'Cargo.lock',
  'Gemfile.lock',
  'composer.lock',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'go.sum',
  'flake.lock',
  'packages.lock.json',
]);

/** Runs one scan. */
export async function runScan(
  input: ScanInput,
  settings: ScanSettings,
  ctx: Pick<BuiltinContext, 'signal' | 'log'>,
): Promise<ScanOutput> {
  const rules = selectRules(input.rules);
  const wanted = fileFilter(input);
  const notes: string[] = [];
  const files = [
    ...(input.path ? await workspaceFiles(input.path, settings, ctx.signal, notes) : []),
    ...inlineFiles(input.files ?? []),
  ];
  const findings: Finding[] = [];
  const texts = new Map<string, string>();
  const skipped = { large: [] as string[], binary: 0, unreadable: [] as string[] };
  let scanned = 0;
  for (const file of files) {
    if (!wanted(file.path)) continue;
    ctx.signal.throwIfAborted();
    if (scanned % 25 === 24) await nextTurn(); // long scans must not starve the hub
    if (file.size > settings.maxFileBytes) {
      skipped.large.push(file.path);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await file.read();
    } catch (err) {
      skipped.unreadable.push(`${file.path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    if (bytes.subarray(0, 8000).includes(0)) {
      skipped.binary++;
      continue;
    }
    const text = bytes.toString('utf8');
    const found = scanLines(file.path, numbered(text), lineOptions(rules, file.path, text));
    findings.push(...found);
    if (found.length > 0) texts.set(file.path, text);
    scanned++;
  }
  for (const added of parseUnifiedDiff(input.diff ?? '')) {
    if (!wanted(added.path)) continue;
    findings.push(...scanLines(added.path, added.lines, lineOptions(rules, added.path, '')));
    scanned++;
  }
  describeSkipped(skipped, settings.maxFileBytes, notes);
  const audit = await dependencyAudit(input, rules, files, settings, ctx.signal);
  if (audit) findings.push(...audit.findings);
  const minSeverity = input.minSeverity ?? 'low';
  const kept = findings.filter((f) => severityRank(f.severity) >= severityRank(minSeverity));
  const skippedCount = skipped.large.length + skipped.binary + skipped.unreadable.length;
  ctx.log(`scanned ${scanned} files, ${kept.length} findings`);
  return summarize(kept, {
    failOn: input.failOn ?? 'high',
    filesScanned: scanned,
    filesSkipped: skippedCount,
    maxFindings: settings.maxFindings,
    audit: audit?.audit,
    notes,
    files: filesForReview(kept, texts, notes),
  });
}

const REVIEW_FILES = 50;
const REVIEW_BYTES = 100_000;

/**
 * The files with findings and their content for a later review step. A line that holds a secret
 * is replaced, so the secret does not travel further than the masked finding.
 */
function filesForReview(
  kept: Finding[],
  texts: Map<string, string>,
  notes: string[],
): ScannedFile[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of kept) {
    if (f.category === 'dependency' || !texts.has(f.file)) continue;
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  }
  const out: ScannedFile[] = [];
  for (const [path, found] of byFile) {
    if (out.length === REVIEW_FILES) {
      notes.push(`Listed the content of the first ${REVIEW_FILES} files with findings only.`);
      break;
    }
    const secretLines = new Map(
      found.filter((f) => f.category === 'secret').map((f) => [f.line, f.rule]),
    );
    const lines = texts.get(path)!.split('\n');
    const redacted = lines
      .map((l, i) => (secretLines.has(i + 1) ? `[line redacted: ${secretLines.get(i + 1)}]` : l))
      .join('\n');
    const truncated = Buffer.byteLength(redacted) > REVIEW_BYTES;
    out.push({
      path,
      content: truncated
        ? Buffer.from(redacted).subarray(0, REVIEW_BYTES).toString('utf8')
        : redacted,
      findings: found.length,
      ...(truncated ? { truncated } : {}),
    });
  }
  return out;
}

function fileFilter(input: ScanInput): GlobMatcher {
  let include: GlobMatcher;
  let exclude: GlobMatcher;
  try {
    include = input.include?.length ? compileGlobs(input.include) : () => true;
    exclude = compileGlobs(input.exclude ?? []);
  } catch (err) {
    throw new StepFailure(`Invalid include/exclude pattern: ${(err as Error).message}.`, {
      retryable: false,
      code: 'CC_E_STEP_INPUT_INVALID',
    });
  }
  return (path) => include(path) && !exclude(path);
}

async function workspaceFiles(
  path: string,
  settings: ScanSettings,
  signal: AbortSignal,
  notes: string[],
): Promise<ProjectFile[]> {
  const listing = await listWorkspacePath(path, settings.workspaceRoots, {
    maxFiles: settings.maxFiles,
    signal,
  });
  if (listing.truncated) {
    notes.push(
      `Stopped after ${settings.maxFiles} files: scan a subdirectory, or narrow with include/exclude.`,
    );
  }
  if (listing.skippedLinks > 0) {
    notes.push(
      `Skipped ${listing.skippedLinks} symbolic links (to directories, or outside the workspace roots).`,
    );
  }
  if (listing.unreadable.length > 0) {
    notes.push(
      `Could not read ${listing.unreadable.length} entries: ${sample(listing.unreadable)}.`,
    );
  }
  return listing.files;
}

function lineOptions(rules: RuleSelection, path: string, text: string) {
  const name = posix.basename(path);
  const entropy = rules.entropy && !lockfileNames.has(name) && !isMinified(name, text);
  return { secretRules: rules.secretRules, codeRules: rules.codeRules, entropy };
}

/** Minified bundles and source maps: long lines of generated tokens that only look random. */
function isMinified(name: string, text: string): boolean {
  if (/\.min\.[cm]?[jt]s$|\.min\.css$|\.map$/.test(name)) return true;
  if (text.length < 4096) return false;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return text.length / lines > 300;
}

function* numbered(text: string): Generator<NumberedLine> {
  let number = 1;
  for (const line of text.split(/\r?\n/)) yield { number: number++, text: line };
}

async function dependencyAudit(
  input: ScanInput,
  rules: RuleSelection,
  files: readonly ProjectFile[],
  settings: ScanSettings,
  signal: AbortSignal,
): Promise<{ audit: AuditResult; findings: Finding[] } | undefined> {
  const lockfile = findLockfile(files);
  if (!(input.audit ?? lockfile !== undefined)) return undefined;
  if (!rules.audit) {
    return { audit: auditNotRun('the rules filter leaves out dependency.npm-audit'), findings: [] };
  }
  if (!lockfile) {
    return { audit: auditNotRun('no package-lock.json among the scanned files'), findings: [] };
  }
  return auditLockfile(lockfile, files, {
    npmPath: settings.npmPath,
    registry: settings.npmRegistry,
    timeoutMs: settings.auditTimeoutMs,
    signal,
  });
}

function describeSkipped(
  skipped: { large: string[]; binary: number; unreadable: string[] },
  maxBytes: number,
  notes: string[],
): void {
  if (skipped.large.length > 0) {
    const size = maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes} bytes`;
    notes.push(`Skipped ${skipped.large.length} files over ${size}: ${sample(skipped.large)}.`);
  }
  if (skipped.binary > 0) notes.push(`Skipped ${skipped.binary} binary files.`);
  if (skipped.unreadable.length > 0) {
    notes.push(`Could not read ${skipped.unreadable.length} files: ${sample(skipped.unreadable)}.`);
  }
}

function sample(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')}, …`;
}
