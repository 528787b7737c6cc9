/**
 * Alertmanager's webhook notification (`webhook_config`, payload version 4): its JSON Schema,
 * how an `alert:` trigger matches it, the run input it becomes and the idempotency key that makes
 * Alertmanager's repeats of one notification start one run.
 */
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  type AlertmanagerAlert,
  type AlertmanagerNotification as ProtocolNotification,
} from '@commandcenter/protocol';

/** The body Alertmanager POSTs to a webhook receiver (fields added by later versions are kept). */
export type AlertmanagerNotification = ProtocolNotification & { [extra: string]: unknown };
export type { AlertmanagerAlert };

/** The run input of an alert notification (the `alert-notification` example's `inputs`). */
export interface AlertRunInput {
  status: 'firing' | 'resolved';
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

const labelSet = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'Label (or annotation) names to string values',
} as const;
const status = { type: 'string', enum: ['firing', 'resolved'] } as const;

/**
 * JSON Schema of Alertmanager's webhook body, with Alertmanager's field names. Fields that later
 * Alertmanager versions add are allowed (and ignored), so an upgrade never turns into refused
 * notifications.
 */
export const alertmanagerNotificationSchema = {
  type: 'object',
  description: 'Alertmanager webhook notification (payload version 4)',
  required: ['version', 'groupKey', 'status', 'receiver', 'groupLabels', 'commonLabels', 'alerts'],
  properties: {
    version: {
      type: 'string',
      enum: ['4'],
      description: 'Payload version; Alertmanager sends "4"',
    },
    groupKey: { type: 'string', minLength: 1, maxLength: 4096 },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    status,
    receiver: { type: 'string', maxLength: 1000 },
    groupLabels: labelSet,
    commonLabels: labelSet,
    commonAnnotations: labelSet,
    externalURL: { type: 'string', maxLength: 4096 },
    alerts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['status', 'labels', 'startsAt'],
        properties: {
          status,
          labels: labelSet,
          annotations: labelSet,
          startsAt: { type: 'string', format: 'date-time' },
          endsAt: { type: 'string', format: 'date-time' },
          generatorURL: { type: 'string', maxLength: 4096 },
          fingerprint: { type: 'string', maxLength: 200 },
        },
      },
    },
  },
} as const;

/**
 * Whether an `alert:` trigger's labels select a notification: every label the trigger names must
 * equal the group's `commonLabels` (labels all alerts of the group share, a superset of its
 * `groupLabels`). `alert: {}` selects every notification.
 */
export function alertLabelsMatch(
  selector: Readonly<Record<string, string>>,
  n: Pick<AlertmanagerNotification, 'commonLabels'>,
): boolean {
  return Object.entries(selector).every(
    ([name, value]) => Object.hasOwn(n.commonLabels, name) && n.commonLabels[name] === value,
  );
}

/** The run input of a notification: what a workflow needs to report the group. */
export function alertRunInput(n: AlertmanagerNotification): AlertRunInput {
  return {
    status: n.status,
    receiver: n.receiver,
    groupKey: n.groupKey,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations ?? {},
    externalURL: n.externalURL ?? '',
    alerts: n.alerts,
  };
}

/**
 * What identifies one notification: the group's status and each alert's fingerprint, status,
 * start and end (sorted, so the order of the alerts does not matter). Alertmanager's repeats of
 * the same notification (`repeat_interval`, retries after a failed delivery) hash the same; a new
 * alert in the group, a resolved one or a restart of an alert hash differently.
 */
export function alertNotificationHash(n: AlertmanagerNotification): string {
  const alerts = n.alerts
    .map((a) =>
      canonicalJson([
        a.fingerprint ?? canonicalJson(a.labels),
        a.status,
        a.startsAt,
        a.endsAt ?? '',
      ]),
    )
    .sort();
  return createHash('sha256')
    .update(canonicalJson([n.status, alerts]))
    .digest('hex')
    .slice(0, 32);
}

/** Longest group key kept verbatim in idempotency keys (longer ones are hashed: index limits). */
const MAX_GROUP_KEY_IN_KEY = 300;

/**
 * The idempotency key of the run a notification starts for one workflow:
 * `alert:<groupKey>:<status>:<hash>` (see {@link alertNotificationHash}) — plus the workflow,
 * because run idempotency keys are unique per project and each matching workflow gets its run.
 * A group key longer than 300 characters is replaced by `sha256:<its hash>`.
 */
export function alertIdempotencyKey(workflow: string, n: AlertmanagerNotification): string {
  const group =
    n.groupKey.length > MAX_GROUP_KEY_IN_KEY
      ? `sha256:${createHash('sha256').update(n.groupKey).digest('hex').slice(0, 32)}`
      : n.groupKey;
  return `alert:${group}:${n.status}:${alertNotificationHash(n)}:${workflow}`;
}
