/**
 * How the CLI prints: aligned tables and key/value blocks for people, the raw API answer for
 * `--json` (one JSON document, or one compact JSON line per item for streams), and errors as
 * `error CC_E_…: detail` followed by each problem and the fix.
 */
import { isCCError } from '@commandcenter/protocol/client';

/** Prints one line on stdout. */
export function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Prints one line on stderr (notes that must not pollute `--json` output). */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Prints a value as one indented JSON document. */
export function printJson(value: unknown): void {
  line(JSON.stringify(value, null, 2));
}

/** Prints a value as one compact JSON line (NDJSON streams). */
export function printJsonLine(value: unknown): void {
  line(JSON.stringify(value));
}

/** A column of {@link printTable}: a header and how to get the cell of a row. */
export type Column<T> = [header: string, cell: (row: T) => unknown];

/** Prints rows as an aligned table, or `empty` when there are none. */
export function printTable<T>(rows: readonly T[], columns: Column<T>[], empty = '(none)'): void {
  if (rows.length === 0) {
    line(empty);
    return;
  }
  const cells = rows.map((row) => columns.map(([, cell]) => text(cell(row))));
  const headers = columns.map(([header]) => header);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const format = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  line(format(headers));
  for (const r of cells) line(format(r));
}

/** Prints `key: value` pairs with the values aligned; `undefined` values are left out. */
export function printFields(fields: [label: string, value: unknown][]): void {
  const shown = fields.filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...shown.map(([k]) => k.length + 1));
  for (const [label, value] of shown) line(`${`${label}:`.padEnd(width)}  ${text(value)}`);
}

/** Prints a JSON value under a label, indented (for inputs, outputs, snapshots). */
export function printBlock(label: string, value: unknown): void {
  if (value === undefined) return;
  line(`${label}:`);
  const body = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  for (const l of body.replace(/\n$/, '').split('\n')) line(`  ${l}`);
}

/** A cell or field value as text: `-` for nothing, JSON for objects. */
export function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  return JSON.stringify(value);
}

/** `2026-01-02 03:04:05` in local time, `-` when there is no time. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `850ms`, `1.2s`, `3m 4s`, `2h 5m`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Milliseconds between two ISO times, or undefined when one is missing. */
export function elapsed(from: string | null | undefined, to: string | null | undefined) {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Prints the "next page" hint of a paged list. */
export function printNextPage(nextCursor: string | null | undefined): void {
  if (nextCursor) note(`more: repeat with --cursor ${nextCursor}`);
}

/**
 * Prints an error on stderr: `error CC_E_…: detail`, then each problem as
 * `  path: message — fix`, then the catalogue's fix when no problem carries its own.
 */
export function printError(err: unknown): void {
  if (isCCError(err)) {
    note(`error ${err.code}: ${err.detail}`);
    for (const p of err.problems) {
      // Parse errors say their line and column in the message itself.
      note(`  ${p.path || '(document)'}: ${p.message}${p.fix ? ` — ${p.fix}` : ''}`);
    }
    if (err.problems.length === 0) note(`fix: ${err.fix}`);
    return;
  }
  note(`error: ${err instanceof Error ? err.message : String(err)}`);
}
