/**
 * Manifest of the built-in `security-scanner` agent, and the TypeScript types of its action's
 * input and output (the JSON Schemas below are the source of truth the hub validates against).
 */
import type { FindingCategory, Severity } from './rule-types.js';

/** Input of `scan`: at least one of `path`, `files`, `diff`. */
export interface ScanInput {
  /** A directory or file on the hub host, inside the workspace roots. */
  path?: string;
  /** Inline files, e.g. from an upstream step. */
  files?: { path: string; content: string }[];
  /** A unified diff: only its added lines are scanned. */
  diff?: string;
  include?: string[];
  exclude?: string[];
  /** Only these rule ids. */
  rules?: string[];
  /** Drop findings below this severity (default `low`: keep all). */
  minSeverity?: Severity;
  /** `summary.passed` is false when a finding is at least this severe (default `high`). */
  failOn?: Severity;
  /** Run `npm audit` on the package-lock.json (default: when one is present). */
  audit?: boolean;
}

/** One problem found. */
export interface Finding {
  file: string;
  line: number;
  column?: number;
  rule: string;
  severity: Severity;
  category: FindingCategory;
  message: string;
  /** The line, secrets masked (first 4 characters at most, then `***`). */
  excerpt: string;
  fix?: string;
  /** Advisory URLs (dependency findings). */
  references?: string[];
}

/** Vulnerability counts reported by npm audit. */
export interface AuditCounts {
  info: number;
  low: number;
  moderate: number;
  high: number;
  critical: number;
  total: number;
}

/** What the dependency audit did. */
export interface AuditResult {
  ran: boolean;
  /** Why it did not run, or failed. */
  reason?: string;
  /** The lockfile audited (workspace-relative). */
  lockfile?: string;
  vulnerabilities: AuditCounts;
}

/** A file with findings, for review by a later step. */
export interface ScannedFile {
  path: string;
  /** UTF-8 text, at most 100 KB; lines with a secret finding are replaced by a marker. */
  content: string;
  findings: number;
  truncated?: boolean;
}

/** Output of `scan`. */
export interface ScanOutput {
  findings: Finding[];
  /**
   * The files with code or secret findings and their content (lines holding a secret replaced),
   * so a later step can review them: `forEach: "{{ nodes.scan.output.files }}"` (SPEC §2).
   */
  files: ScannedFile[];
  summary: {
    total: number;
    /** The same counts as `bySeverity`, at the top for short conditions (`summary.critical > 0`). */
    critical: number;
    high: number;
    medium: number;
    low: number;
    bySeverity: Record<Severity, number>;
    byCategory: Record<FindingCategory, number>;
    filesScanned: number;
    filesSkipped: number;
    failOn: Severity;
    passed: boolean;
  };
  audit?: AuditResult;
  /** Limits that were hit and files that were skipped, in words. */
  notes: string[];
}

const severity = { enum: ['low', 'medium', 'high', 'critical'] };
const count = { type: 'integer', minimum: 0 };
const strings = { type: 'array', items: { type: 'string', minLength: 1 } };
const counts = (keys: string[]) => ({
  type: 'object',
  required: keys,
  properties: Object.fromEntries(keys.map((k) => [k, count])),
});

const findingSchema = {
  type: 'object',
  required: ['file', 'line', 'rule', 'severity', 'category', 'message', 'excerpt'],
  properties: {
    file: { type: 'string' },
    line: { type: 'integer', minimum: 1 },
    column: { type: 'integer', minimum: 1 },
    rule: { type: 'string' },
    severity,
    category: { enum: ['secret', 'code', 'dependency'] },
    message: { type: 'string' },
    excerpt: { type: 'string' },
    fix: { type: 'string' },
    references: { type: 'array', items: { type: 'string' } },
  },
};

/** The `scan` input schema. */
export const scanInputSchema = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['path'] }, { required: ['files'] }, { required: ['diff'] }],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Directory or file inside the workspace roots',
    },
    files: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'content'],
        properties: { path: { type: 'string', minLength: 1 }, content: { type: 'string' } },
      },
    },
    diff: { type: 'string', description: 'Unified diff; only added lines are scanned' },
    include: { ...strings, description: 'Globs of files to scan (default: all)' },
    exclude: { ...strings, description: 'Globs of files not to scan' },
    rules: { ...strings, description: 'Rule ids to run (default: all)' },
    minSeverity: severity,
    failOn: severity,
    audit: {
      type: 'boolean',
      description: 'npm audit of package-lock.json (default: when present)',
    },
  },
};

/** The `scan` output schema. */
export const scanOutputSchema = {
  type: 'object',
  required: ['findings', 'files', 'summary', 'notes'],
  properties: {
    findings: { type: 'array', items: findingSchema },
    files: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'content', 'findings'],
        properties: {
          path: { type: 'string' },
          content: { type: 'string' },
          findings: count,
          truncated: { type: 'boolean' },
        },
      },
    },
    summary: {
      type: 'object',
      required: [
        'total',
        'critical',
        'high',
        'medium',
        'low',
        'bySeverity',
        'byCategory',
        'filesScanned',
        'filesSkipped',
        'failOn',
        'passed',
      ],
      properties: {
        total: count,
        critical: count,
        high: count,
        medium: count,
        low: count,
        bySeverity: counts(['critical', 'high', 'medium', 'low']),
        byCategory: counts(['secret', 'code', 'dependency']),
        filesScanned: count,
        filesSkipped: count,
        failOn: severity,
        passed: { type: 'boolean' },
      },
    },
    audit: {
      type: 'object',
      required: ['ran', 'vulnerabilities'],
      properties: {
        ran: { type: 'boolean' },
        reason: { type: 'string' },
        lockfile: { type: 'string' },
        vulnerabilities: counts(['info', 'low', 'moderate', 'high', 'critical', 'total']),
      },
    },
    notes: { type: 'array', items: { type: 'string' } },
  },
};

/** The agent manifest (validated by `validateAgentManifest`). */
export const manifest = {
  name: 'security-scanner',
  version: '1.0.0',
  type: 'builtin',
  description:
    'Finds hard-coded secrets, risky code patterns and vulnerable npm dependencies in a workspace directory, inline files or a diff.',
  risk: 'low',
  actions: {
    scan: {
      description:
        'Scan for secrets (masked in the output), risky code and npm audit advisories; findings are data, `summary.passed` says whether any reaches `failOn`.',
      input: scanInputSchema,
      output: scanOutputSchema,
    },
  },
};
