/** What replaces a secret value in anything stored or published. */
export const REDACTED = '***';

/** Replaces secret values in text and in JSON-like values. */
export interface Redactor {
  /** `s` with every occurrence of every secret value replaced by `***`. */
  text(s: string): string;
  /**
   * `v` with secret values replaced in every string, object key and number (a number whose text
   * contains a secret becomes the string `***`), deep through arrays and plain objects. Returns
   * `v` itself (same reference) when there is nothing to replace; never mutates it.
   */
  value<T>(v: T): T;
}

const identity: Redactor = { text: (s) => s, value: (v) => v };

/**
 * A redactor for the given secret values. Redaction is by value: each value is replaced, and so
 * is its JSON-escaped form (how it appears inside JSON text, e.g. a log line that prints an
 * object), longest first so that a value containing another is replaced whole. Empty values are
 * ignored. Transformed forms (base64, URL encoding, a substring) are not recognised.
 */
export function createRedactor(values: readonly string[]): Redactor {
  const forms = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string' || v === '') continue;
    forms.add(v);
    const escaped = JSON.stringify(v).slice(1, -1);
    if (escaped !== v) forms.add(escaped);
  }
  if (forms.size === 0) return identity;
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  // One pass of one alternation: at each position the longest form wins, and text already
  // replaced is never scanned again.
  const pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  const quick = sorted.at(-1)!; // the shortest form: a string without it holds none of them
  const text = (s: string): string => {
    if (s.length < quick.length) return s;
    pattern.lastIndex = 0;
    return pattern.test(s) ? s.replace(pattern, REDACTED) : s;
  };

  const deep = (v: unknown, seen: Map<object, unknown>): unknown => {
    if (typeof v === 'string') return text(v);
    if (typeof v === 'number') return text(String(v)) === String(v) ? v : REDACTED;
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v)) return seen.get(v);
    if (Array.isArray(v)) {
      seen.set(v, v);
      let out: unknown[] | undefined;
      v.forEach((item, i) => {
        const r = deep(item, seen);
        if (r !== item) {
          out ??= v.slice();
          out[i] = r;
        }
      });
      if (out) seen.set(v, out);
      return out ?? v;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v; // not JSON data: left alone
    seen.set(v, v);
    let changed = false;
    const entries = Object.entries(v).map(([key, child]): [string, unknown] => {
      const k = text(key);
      const c = deep(child, seen);
      if (k !== key || c !== child) changed = true;
      return [k, c];
    });
    if (!changed) return v;
    // fromEntries defines own properties: a key like `__proto__` cannot reach the prototype.
    const out = Object.fromEntries(entries);
    seen.set(v, out);
    return out;
  };

  return { text, value: <T>(v: T): T => deep(v, new Map()) as T };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
