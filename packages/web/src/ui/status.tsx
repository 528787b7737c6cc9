/**
 * One colour and label per run/step/approval status, used by badges, the DAG, the timeline and
 * the charts, so a status looks the same everywhere.
 */
export const statusLabels: Record<string, string> = {
  queued: 'Queued',
  pending: 'Pending',
  ready: 'Ready',
  running: 'Running',
  waiting_approval: 'Waiting approval',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
  timed_out: 'Timed out',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  retrying: 'Retrying',
};

/** The CSS custom property holding a status's colour (defined per theme in styles.css). */
export function statusColorVar(status: string): string {
  return `var(--status-${statusClass(status)})`;
}

export function statusClass(status: string): string {
  switch (status) {
    case 'succeeded':
    case 'approved':
      return 'ok';
    case 'failed':
    case 'rejected':
    case 'timed_out':
      return 'bad';
    case 'running':
    case 'retrying':
      return 'run';
    case 'waiting_approval':
    case 'pending':
      return 'wait';
    case 'skipped':
    case 'cancelled':
    case 'expired':
      return 'off';
    default:
      return 'idle';
  }
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${statusClass(status)}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {statusLabels[status] ?? status}
    </span>
  );
}

export function RiskBadge({ risk }: { risk: string }) {
  return <span className={`risk risk-${risk}`}>{risk}</span>;
}
