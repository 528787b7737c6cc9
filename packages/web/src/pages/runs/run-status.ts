import type { RunStatus, StepStatus } from '@commandcenter/protocol/client';

/**
 * Statuses as the run monitor shows them. Steps that have not started (`pending`, `ready`) are
 * "queued" on the DAG, so the graph speaks the same eight states as the legend (and as the
 * `data-status` attribute other suites rely on).
 */
export type DagStatus =
  | 'queued'
  | 'running'
  | 'waiting_approval'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled'
  | 'timed_out';

export const DAG_STATUSES: readonly DagStatus[] = [
  'queued',
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'timed_out',
];

export function dagStatus(status: StepStatus | string | null | undefined): DagStatus {
  switch (status) {
    case 'running':
    case 'waiting_approval':
    case 'succeeded':
    case 'failed':
    case 'skipped':
    case 'cancelled':
    case 'timed_out':
      return status;
    default:
      return 'queued';
  }
}

const ACTIVE: readonly string[] = ['queued', 'running', 'waiting_approval'];

/** A run that can still change (and be cancelled). */
export const isRunActive = (status: RunStatus | string): boolean => ACTIVE.includes(status);

/** A run that ended without succeeding: it can be re-run from its failed step. */
export const canRerunFromFailed = (status: RunStatus | string): boolean =>
  status === 'failed' || status === 'cancelled' || status === 'timed_out';
