import type { StatefulTriggerKind, TriggerInfo } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { FilterBar, FilterSelect } from '../../ui/filters.js';
import { formatRelative, formatTime, shortId } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { RoleNote, needsRole } from '../../ui/role-note.js';
import { TableHead } from '../../ui/table.js';
import { useUrlParams } from '../../ui/url-params.js';
import { TriggerPanel } from './trigger-panel.js';
import { kindLabels, specSummary, triggerKindList, triggerName } from './trigger-spec.js';
import { usePauseTrigger } from './use-pause.js';
import './triggers.css';

/**
 * Every trigger of the project's workflows with its state; filters by workflow and kind; a
 * drawer with the selected trigger's history and webhook settings. Filters and selection live in
 * the URL, so a view can be shared.
 */
export function TriggersPage() {
  const client = useClient();
  const { project, can } = useSession();
  const { params, set } = useUrlParams();
  const workflow = params.get('workflow') ?? '';
  const kind = (params.get('kind') ?? '') as StatefulTriggerKind | '';
  const selected = params.get('trigger');
  // Runs queued by a trigger refresh this list through the feed (workflow.run.queued).
  const triggers = useQuery({
    queryKey: [...keys.triggers(project), 'list'],
    queryFn: () => client.listTriggers(),
  });
  // Opening a trigger's drawer is a step the Back button undoes; changing a filter is not.
  const setParam = (name: string, value: string | null) =>
    set(name, value, { push: name === 'trigger' });

  const all = triggers.data?.items ?? [];
  const workflows = [...new Set(all.map((t) => t.workflow))].sort();
  const items = all.filter(
    (t) => (!workflow || t.workflow === workflow) && (!kind || t.kind === kind),
  );
  return (
    <div className="triggers-page">
      <PageHeader
        title="Triggers"
        description="What starts workflows on their own: schedules, webhooks, events, alerts and UI actions, with what each did last."
      />
      <RoleNote role="operator" what="pause or resume triggers" />
      <QueryView query={triggers} loading="Loading triggers…">
        {() =>
          all.length === 0 ? (
            <NoTriggers />
          ) : (
            <>
              <FilterBar label="Filter triggers" summary={`${items.length} of ${all.length}`}>
                <FilterSelect
                  label="Workflow"
                  value={workflow}
                  onChange={(v) => setParam('workflow', v)}
                  every="Every workflow"
                  choices={workflows}
                />
                <FilterSelect
                  label="Kind"
                  value={kind}
                  onChange={(v) => setParam('kind', v)}
                  every="Every kind"
                  choices={triggerKindList.map((k) => ({ value: k, label: kindLabels[k] }))}
                />
              </FilterBar>
              {items.length === 0 ? (
                <EmptyState title="No trigger matches the filters">
                  Choose another workflow or kind.
                </EmptyState>
              ) : (
                <TriggersTable
                  items={items}
                  canOperate={can('operator')}
                  selected={selected}
                  onSelect={(id) => setParam('trigger', id)}
                />
              )}
            </>
          )
        }
      </QueryView>
      {selected && (
        <TriggerPanel
          key={selected}
          id={selected}
          summary={all.find((t) => t.id === selected)}
          onClose={() => setParam('trigger', null)}
        />
      )}
    </div>
  );
}

function NoTriggers() {
  return (
    <EmptyState title="No triggers yet">
      <p>
        Workflows start by hand until they declare triggers. Add a <code>triggers:</code> list to a
        workflow (in the builder’s Triggers panel or YAML tab, or with{' '}
        <code>commandcenter apply -f</code>):
      </p>
      <pre className="triggers-example">{`triggers:
  - cron: '0 3 * * *'        # every day at 03:00 UTC
    timezone: Europe/Paris
  - webhook: deploy           # POST /hooks/<project>/deploy
  - event: audit.result.fail  # an event on the bus`}</pre>
      <Link to="/workflows">Open the workflows</Link>
    </EmptyState>
  );
}

function TriggersTable({
  items,
  canOperate,
  selected,
  onSelect,
}: {
  items: TriggerInfo[];
  canOperate: boolean;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const pause = usePauseTrigger();
  const now = Date.now();
  return (
    <table className="table admin-table triggers-table">
      <TableHead
        caption="Triggers"
        columns={[
          'Workflow',
          'Trigger',
          'State',
          'Next fire',
          'Last fire',
          'Last run',
          'Last error',
          { label: 'Actions', hidden: true },
        ]}
      />
      <tbody>
        {items.map((t) => (
          <tr
            key={t.id}
            className={t.id === selected ? 'trigger-selected' : undefined}
            data-testid={`trigger-row-${t.id}`}
          >
            <td>
              <Link to={`/workflows/${encodeURIComponent(t.workflow)}`}>{t.workflow}</Link>
              <span className="cell-sub">v{t.version}</span>
            </td>
            <td>
              <span className={`tag kind kind-${t.kind}`}>{kindLabels[t.kind]}</span>
              <button
                type="button"
                className="link-btn mono"
                aria-label={`Details of the ${triggerName(t)}`}
                onClick={() => onSelect(t.id)}
              >
                {specSummary(t)}
              </button>
            </td>
            <td>
              <span className={`badge ${t.paused ? 'badge-wait' : 'badge-ok'}`}>
                <span className="badge-dot" aria-hidden="true" />
                {t.paused ? 'Paused' : 'Active'}
              </span>
            </td>
            <TimeCell iso={t.nextFireAt} now={now} />
            <TimeCell iso={t.lastFireAt} now={now} />
            <td>
              {t.lastRunId ? (
                <Link to={`/runs/${t.lastRunId}`} className="mono" title={t.lastRunId}>
                  <span className="visually-hidden">run </span>
                  {shortId(t.lastRunId)}
                </Link>
              ) : (
                <span className="muted">none</span>
              )}
            </td>
            <td className="trigger-error">
              {t.lastError ? (
                <>
                  <span className="trigger-error-text" title={t.lastError}>
                    {t.lastError}
                  </span>
                  <span className="cell-sub">{formatRelative(t.lastErrorAt, now)}</span>
                </>
              ) : (
                <span className="muted">none</span>
              )}
            </td>
            <td className="row-actions">
              <button
                type="button"
                className="btn btn-small"
                disabled={!canOperate || (pause.isPending && pause.variables?.id === t.id)}
                title={needsRole('operator', canOperate)}
                aria-label={`${t.paused ? 'Resume' : 'Pause'} the ${triggerName(t)}`}
                onClick={() => pause.mutate(t)}
              >
                {t.paused ? 'Resume' : 'Pause'}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const shortTime = new Intl.DateTimeFormat('en', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * A time as "in 3 min" with the exact date below, short enough for the table (the full date with
 * seconds is the tooltip).
 */
function TimeCell({ iso, now }: { iso: string | null; now: number }) {
  if (!iso) {
    return (
      <td>
        <span className="muted">—</span>
      </td>
    );
  }
  return (
    <td className="nowrap">
      <time dateTime={iso} title={formatTime(iso)}>
        {formatRelative(iso, now)}
      </time>
      <span className="cell-sub">{shortTime.format(new Date(iso))}</span>
    </td>
  );
}
