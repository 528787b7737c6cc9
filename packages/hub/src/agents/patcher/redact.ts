/**
 * Redaction of credentials from everything the patcher says: log lines, error messages and
 * details. The forge token travels in several encodings (as is, inside a Basic header), so each
 * encoding is registered as a secret of its own.
 */

const mask = '***';

/** The secrets of one attempt; `apply` masks every registered value in a text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value to mask (values shorter than 4 characters would mask ordinary text). */
  add(secret: string | undefined): this {
    if (secret !== undefined && secret.length >= 4) this.secrets.add(secret);
    return this;
  }

  /** The text with every registered secret replaced by `***`. */
  apply(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(s).join(mask);
    }
    return out;
  }

  /** A copy of `value` (strings, arrays, plain objects) with every secret masked. */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.apply(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.deep(v)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.deep(v);
      return out as T;
    }
    return value;
  }
}
