import { RUN_STATUSES, type RunStatus, type RunSummary } from '@commandcenter/protocol/client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { FilterBar, FilterSelect } from '../../ui/filters.js';
import { formatDuration, formatRelative, formatTime, shortId } from '../../ui/format.js';
import { LoadMore } from '../../ui/load-more.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { StatusBadge, statusLabels } from '../../ui/status.js';
import { TableHead } from '../../ui/table.js';
import { useUrlParams } from '../../ui/url-params.js';
import { TRIGGER_TYPES, triggerLabel, triggerTypeLabels } from './trigger.js';
import { useNow } from './use-now.js';
import './runs-page.css';

const PAGE = 50;

/** The filters, kept in the URL (`?workflow=&status=&trigger=`) so a filtered list can be shared. */
function useFilters() {
  const { params, set, clear } = useUrlParams();
  const status = params.get('status');
  const filters = {
    workflow: params.get('workflow') || undefined,
    status: RUN_STATUSES.includes(status as RunStatus) ? (status as RunStatus) : undefined,
    trigger: params.get('trigger') || undefined,
  };
  return { filters, set: (name: keyof typeof filters, value: string) => set(name, value), clear };
}

/**
 * Runs of the project, newest first, live (the feed invalidates `[project, 'runs', 'list']`),
 * filtered by workflow, status and trigger, paged with "Load more".
 */
export function RunsPage() {
  const client = useClient();
  const project = useProject();
  const { filters, set, clear } = useFilters();
  const serverFilter = {
    workflow: filters.workflow,
    status: filters.status,
    trigger: filters.trigger,
  };
  const runs = useInfiniteQuery({
    queryKey: keys.runs(project, serverFilter),
    queryFn: ({ pageParam }) =>
      client.listRuns({ ...serverFilter, limit: PAGE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const workflows = useQuery({
    queryKey: keys.workflows(project),
    queryFn: () => client.listWorkflows(),
  });
  const now = useNow(true, 30_000);

  const loaded = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);
  const items = loaded;
  const filtered = Boolean(filters.workflow || filters.status || filters.trigger);

  const workflowNames = workflows.data?.items.map((w) => w.name) ?? [];
  if (filters.workflow && !workflowNames.includes(filters.workflow))
    workflowNames.unshift(filters.workflow);

  return (
    <div className="runs-page">
      <PageHeader
        title="Runs"
        description="Every execution of the project’s workflows, newest first. The list updates live."
      />
      <FilterBar label="Filter runs">
        <FilterSelect
          label="Workflow"
          value={filters.workflow ?? ''}
          onChange={(v) => set('workflow', v)}
          every="All workflows"
          choices={workflowNames}
        />
        <FilterSelect
          label="Status"
          value={filters.status ?? ''}
          onChange={(v) => set('status', v)}
          every="Any status"
          choices={RUN_STATUSES.map((s) => ({ value: s, label: statusLabels[s] ?? s }))}
        />
        <FilterSelect
          label="Trigger"
          value={filters.trigger ?? ''}
          onChange={(v) => set('trigger', v)}
          every="Any trigger"
          choices={TRIGGER_TYPES.map((t) => ({ value: t, label: triggerTypeLabels[t] ?? t }))}
        />
        {filtered && (
          <button type="button" className="btn btn-ghost" onClick={clear}>
            Clear filters
          </button>
        )}
      </FilterBar>
      <QueryView query={runs} loading="Loading runs…">
        {() =>
          items.length === 0 && !runs.hasNextPage ? (
            filtered ? (
              <EmptyState
                title="No run matches these filters"
                action={
                  <button type="button" className="btn" onClick={clear}>
                    Clear filters
                  </button>
                }
              >
                Try another workflow, status or trigger.
              </EmptyState>
            ) : (
              <EmptyState
                title="No runs yet"
                action={
                  <Link className="btn btn-primary" to="/workflows">
                    Open the workflows
                  </Link>
                }
              >
                <p>
                  Start a run with the <strong>Run</strong> button of a workflow, or from a
                  terminal: <code>commandcenter run &lt;workflow&gt; --follow</code>. Cron, webhook
                  and event triggers start runs on their own.
                </p>
              </EmptyState>
            )
          ) : (
            <>
              <RunsTable runs={items} now={now} />
              <LoadMore
                list={runs}
                summary={`${loaded.length} ${loaded.length === 1 ? 'run' : 'runs'}`}
              />
            </>
          )
        }
      </QueryView>
    </div>
  );
}

/** Rows open their run on click (the run link is what keyboards and screen readers use). */
function RunsTable({ runs, now }: { runs: RunSummary[]; now: number }) {
  const navigate = useNavigate();
  return (
    <table className="table runs-table">
      <TableHead
        columns={[
          'Status',
          'Run',
          'Workflow',
          'Trigger',
          'Started',
          { label: 'Duration', num: true },
          'Re-run of',
        ]}
      />
      <tbody>
        {runs.map((r) => {
          const started = r.startedAt ?? r.createdAt;
          return (
            <tr
              key={r.id}
              className="runs-row"
              onClick={(e) => {
                if (!(e.target as HTMLElement).closest('a')) void navigate(`/runs/${r.id}`);
              }}
            >
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>
                <Link
                  to={`/runs/${r.id}`}
                  className="mono"
                  aria-label={`Run ${shortId(r.id)} of ${r.workflow}`}
                >
                  {shortId(r.id)}
                </Link>
              </td>
              <td>
                {r.workflow} <span className="muted">v{r.version}</span>
              </td>
              <td>{triggerLabel(r.trigger)}</td>
              <td>
                <time dateTime={started} title={formatTime(started)}>
                  {formatRelative(started, now)}
                </time>
              </td>
              <td className="num">
                {r.durationMs !== null
                  ? formatDuration(r.durationMs)
                  : r.startedAt
                    ? 'running'
                    : '—'}
              </td>
              <td>
                {r.rerunOf ? (
                  <Link
                    to={`/runs/${r.rerunOf}`}
                    className="mono"
                    aria-label={`Original run ${shortId(r.rerunOf)}`}
                  >
                    {shortId(r.rerunOf)}
                  </Link>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
