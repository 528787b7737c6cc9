/**
 * Small builders for Grafana dashboard JSON (schema 39, Grafana 10/11), so that the five shipped
 * dashboards read as lists of queries rather than pages of boilerplate. Panels flow left to right
 * on Grafana's 24-column grid; a row starts a new line.
 */

export type Json = Record<string, unknown>;

/** Every Prometheus query goes through the dashboard's `datasource` variable. */
export const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };
/** The provisioned Tempo data source (ops/grafana/provisioning/datasources). */
export const TEMPO = { type: 'tempo', uid: 'tempo' };

export interface Target {
  expr: string;
  legend?: string;
  /** One value per series at the end of the range (stats, tables, bar gauges). */
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  /** Ask for exemplars (trace links when the hub exposes them). */
  exemplar?: boolean;
}

export interface PanelOptions {
  w?: number;
  h?: number;
  unit?: string;
  description?: string;
  min?: number;
  max?: number;
  /** Stack the series (time series). */
  stack?: boolean;
  /** Colour steps of stats and bar gauges: `[value, colour]`, the first value being null. */
  thresholds?: [number | null, string][];
  /** Threshold lines drawn on a time series (burn-rate factors). */
  lines?: number[];
}

/** A panel before layout: `w`/`h` are placed on the grid by `dashboard()`. */
export interface PanelSpec {
  w: number;
  h: number;
  json: Json;
}

const asTargets = (t: Target | Target[] | string): Target[] =>
  typeof t === 'string' ? [{ expr: t }] : Array.isArray(t) ? t : [t];

function promTargets(targets: Target[], instant: boolean): Json[] {
  return targets.map((t, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: PROMETHEUS,
    expr: t.expr,
    legendFormat: t.legend ?? '__auto',
    range: !(t.instant ?? instant),
    instant: t.instant ?? instant,
    ...(t.format ? { format: t.format } : {}),
    ...(t.exemplar ? { exemplar: true } : {}),
  }));
}

function fieldDefaults(o: PanelOptions, custom: Json = {}): Json {
  return {
    defaults: {
      ...(o.unit ? { unit: o.unit } : {}),
      ...(o.min !== undefined ? { min: o.min } : {}),
      ...(o.max !== undefined ? { max: o.max } : {}),
      thresholds: {
        mode: 'absolute',
        steps: (o.thresholds ?? [[null, 'green']]).map(([value, color]) => ({ value, color })),
      },
      custom,
    },
    overrides: [],
  };
}

function panel(type: string, title: string, o: PanelOptions, body: Json, w = 12, h = 8) {
  return {
    w: o.w ?? w,
    h: o.h ?? h,
    json: {
      type,
      title,
      ...(o.description ? { description: o.description } : {}),
      datasource: PROMETHEUS,
      ...body,
    },
  } satisfies PanelSpec;
}

export function timeseries(title: string, t: Target | Target[] | string, o: PanelOptions = {}) {
  const custom: Json = {
    drawStyle: 'line',
    lineWidth: 1,
    fillOpacity: o.stack ? 40 : 10,
    showPoints: 'never',
    spanNulls: false,
    stacking: { mode: o.stack ? 'normal' : 'none', group: 'A' },
    ...(o.lines ? { thresholdsStyle: { mode: 'dashed' } } : {}),
  };
  const withLines = o.lines
    ? {
        ...o,
        thresholds: [
          [null, 'transparent'],
          ...[...o.lines].sort((a, b) => a - b).map((v) => [v, 'red']),
        ] as [number | null, string][],
      }
    : o;
  return panel('timeseries', title, o, {
    targets: promTargets(asTargets(t), false),
    fieldConfig: fieldDefaults(withLines, custom),
    options: {
      legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  });
}

export function stat(title: string, t: Target | string, o: PanelOptions = {}) {
  return panel(
    'stat',
    title,
    o,
    {
      targets: promTargets(asTargets(t), true),
      fieldConfig: fieldDefaults(o),
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        textMode: 'auto',
        orientation: 'auto',
      },
    },
    4,
    4,
  );
}

