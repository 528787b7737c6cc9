import type { OverviewStats } from '@commandcenter/protocol/client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { formatPercent } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { DurationsChart } from './durations-chart.js';
import { windows } from './overview-data.js';
import { RunsChart } from './runs-chart.js';
import { TopFailing } from './top-failing.js';
import { parseWindow, WindowPicker } from './window-picker.js';
import './overview.css';

/**
 * The project at a glance, from the hub's own aggregates (`GET /stats/overview`, no Prometheus):
 * totals, runs per bucket by status, duration percentiles, what fails most, pending approvals.
 * The live feed invalidates `[project, 'overview']` on run and approval events.
 */
export function OverviewPage() {
  const project = useProject();
  const client = useClient();
  const [params, setParams] = useSearchParams();
  const win = parseWindow(params.get('window'));
  const windowLong = windows.find((w) => w.id === win)!.long;
  const overview = useQuery({
    queryKey: keys.overview(project, win),
    queryFn: () => client.statsOverview(win),
    placeholderData: keepPreviousData,
  });

  return (
    <div className="overview-page">
      <PageHeader
        title="Overview"
        description={`Runs of project ${project} over ${windowLong}.`}
        actions={
          <WindowPicker
            value={win}
            onChange={(w) => setParams(w === '1h' ? {} : { window: w }, { replace: true })}
          />
        }
      />
      <QueryView query={overview} loading="Loading the overview…">
        {(data) => <OverviewBody stats={data} windowLong={windowLong} />}
      </QueryView>
    </div>
  );
}

function OverviewBody({ stats, windowLong }: { stats: OverviewStats; windowLong: string }) {
  const { totals } = stats;
  return (
    <>
      <section className="grid grid-4 overview-stats" aria-label="Totals">
        <Stat label="Runs" value={String(totals.runs)} note={`created in ${windowLong}`} />
        <Stat
          label="Success rate"
          value={formatPercent(totals.successRate)}
          note={totals.successRate === null ? 'no finished run yet' : 'of finished runs'}
        />
        <Stat
          label="Running"
          value={String(totals.running)}
          note="including waiting for approval"
        />
        <Stat
          label="Pending approvals"
          value={String(stats.pendingApprovals)}
          hot={stats.pendingApprovals > 0}
          note={
            stats.pendingApprovals > 0 ? (
              <Link to="/approvals">Review approvals</Link>
            ) : (
              'nothing waiting for a decision'
            )
          }
        />
      </section>
      {totals.runs === 0 ? (
        <EmptyState
          title={`No runs in ${windowLong}`}
          action={
            <Link className="btn btn-primary" to="/workflows">
              Go to workflows
            </Link>
          }
        >
          <p>
            The charts fill in as runs happen. Start a run from the workflows list, or from a
            terminal: <code>commandcenter run hello --wait</code>.
          </p>
          {stats.window !== '7d' && <p>Older runs? Pick a longer time window above.</p>}
        </EmptyState>
      ) : (
        <>
          <div className="grid grid-2">
            <RunsChart stats={stats} windowLong={windowLong} />
            <DurationsChart stats={stats} windowLong={windowLong} />
          </div>
          <TopFailing stats={stats} windowLong={windowLong} />
        </>
      )}
    </>
  );
}

function Stat({
  label,
  value,
  note,
  hot,
}: {
  label: string;
  value: string;
  note: ReactNode;
  hot?: boolean;
}) {
  return (
    <div className={`card stat${hot ? ' stat-hot' : ''}`}>
      <span className="muted">{label}</span>
      <span className="stat-value">{value}</span>
      <span className="stat-note">{note}</span>
    </div>
  );
}
