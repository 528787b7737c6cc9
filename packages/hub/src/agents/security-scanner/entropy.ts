/**
 * High-entropy strings: random-looking base64 or hex tokens that are probably keys. Shannon
 * entropy (bits per character) is compared to a threshold per charset; hashes are allowed where
 * they are obviously hashes (SRI `sha512-…`, `integrity`/`checksum`/`commit` lines, data URIs).
 */

/** Thresholds of the entropy rule. */
export const entropyLimits = {
  /** Minimum length of a base64-ish token. */
  base64MinLength: 20,
  /** Bits per character above which a base64-ish token is reported (random base64 is ~6). */
  base64Threshold: 4.5,
  /** Minimum length of a hex token (shorter ones are ids and colours). */
  hexMinLength: 32,
  /** Bits per character above which a hex token is reported (random hex is ~4). */
  hexThreshold: 3.0,
} as const;

/** A high-entropy token found in a line (0-based `start`, exclusive `end`). */
export interface EntropyHit {
  start: number;
  end: number;
  value: string;
  entropy: number;
}

/** Shannon entropy of `text` in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const token = /[A-Za-z0-9+/=_-]{20,}/g;
const hashContext =
  /\b(?:integrity|checksum|hash|digest|sha\d*|md5|etag|commit|revision|rev|oid|fingerprint)\b/i;
const secretContext = /key|secret|token|passw|pwd|auth|cred|private|signature|salt/i;

/** The high-entropy tokens of one line. */
export function findHighEntropy(line: string): EntropyHit[] {
  if (line.length < entropyLimits.base64MinLength) return [];
  const hashLine = hashContext.test(line);
  const hits: EntropyHit[] = [];
  for (const match of line.matchAll(token)) {
    const start = match.index;
    const value = match[0].replace(/=+$/, '');
    if (/^sha(?:1|256|384|512)-/.test(value)) continue; // Subresource Integrity hash
    if (line.slice(Math.max(0, start - 7), start) === 'base64,') continue; // data: URI
    if (/^[0-9a-fA-F]+$/.test(value)) {
      if (hashLine || !secretContext.test(line) || value.length < entropyLimits.hexMinLength)
        continue;
      const entropy = shannonEntropy(value);
      if (entropy > entropyLimits.hexThreshold)
        hits.push({ start, end: start + value.length, value, entropy });
      continue;
    }
    if (hashLine || value.length < entropyLimits.base64MinLength) continue;
    // Random keys mix letters and digits; long words and kebab-case identifiers do not.
    if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) continue;
    const entropy = shannonEntropy(value);
    if (entropy > entropyLimits.base64Threshold)
      hits.push({ start, end: start + value.length, value, entropy });
  }
  return hits;
}
