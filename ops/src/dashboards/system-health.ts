/** System health: hubs up, HTTP, the store, the work queue, workers and the Node.js process. */
import {
  JOB,
  inProject,
  instanceVariable,
  legendOf,
  onInstance,
  projectVariable,
  quantile,
  rateBy,
} from './common.js';
import { dashboard, datasourceVariable, row, stat, table, timeseries } from './panels.js';

/** Long-lived streams (SSE) would swamp the latency quantiles. */
const notStreaming = `${onInstance}, route!="/api/v1/events"`;

export const systemHealth = dashboard({
  uid: 'cc-system-health',
  title: 'CommandCenter / System health',
  description: 'Hub processes, the HTTP API, the database, the work queue and the Node.js runtime.',
  variables: [datasourceVariable, instanceVariable, projectVariable],
  panels: [
    stat('Hubs up', `sum(up{${JOB}})`, {
      thresholds: [
        [null, 'red'],
        [1, 'green'],
      ],
    }),
    stat(
      'HTTP 5xx ratio',
      `sum(rate(cc_http_requests_total{${onInstance}, status=~"5.."}[$__rate_interval])) / sum(rate(cc_http_requests_total{${onInstance}}[$__rate_interval]))`,
      {
        unit: 'percentunit',
        thresholds: [
          [null, 'green'],
          [0.001, 'orange'],
          [0.01, 'red'],
        ],
      },
    ),
    stat(
      'Worker slots busy',
      `sum(cc_worker_slots_busy{${onInstance}}) / sum(cc_worker_slots{${onInstance}})`,
      {
        unit: 'percentunit',
        thresholds: [
          [null, 'green'],
          [0.8, 'orange'],
          [1, 'red'],
        ],
      },
    ),
    table('Build', `cc_build_info{${onInstance}}`, {
      w: 12,
      description: 'Version, store (pglite/postgres) and event bus (local/nats) of each hub.',
    }),

    row('HTTP API'),
    timeseries(
      'Requests by status',
      { expr: rateBy('cc_http_requests_total', onInstance, ['status']), legend: '{{status}}' },
      { unit: 'reqps', stack: true },
    ),
    timeseries(
      'Busiest routes',
      {
        expr: `topk(10, ${rateBy('cc_http_requests_total', onInstance, ['method', 'route'])})`,
        legend: legendOf(['method', 'route']),
      },
      { unit: 'reqps' },
    ),
    timeseries(
      'Latency p99 by route',
      {
        expr: quantile(0.99, 'cc_http_request_duration_seconds', notStreaming, ['route']),
        legend: '{{route}}',
        exemplar: true,
      },
      { unit: 's', description: 'The live event stream (/api/v1/events) is left out.' },
    ),
    timeseries(
      'Latency p50 / p99',
      [0.5, 0.99].map((q) => ({
        expr: quantile(q, 'cc_http_request_duration_seconds', notStreaming),
        legend: `p${q * 100}`,
      })),
      { unit: 's' },
    ),

    row('Store'),
    timeseries(
      'Queries by operation',
      {
        expr: rateBy('cc_store_query_duration_seconds_count', onInstance, ['operation']),
        legend: '{{operation}}',
      },
      { unit: 'ops', w: 8 },
    ),
    timeseries(
      'Query latency p99 by operation',
      {
        expr: quantile(0.99, 'cc_store_query_duration_seconds', onInstance, ['operation']),
        legend: '{{operation}}',
      },
      { unit: 's', w: 8 },
    ),
    timeseries(
      'Store errors by operation',
      { expr: rateBy('cc_store_errors_total', onInstance, ['operation']), legend: '{{operation}}' },
      { unit: 'ops', w: 8 },
    ),

    row('Work queue and workers'),
    timeseries(
      'Ready steps by project',
      { expr: `max by (project) (cc_queue_depth{${inProject}})`, legend: '{{project}}' },
      { unit: 'short', w: 8 },
    ),
    timeseries(
      'Oldest ready step by project',
      {
        expr: `max by (project) (cc_queue_oldest_ready_age_seconds{${inProject}})`,
        legend: '{{project}}',
      },
      { unit: 's', w: 8 },
    ),
    timeseries(
      'Worker slots',
      [
        {
          expr: `sum by (instance) (cc_worker_slots{${onInstance}})`,
          legend: '{{instance}} slots',
        },
        {
          expr: `sum by (instance) (cc_worker_slots_busy{${onInstance}})`,
          legend: '{{instance}} busy',
        },
      ],
      { unit: 'short', w: 8 },
    ),

    row('Node.js process'),
    timeseries(
      'Event-loop lag p99',
      { expr: `cc_nodejs_eventloop_lag_p99_seconds{${onInstance}}`, legend: '{{instance}}' },
      { unit: 's', w: 8 },
    ),
    timeseries(
      'Memory',
      [
        { expr: `cc_process_resident_memory_bytes{${onInstance}}`, legend: '{{instance}} rss' },
        { expr: `cc_nodejs_heap_size_used_bytes{${onInstance}}`, legend: '{{instance}} heap used' },
        {
          expr: `cc_nodejs_heap_size_total_bytes{${onInstance}}`,
          legend: '{{instance}} heap total',
        },
      ],
      { unit: 'bytes', w: 8 },
    ),
    timeseries(
      'CPU',
      {
        expr: `rate(cc_process_cpu_seconds_total{${onInstance}}[$__rate_interval])`,
        legend: '{{instance}}',
      },
      { unit: 'percentunit', w: 8, description: '1 = one core busy.' },
    ),
    table('Firing alerts', `ALERTS{alertstate="firing", alertname=~"CC.*"}`, {
      w: 24,
      description: 'CommandCenter alerts firing now (ops/prometheus/rules).',
    }),
  ],
});
