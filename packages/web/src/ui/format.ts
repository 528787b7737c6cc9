/** Formatting shared by every page: durations, times, counts. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 min ago", "in 2 h"; `now` is a parameter so lists render consistently. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const diff = (new Date(iso).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return diff < 0 ? 'just now' : 'in a moment';
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

const dtf = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

export function formatTime(iso: string | null | undefined): string {
  return iso ? dtf.format(new Date(iso)) : '—';
}

export function formatPercent(x: number | null | undefined): string {
  if (x == null) return '—';
  const p = Math.round(x * 1000) / 10;
  return `${Number.isInteger(p) ? p : p.toFixed(1)} %`;
}

export function durationBetween(
  start: string | null,
  end: string | null,
  now = Date.now(),
): number | null {
  if (!start) return null;
  return (end ? new Date(end).getTime() : now) - new Date(start).getTime();
}

/**
 * The last 8 characters of an id. Run ids are UUIDv7, whose leading characters are a timestamp
 * that every run of the same minute shares; the tail is random, so it tells runs apart.
 */
export function shortId(id: string): string {
  return id.slice(-8);
}
