import type { AgentHealth } from '@commandcenter/protocol/client';

const classes: Record<AgentHealth['status'], string> = {
  healthy: 'badge-ok',
  degraded: 'badge-wait',
  failing: 'badge-bad',
  unknown: 'badge-idle',
};

const labels: Record<AgentHealth['status'], string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  failing: 'Failing',
  unknown: 'No recent runs',
};

/** An agent's health over its last day of attempts (`healthy` < 10 % errors < `degraded` < 50 %). */
export function HealthBadge({ status }: { status: AgentHealth['status'] }) {
  return (
    <span className={`badge ${classes[status]}`} data-health={status}>
      <span className="badge-dot" aria-hidden="true" />
      {labels[status]}
    </span>
  );
}