/** Horizontal bars, one per series (top-N breakdowns over the time range). */
export function bars(title: string, t: Target | string, o: PanelOptions = {}) {
  return panel('bargauge', title, o, {
    targets: promTargets(asTargets(t), true),
    fieldConfig: fieldDefaults(o),
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      orientation: 'horizontal',
      displayMode: 'basic',
      showUnfilled: true,
    },
  });
}

/** Instant queries as a table, one column per label. */
export function table(title: string, t: Target | Target[] | string, o: PanelOptions = {}) {
  const targets = asTargets(t).map((x) => ({ ...x, format: 'table' as const, instant: true }));
  return panel('table', title, o, {
    targets: promTargets(targets, true),
    fieldConfig: fieldDefaults(o),
    options: { showHeader: true, cellHeight: 'sm' },
    transformations: [
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true } } },
    ],
  });
}

/** A histogram's buckets over time (`*_bucket` summed by `le`). */
export function heatmap(title: string, expr: string, o: PanelOptions = {}) {
  return panel('heatmap', title, o, {
    targets: promTargets([{ expr, format: 'heatmap', legend: '{{le}}' }], false),
    fieldConfig: fieldDefaults(o),
    options: {
      calculate: false,
      yAxis: { unit: o.unit ?? 's' },
      cellGap: 1,
      color: { mode: 'scheme', scheme: 'Oranges', steps: 64 },
      tooltip: { show: true, yHistogram: true },
    },
  });
}

/** A TraceQL search in Tempo, shown as a table of traces. */
export function traces(title: string, query: string, o: PanelOptions = {}) {
  return {
    w: o.w ?? 24,
    h: o.h ?? 8,
    json: {
      type: 'table',
      title,
      ...(o.description ? { description: o.description } : {}),
      datasource: TEMPO,
      targets: [
        {
          refId: 'A',
          datasource: TEMPO,
          queryType: 'traceql',
          query,
          limit: 20,
          tableType: 'traces',
        },
      ],
    },
  } satisfies PanelSpec;
}

export function row(title: string): PanelSpec {
  return { w: 24, h: 1, json: { type: 'row', title, collapsed: false, panels: [] } };
}

export interface Variable {
  name: string;
  json: Json;
}

/** The Prometheus data source the panels use (default: the provisioned uid `prometheus`). */
export const datasourceVariable: Variable = {
  name: 'datasource',
  json: {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: { text: 'Prometheus', value: 'prometheus' },
    hide: 0,
    refresh: 1,
    regex: '',
  },
};

/** A multi-value variable filled from `label_values(...)`, "All" matching every value. */
export function labelVariable(name: string, label: string, query: string): Variable {
  return {
    name,
    json: {
      name,
      label,
      type: 'query',
      datasource: PROMETHEUS,
      query: { query, refId: `${name}-values` },
      definition: query,
      includeAll: true,
      multi: true,
      allValue: '.*',
      current: { text: ['All'], value: ['$__all'] },
      refresh: 2,
      sort: 1,
      hide: 0,
      regex: '',
    },
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  panels: PanelSpec[];
  refresh?: string;
  from?: string;
}

/** Places the panels on the grid and wraps them in a dashboard document. */
export function dashboard(spec: DashboardSpec): Json {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  const panels = spec.panels.map((p, i) => {
    if (p.json.type === 'row' || x + p.w > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const gridPos = { x, y, w: p.w, h: p.h };
    x += p.w;
    lineHeight = Math.max(lineHeight, p.h);
    if (p.json.type === 'row') {
      y += p.h;
      x = 0;
      lineHeight = 0;
    }
    return { id: i + 1, gridPos, ...p.json };
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['commandcenter'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: spec.refresh ?? '30s',
    time: { from: spec.from ?? 'now-6h', to: 'now' },
    templating: { list: spec.variables.map((v) => v.json) },
    annotations: { list: [] },
    links: [
      {
        title: 'CommandCenter dashboards',
        type: 'dashboards',
        tags: ['commandcenter'],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
      },
    ],
    panels,
  };
}
