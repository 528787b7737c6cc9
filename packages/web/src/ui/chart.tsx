import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar } from '../app/theme.js';
import './chart.css';

/** uPlot's options without the size: the chart takes its container's width. */
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

/**
 * A uPlot chart sized to its container. uPlot draws on a canvas, so colours come from the theme
 * through `cssVar()` when the caller builds `options`: a new `options` object (e.g. on a theme
 * change) re-creates the chart, while new `data` only redraws it. The canvas is an image for
 * assistive technologies: `label` must summarise the data, and pages give a table alternative.
 */
export function Chart({
  options,
  data,
  label,
  height = 200,
}: {
  options: ChartOptions;
  data: uPlot.AlignedData;
  label: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot({ ...options, width: el.clientWidth || 400, height }, latest.current, el);
    plot.current = u;
    const resize = new ResizeObserver(() => {
      const width = el.clientWidth;
      if (width > 0 && width !== u.width) u.setSize({ width, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div className="chart" ref={box} role="img" aria-label={label} />;
}

/**
 * The time (x) and value (y) axes in the current theme's colours; `yValue` formats the y ticks.
 * Call it while building `options` for a theme (the canvas cannot follow CSS variables).
 */
export function themedAxes(yValue: (v: number) => string, ySize = 60): uPlot.Axis[] {
  const text = cssVar('--muted');
  const line = cssVar('--border');
  const font = '12px system-ui, sans-serif';
  const common = {
    stroke: text,
    font,
    grid: { stroke: line, width: 1 },
    ticks: { stroke: line, width: 1 },
  };
  return [
    { ...common, grid: { show: false } },
    { ...common, size: ySize, values: (_u, ticks) => ticks.map(yValue) },
  ];
}

/**
 * A path builder drawing the series as one layer of stacked bars: series `si` sits on the sum of
 * the series before it. Each series keeps its own values in the data (so the legend shows them at
 * the cursor); the y scale must span the stacked totals (see {@link stackedMax}). A bar covers
 * its bucket, [x, x + bucketSeconds).
 */
export function stackedBars(bucketSeconds: number): uPlot.Series.PathBuilder {
  return (u, si, i0, i1) => {
    const xs = u.data[0];
    const fill = new Path2D();
    const gap = Math.max(1, Math.round(devicePixelRatio));
    for (let i = i0; i <= i1; i++) {
      const v = u.data[si]![i];
      if (!v) continue;
      let below = 0;
      for (let s = 1; s < si; s++) below += u.data[s]![i] ?? 0;
      const left = u.valToPos(xs[i]!, 'x', true);
      const right = u.valToPos(xs[i]! + bucketSeconds, 'x', true);
      const top = u.valToPos(below + v, 'y', true);
      const bottom = u.valToPos(below, 'y', true);
      fill.rect(left + gap / 2, top, Math.max(1, right - left - gap), bottom - top);
    }
    return { fill, stroke: new Path2D() };
  };
}

/** The largest stacked total of series 1… of `data` (for the y range of stacked bars). */
export function stackedMax(data: uPlot.AlignedData): number {
  let max = 0;
  for (let i = 0; i < data[0].length; i++) {
    let sum = 0;
    for (let s = 1; s < data.length; s++) sum += data[s]![i] ?? 0;
    max = Math.max(max, sum);
  }
  return max;
}
