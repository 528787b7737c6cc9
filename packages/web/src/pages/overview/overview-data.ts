/**
 * The overview's data (`GET /api/v1/stats/overview`) turned into what the charts and their table
 * alternatives need: aligned series, labels, and one-sentence summaries for screen readers.
 */
import type { OverviewBucket, OverviewStats, OverviewWindow } from '@commandcenter/protocol/client';
import type uPlot from 'uplot';
import { formatDuration } from '../../ui/format.js';

export const windows: { id: OverviewWindow; label: string; long: string }[] = [
  { id: '1h', label: '1h', long: 'the last hour' },
  { id: '6h', label: '6h', long: 'the last 6 hours' },
  { id: '24h', label: '24h', long: 'the last 24 hours' },
  { id: '7d', label: '7d', long: 'the last 7 days' },
];

type CountKey = 'succeeded' | 'failed' | 'timedOut' | 'cancelled' | 'running' | 'queued';

/**
 * The stacked layers, bottom first: outcomes at the bottom (the usual bulk), live runs on top.
 * Colours are the status tokens; timed out takes the warning colour so it stands apart from
 * failed in the stack ("running" includes runs waiting for an approval, as the API counts them).
 */
export const statusSeries: { key: CountKey; label: string; color: string }[] = [
  { key: 'succeeded', label: 'Succeeded', color: '--status-ok' },
  { key: 'failed', label: 'Failed', color: '--status-bad' },
  { key: 'timedOut', label: 'Timed out', color: '--status-wait' },
  { key: 'cancelled', label: 'Cancelled', color: '--status-off' },
  { key: 'running', label: 'Running', color: '--status-run' },
  { key: 'queued', label: 'Queued', color: '--status-idle' },
];

export const percentileSeries = [
  { key: 'p50Ms', label: 'p50' },
  { key: 'p95Ms', label: 'p95' },
  { key: 'p99Ms', label: 'p99' },
] as const;

const epoch = (iso: string) => Date.parse(iso) / 1000;

export function countsData(stats: OverviewStats): uPlot.AlignedData {
  return [
    stats.buckets.map((b) => epoch(b.t)),
    ...statusSeries.map((s) => stats.buckets.map((b) => b[s.key])),
  ];
}

export function percentilesData(stats: OverviewStats): uPlot.AlignedData {
  return [
    stats.buckets.map((b) => epoch(b.t)),
    ...percentileSeries.map((s) => stats.buckets.map((b) => b[s.key])),
  ];
}

/** "minute", "5 minutes", "hour"… (the bars' unit). */
export function bucketUnit(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} s`;
}

const timeOnly = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' });
const dayTime = new Intl.DateTimeFormat('en', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** A bucket as a time span ("10:05–10:06", or with the day for long windows). */
export function bucketSpan(startSeconds: number, bucketSeconds: number, withDay: boolean): string {
  const start = new Date(startSeconds * 1000);
  const end = new Date((startSeconds + bucketSeconds) * 1000);
  return `${(withDay ? dayTime : timeOnly).format(start)}–${timeOnly.format(end)}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const bucketTotal = (b: OverviewBucket): number =>
  statusSeries.reduce((n, s) => n + b[s.key], 0);

/** What the runs chart shows, in one sentence (its accessible name). */
export function countsSummary(stats: OverviewStats, windowLong: string): string {
  const { totals } = stats;
  if (totals.runs === 0) return `No runs in ${windowLong}.`;
  const parts = statusSeries
    .map((s) => ({
      label: s.label.toLowerCase(),
      n: stats.buckets.reduce((a, b) => a + b[s.key], 0),
    }))
    .filter((p) => p.n > 0)
    .map((p) => `${p.n} ${p.label}`);
  const busiest = stats.buckets.reduce((best, b) =>
    bucketTotal(b) > bucketTotal(best) ? b : best,
  );
  const when = bucketSpan(epoch(busiest.t), stats.bucketSeconds, stats.bucketSeconds >= 900);
  return (
    `Runs per ${bucketUnit(stats.bucketSeconds)} by status over ${windowLong}: ${plural(totals.runs, 'run')} (` +
    `${parts.join(', ')}). Busiest: ${when} with ${plural(bucketTotal(busiest), 'run')}.`
  );
}

/** What the durations chart shows, in one sentence (its accessible name). */
export function percentilesSummary(stats: OverviewStats, windowLong: string): string {
  const max = (key: (typeof percentileSeries)[number]['key']) => {
    const values = stats.buckets.map((b) => b[key]).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  const p50 = stats.buckets.map((b) => b.p50Ms).filter((v): v is number => v !== null);
  if (p50.length === 0) return `No finished runs in ${windowLong}, so no durations.`;
  return (
    `Run duration percentiles per ${bucketUnit(stats.bucketSeconds)} over ${windowLong}: ` +
    `p50 between ${formatDuration(Math.min(...p50))} and ${formatDuration(Math.max(...p50))}, ` +
    `highest p95 ${formatDuration(max('p95Ms'))}, highest p99 ${formatDuration(max('p99Ms'))}.`
  );
}

/**
 * The x scale and x series (buckets in time). Under the cursor the legend shows the bucket's
 * span; without a cursor, `idle` says what the values stand for (the window, or a bucket index).
 */
export function timeAxis(
  bucketSeconds: number,
  idle: (u: uPlot) => string,
): { scale: uPlot.Scale; series: uPlot.Series } {
  const withDay = bucketSeconds >= 900;
  return {
    scale: { time: true, range: (u) => [u.data[0][0]!, u.data[0].at(-1)! + bucketSeconds] },
    series: {
      label: 'Time',
      value: (u, v, _si, idx) =>
        idx == null || v == null ? idle(u) : bucketSpan(v, bucketSeconds, withDay),
    },
  };
}

/** The sum of series `si` over the window. */
export function seriesSum(u: uPlot, si: number): number {
  let n = 0;
  for (const v of u.data[si] ?? []) n += v ?? 0;
  return n;
}

/** The last bucket with a value in series 1 (the latest durations), or null. */
export function latestIndex(u: uPlot): number | null {
  const ys = u.data[1] ?? [];
  for (let i = ys.length - 1; i >= 0; i--) if (ys[i] != null) return i;
  return null;
}

/** The rows of a chart's table alternative: one per bucket that `keep` accepts. */
export function tableRows(
  stats: OverviewStats,
  keep: (b: OverviewBucket) => boolean,
  cells: (b: OverviewBucket) => string[],
): { key: string; head: string; cells: string[] }[] {
  const withDay = stats.bucketSeconds >= 900;
  return stats.buckets.filter(keep).map((b) => ({
    key: b.t,
    head: bucketSpan(epoch(b.t), stats.bucketSeconds, withDay),
    cells: cells(b),
  }));
}
