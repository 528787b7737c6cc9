/**
 * Runs the line rules over the lines of one file (a whole file, or the added lines of a diff),
 * honouring `cc-scan-ignore` comments, skipping the bodies of PEM blocks, and masking secrets
 * in every excerpt.
 */
import { findHighEntropy } from './entropy.js';
import type { Finding } from './manifest.js';
import { maskedExcerpt, type Span } from './mask.js';
import { languageOf, type Language, type LineRule, type RuleMatcher } from './rule-types.js';

/** The id of the entropy rule (not a pattern rule). */
export const entropyRuleId = 'secret.high-entropy';

/** Marker that suppresses every finding on its line. */
export const ignoreMarker = 'cc-scan-ignore';

/** One line to scan, by its 1-based number in the file. */
export interface NumberedLine {
  number: number;
  text: string;
}

/** Options of {@link scanLines}. */
export interface LineScanOptions {
  secretRules: readonly LineRule[];
  codeRules: readonly LineRule[];
  /** Run the high-entropy rule (off for lockfiles and minified files). */
  entropy: boolean;
}

/** Most matches of one pattern reported per line (a flood is one problem, not thousands). */
const maxMatchesPerLine = 20;

/** PEM bodies skipped at most (a 4096-bit RSA key is ~50 lines): a missing END cannot hide a file. */
const maxPemLines = 500;

interface Hit {
  rule: LineRule;
  column: number;
  secret?: Span;
}

/** Scans the lines of `file`; returns its findings in line order. */
export function scanLines(
  file: string,
  lines: Iterable<NumberedLine>,
  opts: LineScanOptions,
): Finding[] {
  const language = languageOf(file);
  const secretMatchers = applicable(opts.secretRules, file, language);
  const codeMatchers = applicable(opts.codeRules, file, language);
  const findings: Finding[] = [];
  let pemLinesLeft = 0;
  for (const { number, text } of lines) {
    if (pemLinesLeft > 0) {
      pemLinesLeft = /-----END [A-Z0-9 ]+-----/.test(text) ? 0 : pemLinesLeft - 1;
      continue;
    }
    const beginsPem =
      /-----BEGIN [A-Z0-9 ]+-----/.test(text) && !/-----END [A-Z0-9 ]+-----/.test(text);
    if (text.includes(ignoreMarker)) {
      pemLinesLeft = beginsPem ? maxPemLines : 0;
      continue;
    }
    const hits = secretHits(text, secretMatchers, opts.entropy);
    if (!isComment(text, language)) hits.push(...codeHits(text, codeMatchers));
    const spans = hits.flatMap((h) => (h.secret ? [h.secret] : []));
    for (const hit of hits) {
      findings.push({
        file,
        line: number,
        column: hit.column,
        rule: hit.rule.id,
        severity: hit.rule.severity,
        category: hit.rule.category,
        message: hit.rule.message,
        excerpt: maskedExcerpt(text, spans, hit.column),
        fix: hit.rule.fix,
      });
    }
    pemLinesLeft = beginsPem ? maxPemLines : 0;
  }
  return findings;
}

/** The entropy rule, described like the pattern rules. */
export const entropyRule: LineRule = {
  id: entropyRuleId,
  category: 'secret',
  severity: 'medium',
  message: 'High-entropy string that looks like a key or token',
  fix: 'If it is a credential, move it to a secret store and rotate it; if not, add a `cc-scan-ignore` comment on the line.',
  matchers: [],
};

type Applicable = { rule: LineRule; matcher: RuleMatcher; regex: RegExp }[];

function applicable(rules: readonly LineRule[], file: string, language?: Language): Applicable {
  return rules.flatMap((rule) =>
    rule.matchers
      .filter((m) => !m.languages || (language !== undefined && m.languages.includes(language)))
      .filter((m) => !m.fileFilter || m.fileFilter(file))
      .map((matcher) => ({ rule, matcher, regex: withFlags(matcher.pattern, 'gd') })),
  );
}

function withFlags(pattern: RegExp, extra: string): RegExp {
  const flags = [...new Set(pattern.flags + extra)].join('');
  return new RegExp(pattern.source, flags);
}

function secretHits(text: string, matchers: Applicable, entropy: boolean): Hit[] {
  const hits: Hit[] = [];
  const overlaps = (span: Span) =>
    hits.some((h) => h.secret && span.start < h.secret.end && h.secret.start < span.end);
  for (const { rule, matcher, regex } of matchers) {
    for (const m of matches(text, regex)) {
      const secret = secretSpan(m, matcher.secretGroup);
      if (overlaps(secret) || (matcher.accept && !matcher.accept(m))) continue;
      hits.push({ rule, column: secret.start + 1, secret });
    }
  }
  if (entropy) {
    for (const hit of findHighEntropy(text)) {
      if (!overlaps(hit)) hits.push({ rule: entropyRule, column: hit.start + 1, secret: hit });
    }
  }
  return hits;
}

function codeHits(text: string, matchers: Applicable): Hit[] {
  const hits: Hit[] = [];
  for (const { rule, matcher, regex } of matchers) {
    for (const m of matches(text, regex)) {
      if (matcher.accept && !matcher.accept(m)) continue;
      if (hits.some((h) => h.rule === rule && h.column === m.index + 1)) continue;
      hits.push({ rule, column: m.index + 1 });
    }
  }
  return hits;
}

function* matches(text: string, regex: RegExp): Generator<RegExpExecArray> {
  regex.lastIndex = 0;
  for (let i = 0; i < maxMatchesPerLine; i++) {
    const m = regex.exec(text);
    if (!m) return;
    if (m[0].length === 0) regex.lastIndex++;
    yield m;
  }
}

/** The span of the secret in a match: the named group when it matched, else the whole match. */
function secretSpan(m: RegExpExecArray, group?: string): Span {
  const indices = group ? m.indices?.groups?.[group] : undefined;
  if (indices === undefined) return { start: m.index, end: m.index + m[0].length };
  return { start: indices[0], end: indices[1] };
}

function isComment(text: string, language?: Language): boolean {
  const t = text.trimStart();
  if (language === 'python') return t.startsWith('#');
  return t.startsWith('//') || t.startsWith('/*') || t.startsWith('*');
}
