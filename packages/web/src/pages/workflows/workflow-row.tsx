import type { WorkflowSummary } from '@commandcenter/protocol/client';
import { Link } from 'react-router';
import { formatDuration, formatPercent, formatRelative, formatTime } from '../../ui/format.js';
import { Sparkline } from '../../ui/sparkline.js';
import { StatusBadge, statusLabels } from '../../ui/status.js';

export type RowAction = 'run' | 'duplicate' | 'archive' | 'restore';

const actionLabels: Record<RowAction, string> = {
  run: 'Run',
  duplicate: 'Duplicate',
  archive: 'Archive',
  restore: 'Restore',
};
/** What a row offers: an archived workflow is restored (or copied) before anything else. */
const activeActions: RowAction[] = ['run', 'duplicate', 'archive'];
const archivedActions: RowAction[] = ['restore', 'duplicate'];

/**
 * One workflow: its name and description (link to the builder), the last run, the success rate
 * and recent durations, the version, and the actions. Action buttons are named after the
 * workflow for screen readers ("Run hello"), since every row has the same ones.
 */
export function WorkflowRow({
  w,
  canOperate,
  onAction,
  now,
}: {
  w: WorkflowSummary;
  canOperate: boolean;
  onAction: (action: RowAction, name: string) => void;
  now: number;
}) {
  const stats = w.stats;
  const last = stats?.lastRun ?? null;
  const durations = stats?.recentDurationsMs ?? [];
  const why = canOperate ? undefined : 'Needs the operator role';
  return (
    <tr className={w.archived ? 'is-archived' : undefined}>
      <td className="wf-name">
        <Link to={`/workflows/${encodeURIComponent(w.name)}`}>{w.name}</Link>
        {w.archived && <span className="tag">Archived</span>}
        {w.description && (
          <span className="cell-sub wf-description" title={w.description}>
            {w.description}
          </span>
        )}
      </td>
      <td>
        {last ? (
          <>
            <Link
              to={`/runs/${last.id}`}
              className="wf-last"
              aria-label={`Last run of ${w.name}: ${statusLabels[last.status] ?? last.status}`}
            >
              <StatusBadge status={last.status} />
            </Link>
            <span className="cell-sub" title={formatTime(last.createdAt)}>
              {formatRelative(last.createdAt, now)}
            </span>
          </>
        ) : (
          <span className="muted">Never run</span>
        )}
      </td>
      <td className="num">
        {formatPercent(stats?.successRate)}
        {stats && stats.runs > 0 && (
          <span className="cell-sub">
            of {stats.runs} run{stats.runs === 1 ? '' : 's'}
          </span>
        )}
      </td>
      <td>
        <div className="wf-durations">
          <Sparkline
            values={durations}
            label={`Durations of the last ${durations.length} runs of ${w.name}: from ${formatDuration(
              Math.min(...durations),
            )} to ${formatDuration(Math.max(...durations))}`}
          />
          {durations.length > 0 && (
            <span className="cell-sub" title="Duration of the latest finished run">
              {formatDuration(durations.at(-1))}
            </span>
          )}
        </div>
      </td>
      <td>
        v{w.latestVersion}
        <span className="cell-sub" title={formatTime(w.updatedAt)}>
          {formatRelative(w.updatedAt, now)}
        </span>
      </td>
      <td>
        <div className="row wf-actions">
          {(w.archived ? archivedActions : activeActions).map((action) => (
            <button
              key={action}
              type="button"
              className={action === 'archive' ? 'btn btn-small btn-ghost' : 'btn btn-small'}
              disabled={!canOperate}
              title={why}
              aria-label={`${actionLabels[action]} ${w.name}`}
              onClick={() => onAction(action, w.name)}
            >
              {actionLabels[action]}
            </button>
          ))}
        </div>
      </td>
    </tr>
  );
}
