import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { shortId } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { ErrorView, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/status.js';
import { useUrlParams } from '../../ui/url-params.js';
import { DagLegend } from './dag-legend.js';
import { RunActions } from './run-actions.js';
import { RunDag } from './run-dag.js';
import { useRunLogs } from './run-logs.js';
import { RunMeta } from './run-meta.js';
import { isRunActive } from './run-status.js';
import { StepPanel } from './step-panel.js';
import { nodeViews, statusCounts } from './step-model.js';
import { Timeline } from './timeline.js';
import { useNow } from './use-now.js';
import { useRun } from './use-run.js';
import './run-page.css';

/**
 * One run, live: its header and actions, the DAG coloured by step status, the timeline of
 * attempts, and the selected step (`?step=<key>`, so a link can open a step) with its logs.
 */
export function RunPage() {
  const { id = '' } = useParams();
  const run = useRun(id);
  if (run.isPending) return <Loading label="Loading the run…" />;
  if (run.error) return <ErrorView error={run.error} retry={() => void run.refetch()} />;
  return <RunView run={run.data} />;
}

function RunView({ run }: { run: NonNullable<ReturnType<typeof useRun>['data']> }) {
  const client = useClient();
  const project = useProject();
  const { params, set } = useUrlParams();
  const active = isRunActive(run.status);
  const now = useNow(active);
  const [logAttempt, setLogAttempt] = useState(0);
  const logs = useRunLogs(run.id, logAttempt);

  const def = useQuery({
    queryKey: keys.workflowVersion(project, run.workflow, run.version),
    queryFn: () => client.getWorkflowVersion(run.workflow, run.version),
  });
  const definition = def.data?.definition;
  const views = useMemo(() => nodeViews(run, definition), [run, definition]);
  const counts = useMemo(() => statusCounts(views), [views]);

  // The selected step: from the URL, else the step that failed (what one opens a run for).
  const failed = run.steps.find(
    (s) => s.parentKey === null && (s.status === 'failed' || s.status === 'timed_out'),
  );
  const selected = params.get('step') ?? failed?.key ?? null;
  const select = useCallback((key: string) => set('step', key), [set]);
  const selectedNode = run.steps.find((s) => s.key === selected)?.nodeId ?? selected;

  useEffect(() => {
    document.title = `${run.workflow} run ${shortId(run.id)} · CommandCenter`;
  }, [run.workflow, run.id]);

  return (
    <div className="run-page">
      <PageHeader
        title={
          <span className="run-title">
            {run.workflow} <span className="muted mono">run {shortId(run.id)}</span>
            <StatusBadge status={run.status} />
          </span>
        }
        actions={<RunActions run={run} />}
      />
      <RunMeta run={run} now={now} />
      <div className="run-grid">
        <div className="run-main">
          <section className="card run-graph-card" aria-labelledby="run-graph-title">
            <h2 id="run-graph-title">Graph</h2>
            {def.isPending ? (
              <Loading label="Loading the workflow…" />
            ) : (
              <RunDag
                views={views}
                saved={definition?.ui?.positions}
                selected={selectedNode}
                onSelect={select}
              />
            )}
            <DagLegend counts={counts} />
          </section>
          <section className="card" aria-labelledby="run-timeline-title">
            <h2 id="run-timeline-title">Timeline</h2>
            <Timeline run={run} now={now} selected={selected} onSelect={select} />
          </section>
        </div>
        <aside className="run-side" aria-label="Selected step">
          <StepPanel
            run={run}
            selected={selected}
            onSelect={select}
            logs={logs}
            now={now}
            onRetryLogs={() => setLogAttempt((n) => n + 1)}
          />
        </aside>
      </div>
    </div>
  );
}
