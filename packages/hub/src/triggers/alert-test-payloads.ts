/**
 * Alertmanager webhook bodies exactly as Alertmanager 0.27 sends them (field order and formats
 * of its Go encoder: `template.Data` then `version`, `groupKey`, `truncatedAlerts`; times with
 * nanoseconds; `endsAt` zero while an alert fires), for the tests.
 */
import type { AlertmanagerNotification } from './alert-payload.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';
const externalURL = 'http://alertmanager.example.com:9093';

const labels = (instance: string, extra: Record<string, string> = {}) => ({
  alertname: 'HighRequestLatency',
  instance,
  job: 'checkout-api',
  service: 'checkout',
  severity: 'critical',
  ...extra,
});

const generatorURL =
  'http://prometheus.example.com:9090/graph?g0.expr=histogram_quantile%280.99%2C+sum+by+%28le%2C+instance%29+%28rate%28http_request_duration_seconds_bucket%5B5m%5D%29%29%29+%3E+0.5&g0.tab=1';

/** A group of two firing alerts (`group_by: [alertname]`). */
export function firingGroup(
  extra: Record<string, string> = {},
  group = 'HighRequestLatency',
): AlertmanagerNotification {
  return {
    receiver: 'commandcenter',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: labels('checkout-1:8080', extra),
        annotations: {
          runbook_url: 'https://runbooks.example.com/high-latency',
          summary: 'p99 latency is 730ms on checkout-1:8080',
        },
        startsAt: '2024-05-14T09:21:43.123456789Z',
        endsAt: ZERO_TIME,
        generatorURL,
        fingerprint: '1c5d04b8d2b3a3f7',
      },
      {
        status: 'firing',
        labels: labels('checkout-2:8080', extra),
        annotations: {
          runbook_url: 'https://runbooks.example.com/high-latency',
          summary: 'p99 latency is 612ms on checkout-2:8080',
        },
        startsAt: '2024-05-14T09:22:13.123456789Z',
        endsAt: ZERO_TIME,
        generatorURL,
        fingerprint: 'e4a9b7c2f0d18a56',
      },
    ],
    groupLabels: { alertname: group },
    commonLabels: {
      alertname: 'HighRequestLatency',
      job: 'checkout-api',
      service: 'checkout',
      severity: 'critical',
      ...extra,
    },
    commonAnnotations: { runbook_url: 'https://runbooks.example.com/high-latency' },
    externalURL,
    version: '4',
    groupKey: `{}/{severity=~"critical|warning"}:{alertname="${group}"}`,
    truncatedAlerts: 0,
  };
}

/** The same group once both alerts resolved (`send_resolved: true`). */
export function resolvedGroup(
  extra: Record<string, string> = {},
  group = 'HighRequestLatency',
): AlertmanagerNotification {
  const firing = firingGroup(extra, group);
  return {
    ...firing,
    status: 'resolved',
    alerts: firing.alerts.map((a, i) => ({
      ...a,
      status: 'resolved',
      endsAt: i === 0 ? '2024-05-14T09:41:43.123456789Z' : '2024-05-14T09:42:13.123456789Z',
    })),
  };
}
