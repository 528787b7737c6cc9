/** The shape of scanner rules, severities and the languages code rules apply to. */

/** Finding severities, lowest first. */
export const severities = ['low', 'medium', 'high', 'critical'] as const;

/** How serious a finding is. */
export type Severity = (typeof severities)[number];

/** What kind of problem a finding is. */
export type FindingCategory = 'secret' | 'code' | 'dependency';

/** Languages recognised by file extension, for rules that only make sense in some. */
export type Language = 'js' | 'python' | 'go';

/** One pattern of a rule, tested against each line (must carry the `g` flag). */
export interface RuleMatcher {
  pattern: RegExp;
  /** Only in files of these languages (undefined: every text file). */
  languages?: readonly Language[];
  /** Only in files whose name passes this test (e.g. `.env`, YAML). */
  fileFilter?: (path: string) => boolean;
  /** Named group holding the secret to mask (default: the whole match). */
  secretGroup?: string;
  /** Rejects a match that is obviously not a problem (placeholders, examples...). */
  accept?: (match: RegExpExecArray) => boolean;
}

/** A line rule: secrets and risky code patterns. */
export interface LineRule {
  /** Stable id, e.g. `secret.aws-access-key`, `code.eval`. */
  id: string;
  category: 'secret' | 'code';
  severity: Severity;
  message: string;
  fix: string;
  matchers: readonly RuleMatcher[];
}

/** The rank of a severity (low = 0 ... critical = 3). */
export function severityRank(severity: Severity): number {
  return severities.indexOf(severity);
}

const extensions: Record<string, Language> = {
  js: 'js',
  jsx: 'js',
  mjs: 'js',
  cjs: 'js',
  ts: 'js',
  tsx: 'js',
  mts: 'js',
  cts: 'js',
  vue: 'js',
  svelte: 'js',
  html: 'js',
  htm: 'js',
  py: 'python',
  pyw: 'python',
  go: 'go',
};

/** The language of a file by its extension, if it is one the code rules know. */
export function languageOf(path: string): Language | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return extensions[path.slice(dot + 1).toLowerCase()];
}
