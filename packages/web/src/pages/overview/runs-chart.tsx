import type { OverviewStats } from '@commandcenter/protocol/client';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { cssVar, useTheme } from '../../app/theme.js';
import { stackedBars, stackedMax, themedAxes, type ChartOptions } from '../../ui/chart.js';
import { ChartFigure } from './chart-figure.js';
import {
  bucketTotal,
  bucketUnit,
  countsData,
  countsSummary,
  seriesSum,
  statusSeries,
  tableRows,
  timeAxis,
} from './overview-data.js';

/** Runs per bucket, stacked by status (the bucket a run was created in, its current status). */
export function RunsChart({ stats, windowLong }: { stats: OverviewStats; windowLong: string }) {
  const [theme] = useTheme();
  const { bucketSeconds } = stats;
  const options = useMemo((): ChartOptions => {
    const bars = stackedBars(bucketSeconds);
    const x = timeAxis(bucketSeconds, () => 'whole window');
    return {
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: {
        x: x.scale,
        y: { auto: true, range: (u) => [0, Math.max(4, Math.ceil(stackedMax(u.data) * 1.15))] },
      },
      axes: themedAxes((v) => (Number.isInteger(v) ? String(v) : ''), 44),
      series: [
        x.series,
        ...statusSeries.map((s) => {
          const color = cssVar(s.color);
          return {
            label: s.label,
            stroke: color,
            fill: color,
            width: 0,
            paths: bars,
            points: { show: false },
            // Without a cursor: the window's total of the status.
            value: (u: uPlot, v: number | null, si: number, idx: number | null) =>
              String(idx == null ? seriesSum(u, si) : (v ?? 0)),
          };
        }),
      ],
    };
    // `theme` is a dependency because the colours are read from CSS while building.
  }, [theme, bucketSeconds]);
  const data = useMemo(() => countsData(stats), [stats]);
  const unit = bucketUnit(bucketSeconds);
  return (
    <ChartFigure
      title={`Runs per ${unit}`}
      note="by status, counted when created"
      options={options}
      data={data}
      label={countsSummary(stats, windowLong)}
      table={{
        caption: `Runs per ${unit} by status (periods without runs are left out)`,
        columns: statusSeries.map((s) => s.label),
        rows: tableRows(
          stats,
          (b) => bucketTotal(b) > 0,
          (b) => statusSeries.map((s) => String(b[s.key] ?? 0)),
        ),
      }}
    />
  );
}
