/**
 * Masking: findings never echo a secret. A secret keeps at most its first 4 characters (a PEM
 * block keeps its header line), and excerpts are cut to a window around the finding.
 */

/** A secret's position in a line (0-based start, exclusive end). */
export interface Span {
  start: number;
  end: number;
}

/** Longest excerpt (characters) before it is cut around the finding. */
export const excerptLength = 160;

/** `AKIAIOSFODNN…` → `AKIA***`; short values keep less so that little of them shows. */
export function maskSecret(secret: string): string {
  const pem = /^-----BEGIN [A-Z ]+-----/.exec(secret);
  if (pem) return `${pem[0]}***`;
  const keep = secret.length >= 16 ? 4 : secret.length >= 10 ? 2 : 0;
  return `${secret.slice(0, keep)}***`;
}

/**
 * The line with every secret span masked, trimmed and cut to {@link excerptLength} characters
 * around `column` (1-based, in the original line).
 */
export function maskedExcerpt(line: string, spans: readonly Span[], column: number): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  let focus = column - 1;
  for (const span of sorted) {
    if (span.start < at) continue;
    const masked = maskSecret(line.slice(span.start, span.end));
    out += line.slice(at, span.start) + masked;
    if (column - 1 >= span.end) focus -= span.end - span.start - masked.length;
    at = span.end;
  }
  out += line.slice(at);
  const lead = out.length - out.trimStart().length;
  const text = out.trim();
  focus = Math.max(0, focus - lead);
  if (text.length <= excerptLength) return text;
  const from = Math.min(Math.max(0, focus - 40), text.length - excerptLength);
  return `${from > 0 ? '…' : ''}${text.slice(from, from + excerptLength)}${from + excerptLength < text.length ? '…' : ''}`;
}
