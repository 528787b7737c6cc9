import type { CostSummary, RunDetail } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../../api/client.js';
import {
  durationBetween,
  formatDuration,
  formatRelative,
  formatTime,
  shortId,
} from '../../ui/format.js';
import { triggerLabel } from './trigger.js';

function costText(c: CostSummary | undefined): string | null {
  if (!c || (c.totalUsd <= 0 && c.tokensIn + c.tokensOut === 0)) return null;
  const tokens = c.tokensIn + c.tokensOut;
  const parts = [`compute $${c.computeUsd.toFixed(4)}`];
  if (c.llmUsd > 0 || tokens > 0)
    parts.push(`LLM $${c.llmUsd.toFixed(4)} (${tokens.toLocaleString('en')} tokens)`);
  return `$${c.totalUsd.toFixed(4)} · ${parts.join(', ')}`;
}

/** The hub's tracing link template (`{traceId}` placeholder), or null where none is configured. */
function useTraceUrl(traceId: string | undefined): string | null {
  const client = useClient();
  const config = useQuery({
    queryKey: ['ui-config'],
    queryFn: () => client.uiConfig(),
    staleTime: Infinity,
  });
  const template = config.data?.traceUrlTemplate;
  return template && traceId ? template.replaceAll('{traceId}', encodeURIComponent(traceId)) : null;
}

/** The facts of a run under its title: version, trigger, times, duration, cost, links. */
export function RunMeta({ run, now }: { run: RunDetail; now: number }) {
  const traceUrl = useTraceUrl(run.traceId);
  const cost = costText(run.cost);
  return (
    <dl className="run-meta">
      <div>
        <dt>Workflow</dt>
        <dd>
          <Link to={`/workflows/${encodeURIComponent(run.workflow)}`}>
            {run.workflow}@v{run.version}
          </Link>
        </dd>
      </div>
      <div>
        <dt>Trigger</dt>
        <dd>{triggerLabel(run.trigger)}</dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd title={formatTime(run.startedAt ?? run.createdAt)}>
          {formatRelative(run.startedAt ?? run.createdAt, now)}
        </dd>
      </div>
      <div>
        <dt>{run.finishedAt ? 'Took' : 'Running for'}</dt>
        <dd title={run.finishedAt ? `Finished ${formatTime(run.finishedAt)}` : undefined}>
          {formatDuration(run.durationMs ?? durationBetween(run.startedAt, run.finishedAt, now))}
        </dd>
      </div>
      {cost && (
        <div>
          <dt>Cost</dt>
          <dd>{cost}</dd>
        </div>
      )}
      {run.rerunOf && (
        <div>
          <dt>Re-run of</dt>
          <dd>
            <Link to={`/runs/${run.rerunOf}`} className="mono">
              {shortId(run.rerunOf)}
            </Link>
            {run.rerunMode && (
              <span className="muted">
                {' '}
                ({run.rerunMode === 'scratch' ? 'from scratch' : 'from failed step'})
              </span>
            )}
          </dd>
        </div>
      )}
      {traceUrl && (
        <div>
          <dt>Trace</dt>
          <dd>
            <a href={traceUrl} target="_blank" rel="noreferrer">
              Open trace<span className="visually-hidden"> (opens in a new tab)</span>
            </a>
          </dd>
        </div>
      )}
    </dl>
  );
}
