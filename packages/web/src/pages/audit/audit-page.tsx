import type { AuditEntry } from '@commandcenter/protocol/client';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { rootClient, useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { FilterSelect } from '../../ui/filters.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { JsonView } from '../../ui/json-view.js';
import { LoadMore } from '../../ui/load-more.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { RoleNote } from '../../ui/role-note.js';
import { TableHead } from '../../ui/table.js';
import { useUrlParams } from '../../ui/url-params.js';
import { knownActions, targetHref } from './audit-targets.js';
import './audit.css';

const pageSize = 50;

/**
 * The audit log (admins): every change and decision, newest first, paged, filtered by action.
 * The live feed does not carry audit entries, so the page reads them fresh and offers Refresh.
 */
export function AuditPage() {
  const { can } = useSession();
  return (
    <div className="audit-page">
      <PageHeader
        title="Audit log"
        description="Who changed or decided what, when, and from where. Failed requests change nothing and are not listed."
      />
      {can('admin') ? <AuditView /> : <RoleNote role="admin" what="read the audit log" />}
    </div>
  );
}

function AuditView() {
  const client = useClient();
  const { who, project } = useSession();
  const { params, set: setParam } = useUrlParams();
  const action = params.get('action') ?? '';
  const everywhere = who.project === null && params.get('scope') === 'hub';
  const [draft, setDraft] = useState(action);
  const [open, setOpen] = useState<string | null>(null);
  const log = useInfiniteQuery({
    queryKey: [...keys.audit(project), { action, everywhere }],
    queryFn: ({ pageParam }) =>
      (everywhere ? rootClient : client).listAudit({
        action: action || undefined,
        cursor: pageParam,
        limit: pageSize,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
  });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setParam('action', draft.trim());
  };
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];
  const suggestions = [...new Set([...knownActions, ...entries.map((e) => e.action)])].sort();

  return (
    <>
      <form className="toolbar" onSubmit={apply} role="search" aria-label="Filter the audit log">
        <label className="toolbar-field">
          <span>Action</span>
          <input
            list="audit-actions"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="every action"
            className="mono audit-action-input"
          />
        </label>
        <datalist id="audit-actions">
          {suggestions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <button type="submit" className="btn">
          Filter
        </button>
        {action && (
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              setDraft('');
              setParam('action', '');
            }}
          >
            Clear filter
          </button>
        )}
        {who.project === null && (
          <FilterSelect
            label="Scope"
            value={everywhere ? 'hub' : 'project'}
            onChange={(v) => setParam('scope', v === 'hub' ? 'hub' : '')}
            choices={[
              { value: 'project', label: `Project ${project}` },
              { value: 'hub', label: 'Every project' },
            ]}
          />
        )}
        <div className="topbar-spacer" />
        <button
          type="button"
          className="btn"
          disabled={log.isFetching}
          onClick={() => void log.refetch()}
        >
          {log.isFetching && !log.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
        </button>
      </form>
      <QueryView query={log} loading="Loading the audit log…">
        {() =>
          entries.length === 0 ? (
            <EmptyState title={action ? `No ${action} entries` : 'Nothing audited yet'}>
              {action
                ? 'Nobody did that here yet. Clear the filter to see every entry.'
                : 'Every successful change — applying a workflow, starting a run, deciding an approval, setting a secret, creating a token — is recorded here.'}
            </EmptyState>
          ) : (
            <>
              <table className="table admin-table audit-table">
                <TableHead
                  caption="Audit entries, newest first"
                  columns={[
                    'At',
                    'Actor',
                    'Role',
                    'Action',
                    'Target',
                    'Project',
                    'IP',
                    { label: 'Details', hidden: true },
                  ]}
                />
                <tbody>
                  {entries.map((e) => (
                    <AuditRow
                      key={e.id}
                      entry={e}
                      open={open === e.id}
                      toggle={() => setOpen(open === e.id ? null : e.id)}
                    />
                  ))}
                </tbody>
              </table>
              <LoadMore
                list={log}
                label="Load older entries"
                summary={
                  log.hasNextPage
                    ? `The latest ${entries.length} entries are shown.`
                    : entries.length === 1
                      ? 'The only entry is shown.'
                      : `All ${entries.length} entries are shown.`
                }
              />
            </>
          )
        }
      </QueryView>
    </>
  );
}

function AuditRow({
  entry: e,
  open,
  toggle,
}: {
  entry: AuditEntry;
  open: boolean;
  toggle: () => void;
}) {
  const href = targetHref(e.action, e.target);
  const detailId = `audit-detail-${e.id}`;
  return (
    <Fragment>
      <tr className={open ? 'audit-open' : undefined}>
        <td className="nowrap" title={formatTime(e.at)}>
          {formatRelative(e.at)}
          <span className="cell-sub">{formatTime(e.at)}</span>
        </td>
        <td>{e.actor ?? <span className="muted">system</span>}</td>
        <td>{e.role ?? '—'}</td>
        <td>
          <code>{e.action}</code>
        </td>
        <td className="audit-target">
          {e.target ? (
            href ? (
              <Link to={href}>{e.target}</Link>
            ) : (
              <span className="mono">{e.target}</span>
            )
          ) : (
            '—'
          )}
        </td>
        <td>{e.project ?? <em>hub</em>}</td>
        <td className="mono">{e.ip ?? '—'}</td>
        <td className="row-actions">
          <button
            type="button"
            className="btn btn-small"
            aria-expanded={open}
            aria-controls={open ? detailId : undefined}
            aria-label={`${open ? 'Hide' : 'Show'} details of ${e.action}`}
            onClick={toggle}
          >
            {open ? 'Hide' : 'Details'}
          </button>
        </td>
      </tr>
      {open && (
        <tr className="audit-detail-row">
          <td colSpan={8} id={detailId}>
            <dl className="props">
              <dt>Entry</dt>
              <dd className="mono">{e.id}</dd>
              <dt>Token</dt>
              <dd className="mono">{e.tokenId ?? '—'}</dd>
              <dt>User agent</dt>
              <dd>{e.userAgent ?? '—'}</dd>
              <dt>Detail</dt>
              <dd>
                <JsonView value={e.detail} label={`Detail of ${e.action}`} maxHeight={240} />
              </dd>
            </dl>
          </td>
        </tr>
      )}
    </Fragment>
  );
}
