import type { TriggerInfo } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef } from 'react';
import { Link } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { JsonView } from '../../ui/json-view.js';
import { ErrorView, Loading } from '../../ui/states.js';
import { needsRole } from '../../ui/role-note.js';
import { TriggerHistory } from './trigger-history.js';
import { kindLabels, specSummary, triggerName, triggerWhen } from './trigger-spec.js';
import { usePauseTrigger } from './use-pause.js';
import { WebhookSection } from './webhook-section.js';

/**
 * The drawer of one trigger: its state, pause/resume, the webhook URL and secret rotation, and
 * its history. Not modal: the table stays usable; Escape or the close button closes it.
 */
export function TriggerPanel({
  id,
  summary,
  onClose,
}: {
  id: string;
  summary: TriggerInfo | undefined;
  onClose: () => void;
}) {
  const client = useClient();
  const { project } = useSession();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const trigger = useQuery({
    queryKey: keys.trigger(project, id),
    queryFn: () => client.getTrigger(id),
    placeholderData: summary,
  });
  useEffect(() => heading.current?.focus(), []);
  // Escape closes the drawer wherever the focus is (the page has no other layer it could close).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open]'))
        onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  const t = trigger.data;
  return (
    <aside className="trigger-drawer" aria-labelledby={headingId}>
      <div className="trigger-drawer-head">
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          {t ? `${kindLabels[t.kind]} trigger` : 'Trigger'}
        </h2>
        <button
          type="button"
          className="icon-btn"
          aria-label="Close the trigger details"
          onClick={onClose}
        >
          ×
        </button>
      </div>
      {trigger.isPending ? (
        <Loading label="Loading the trigger…" />
      ) : trigger.error && !t ? (
        <ErrorView error={trigger.error} retry={() => void trigger.refetch()} />
      ) : t ? (
        <TriggerDetails t={t} />
      ) : null}
    </aside>
  );
}

function TriggerDetails({ t }: { t: TriggerInfo }) {
  const { can } = useSession();
  const pause = usePauseTrigger();
  const operator = can('operator');
  const when = triggerWhen(t);
  return (
    <div className="trigger-drawer-body">
      <dl className="props">
        <dt>Workflow</dt>
        <dd>
          <Link to={`/workflows/${encodeURIComponent(t.workflow)}`}>{t.workflow}</Link>{' '}
          <span className="muted">v{t.version}</span>
        </dd>
        <dt>Fires on</dt>
        <dd className="mono">{specSummary(t)}</dd>
        {when && (
          <>
            <dt>Only when</dt>
            <dd className="mono">{when}</dd>
          </>
        )}
        <dt>State</dt>
        <dd>
          <span className={`badge ${t.paused ? 'badge-wait' : 'badge-ok'}`}>
            <span className="badge-dot" aria-hidden="true" />
            {t.paused ? 'Paused' : 'Active'}
          </span>
          {!t.active && <span className="muted"> — no longer declared by the latest version</span>}
        </dd>
        {t.kind === 'cron' && (
          <>
            <dt>Next fire</dt>
            <dd>
              {t.nextFireAt ? `${formatRelative(t.nextFireAt)} (${formatTime(t.nextFireAt)})` : '—'}
            </dd>
          </>
        )}
        <dt>Last fire</dt>
        <dd>
          {t.lastFireAt ? `${formatRelative(t.lastFireAt)} (${formatTime(t.lastFireAt)})` : 'never'}
        </dd>
        <dt>Last run</dt>
        <dd>
          {t.lastRunId ? (
            <Link to={`/runs/${t.lastRunId}`} className="mono">
              {t.lastRunId}
            </Link>
          ) : (
            'none yet'
          )}
        </dd>
        {t.lastError && (
          <>
            <dt>Last error</dt>
            <dd className="trigger-last-error">
              {t.lastError} <span className="muted">({formatRelative(t.lastErrorAt)})</span>
            </dd>
          </>
        )}
      </dl>
      <div className="row trigger-actions">
        <button
          type="button"
          className="btn"
          disabled={!operator || pause.isPending}
          title={needsRole('operator', operator)}
          aria-label={`${t.paused ? 'Resume' : 'Pause'} the ${triggerName(t)}`}
          onClick={() => pause.mutate(t)}
        >
          {t.paused ? 'Resume' : 'Pause'}
        </button>
        <span className="muted">
          {t.paused
            ? 'Paused: what it would fire is skipped (and recorded below).'
            : 'Pausing skips its firings until it is resumed; missed ones are not caught up.'}
        </span>
      </div>
      {t.kind === 'webhook' && <WebhookSection t={t} />}
      <details className="trigger-spec">
        <summary>Declaration in the workflow</summary>
        <JsonView value={t.spec} label="Trigger declaration" maxHeight={200} />
      </details>
      <TriggerHistory id={t.id} />
    </div>
  );
}
