import type { OverviewStats } from '@commandcenter/protocol/client';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { cssVar, useTheme } from '../../app/theme.js';
import { themedAxes, type ChartOptions } from '../../ui/chart.js';
import { formatDuration } from '../../ui/format.js';
import { ChartFigure } from './chart-figure.js';
import {
  bucketSpan,
  bucketUnit,
  latestIndex,
  percentileSeries,
  percentilesData,
  percentilesSummary,
  tableRows,
  timeAxis,
} from './overview-data.js';

/**
 * One colour, three dash styles: the status colours mean outcomes on this page, so percentiles
 * do not borrow them.
 */
const styles: Record<string, { color: string; dash?: number[]; width: number }> = {
  p50Ms: { color: '--accent', width: 2 },
  p95Ms: { color: '--accent', dash: [6, 4], width: 1.5 },
  p99Ms: { color: '--muted', dash: [2, 3], width: 1.5 },
};

/** p50/p95/p99 of the durations of finished runs, per bucket. */
export function DurationsChart({
  stats,
  windowLong,
}: {
  stats: OverviewStats;
  windowLong: string;
}) {
  const [theme] = useTheme();
  const { bucketSeconds } = stats;
  const options = useMemo((): ChartOptions => {
    const x = timeAxis(bucketSeconds, (u) => {
      const i = latestIndex(u);
      return i === null
        ? 'no finished run'
        : `${bucketSpan(u.data[0][i]!, bucketSeconds, bucketSeconds >= 900)} (latest)`;
    });
    return {
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: x.scale,
        y: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1000] },
      },
      axes: themedAxes((v) => formatDuration(v), 64),
      series: [
        x.series,
        ...percentileSeries.map((p) => {
          const s = styles[p.key]!;
          const color = cssVar(s.color);
          return {
            label: p.label,
            stroke: color,
            width: s.width,
            dash: s.dash,
            spanGaps: true,
            points: { show: true, size: 5, fill: color, stroke: color },
            // Without a cursor: the latest bucket that has durations.
            value: (u: uPlot, v: number | null, si: number, idx: number | null) => {
              const i = idx ?? latestIndex(u);
              return formatDuration(idx == null ? (i === null ? null : u.data[si]![i]) : v);
            },
          };
        }),
      ],
    };
    // `theme` is a dependency because the colours are read from CSS while building.
  }, [theme, bucketSeconds]);
  const data = useMemo(() => percentilesData(stats), [stats]);
  const unit = bucketUnit(bucketSeconds);
  return (
    <ChartFigure
      title="Run durations"
      note={`percentiles of finished runs per ${unit}`}
      options={options}
      data={data}
      label={percentilesSummary(stats, windowLong)}
      table={{
        caption: `Run duration percentiles per ${unit} (periods without finished runs are left out)`,
        columns: percentileSeries.map((p) => p.label),
        rows: tableRows(
          stats,
          (b) => b.p50Ms !== null,
          (b) => percentileSeries.map((p) => formatDuration(b[p.key])),
        ),
      }}
    />
  );
}
