/**
 * Durations as written in workflows and manifests: a number and a unit (`ms`, `s`, `m`, `h`,
 * `d`), optionally combined (`1h30m`). Bare numbers, negative values, spaces and other units are
 * rejected so that `timeout: 30` cannot silently mean 30 milliseconds.
 */

/** Regular expression source of a duration (also used in the JSON Schemas). */
export const durationPattern = '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+$';

const whole = new RegExp(durationPattern);
const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration into whole milliseconds (rounded), or undefined when the text is not a
 * duration or is too large to be represented exactly.
 */
export function parseDuration(text: string): number | undefined {
  if (!whole.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(part)) {
    total += Number(match[1]) * unitMs[match[2]!]!;
  }
  const rounded = Math.round(total);
  return Number.isSafeInteger(rounded) ? rounded : undefined;
}

/** Formats milliseconds as a compact duration (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}
