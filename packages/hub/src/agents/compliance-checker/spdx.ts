/**
 * SPDX license expressions, minimally: ids (with `+`), `WITH` exceptions, `AND`, `OR` and
 * parentheses (AND binds tighter). An expression is acceptable when some `OR` branch is, and an
 * `AND` only when all its parts are.
 */

/** A parsed license expression. */
export type LicenseExpression =
  | { kind: 'license'; id: string; exception?: string }
  | { kind: 'and' | 'or'; parts: LicenseExpression[] };

/** How acceptable a license is under a policy, best first. */
export type LicenseVerdict = 'allowed' | 'unknown' | 'not-allowed' | 'denied';

const order: readonly LicenseVerdict[] = ['allowed', 'unknown', 'not-allowed', 'denied'];

/** Parses an expression; null when it is empty or not SPDX (`SEE LICENSE IN …`, prose). */
export function parseLicenseExpression(text: string): LicenseExpression | null {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at]?.toUpperCase();
  const parseOr = (): LicenseExpression | null => {
    const parts = [parseAnd()];
    while (peek() === 'OR') {
      at++;
      parts.push(parseAnd());
    }
    if (parts.some((p) => p === null)) return null;
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts: parts as LicenseExpression[] };
  };
  const parseAnd = (): LicenseExpression | null => {
    const parts = [parseAtom()];
    while (peek() === 'AND') {
      at++;
      parts.push(parseAtom());
    }
    if (parts.some((p) => p === null)) return null;
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts: parts as LicenseExpression[] };
  };
  const parseAtom = (): LicenseExpression | null => {
    const token = tokens[at++];
    if (token === undefined) return null;
    if (token === '(') {
      const inner = parseOr();
      return tokens[at++] === ')' ? inner : null;
    }
    if (
      !/^[A-Za-z0-9][A-Za-z0-9.+:-]*$/.test(token) ||
      ['AND', 'OR', 'WITH'].includes(token.toUpperCase())
    )
      return null;
    if (peek() === 'WITH') {
      const exception = tokens[at + 1];
      if (exception === undefined || !/^[A-Za-z0-9][A-Za-z0-9.+-]*$/.test(exception)) return null;
      at += 2;
      return { kind: 'license', id: token, exception };
    }
    return { kind: 'license', id: token };
  };
  const expr = parseOr();
  return expr !== null && at === tokens.length ? expr : null;
}

/** Comparable form: case-insensitive, `+` / `-only` / `-or-later` variants of one license equal. */
export function baseLicenseId(id: string): string {
  return id
    .toLowerCase()
    .replace(/\+$/, '')
    .replace(/-(?:only|or-later)$/, '');
}

/** Lists of ids to judge license leaves by. */
export interface LicenseLists {
  allow: readonly string[];
  deny?: readonly string[];
}

/** The verdict on an expression: OR takes its best part, AND its worst. */
export function judgeLicense(expr: LicenseExpression, lists: LicenseLists): LicenseVerdict {
  if (expr.kind === 'license') return judgeLeaf(expr, lists);
  const verdicts = expr.parts.map((p) => order.indexOf(judgeLicense(p, lists)));
  const rank = expr.kind === 'or' ? Math.min(...verdicts) : Math.max(...verdicts);
  return order[rank]!;
}

/** The license ids of an expression (for messages). */
export function licenseIds(expr: LicenseExpression): string[] {
  return expr.kind === 'license' ? [expr.id] : expr.parts.flatMap(licenseIds);
}

function judgeLeaf(leaf: { id: string; exception?: string }, lists: LicenseLists): LicenseVerdict {
  const base = baseLicenseId(leaf.id);
  const full = leaf.exception ? `${base} with ${leaf.exception.toLowerCase()}` : base;
  const has = (list: readonly string[] | undefined, id: string) =>
    (list ?? []).some((entry) => normalize(entry) === id);
  if (has(lists.deny, base) || has(lists.deny, full)) return 'denied';
  if (has(lists.allow, base) || has(lists.allow, full)) return 'allowed';
  return 'not-allowed';
}

function normalize(entry: string): string {
  const [id, exception] = entry.trim().split(/\s+with\s+/i);
  const base = baseLicenseId(id ?? '');
  return exception ? `${base} with ${exception.toLowerCase()}` : base;
}
