import { statusClass, statusLabels } from '../../ui/status.js';
import { DAG_STATUSES, type DagStatus } from './run-status.js';

/** What each node colour means, with how many nodes are in each state now. */
export function DagLegend({ counts }: { counts: Map<DagStatus, number> }) {
  return (
    <ul className="dag-legend" aria-label="Legend of step statuses">
      {DAG_STATUSES.map((s) => (
        <li key={s} className={counts.get(s) ? undefined : 'is-zero'}>
          <span className={`dag-legend-dot gantt-${statusClass(s)}`} aria-hidden="true" />
          {statusLabels[s]}
          <span className="dag-legend-count">{counts.get(s) ?? 0}</span>
        </li>
      ))}
    </ul>
  );
}
