/**
 * Splitting strings into literal text and `{{ expression }}` parts.
 *
 * The closing `}}` is found with awareness of JSONata strings, comments and object braces, so
 * `{{ {'a': {'b': 1}} }}` is one expression. There is no escape for a literal `{{`: write it as a
 * JSONata string, `{{ '{{' }}`.
 */

/** One part of a template string. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | {
      kind: 'expr';
      expr: string;
      /** offset of the expression text in the string */ offset: number;
    };

/** Result of {@link splitTemplate}. */
export type SplitResult = { ok: true; parts: TemplatePart[] } | { ok: false; message: string };

/** Whether a string contains at least one `{{`. */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** Splits a string into text and expression parts; fails on an unclosed or empty `{{ }}`. */
export function splitTemplate(text: string): SplitResult {
  const parts: TemplatePart[] = [];
  let cursor = 0;
  while (cursor < text.length) {
    const open = text.indexOf('{{', cursor);
    if (open < 0) break;
    if (open > cursor) parts.push({ kind: 'text', text: text.slice(cursor, open) });
    const close = findClose(text, open + 2);
    if (close < 0) {
      return {
        ok: false,
        message: `unclosed "{{" at character ${open + 1} (add the closing "}}" and close every quote inside)`,
      };
    }
    const raw = text.slice(open + 2, close);
    if (raw.trim() === '') {
      return { ok: false, message: `empty template "{{}}" at character ${open + 1}` };
    }
    parts.push({
      kind: 'expr',
      expr: raw.trim(),
      offset: open + 2 + (raw.length - raw.trimStart().length),
    });
    cursor = close + 2;
  }
  if (cursor < text.length) parts.push({ kind: 'text', text: text.slice(cursor) });
  return { ok: true, parts };
}

/**
 * The expression of a string that is exactly one template (surrounding whitespace allowed), or
 * undefined. Such a string yields the expression's typed value instead of a string.
 */
export function wholeTemplateExpression(text: string): string | undefined {
  const split = splitTemplate(text.trim());
  if (!split.ok || split.parts.length !== 1) return undefined;
  const only = split.parts[0]!;
  return only.kind === 'expr' ? only.expr : undefined;
}

function findClose(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipQuoted(text, i, c);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 2;
      continue;
    }
    if (c === '}' && depth === 0 && text[i + 1] === '}') return i;
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    i++;
  }
  return -1;
}

function skipQuoted(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '\\' && quote !== '`') i += 2;
    else if (text[i] === quote) return i + 1;
    else i++;
  }
  return text.length;
}
