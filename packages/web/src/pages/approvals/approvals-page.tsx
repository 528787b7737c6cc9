import type { Approval, ApprovalStatus } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { FilterBar, FilterSelect } from '../../ui/filters.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { RiskBadge, StatusBadge } from '../../ui/status.js';
import { TableHead } from '../../ui/table.js';
import { Tabs } from '../../ui/tabs.js';
import { useUrlParams } from '../../ui/url-params.js';
import { actionName, readSnapshot } from './snapshot.js';
import './approvals.css';

type Tab = 'pending' | 'decided';
const decisions: { value: '' | Exclude<ApprovalStatus, 'pending'>; label: string }[] = [
  { value: '', label: 'All decisions' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'expired', label: 'Expired' },
  { value: 'cancelled', label: 'Cancelled' },
];

/**
 * The approvals inbox: steps waiting for a decision (the same query as the header's badge, so
 * both move together with the live feed), and the decided ones with who, when and why.
 */
export function ApprovalsPage() {
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'decided' ? 'decided' : 'pending';
  const project = useProject();
  const client = useClient();
  const pending = useQuery({
    queryKey: keys.approvals(project, 'pending'),
    queryFn: () => client.listApprovals({ status: 'pending', limit: 500 }),
  });
  const count = pending.data?.items.length;
  return (
    <div className="approvals-page">
      <PageHeader
        title="Approvals"
        description="Risky steps wait here for a person to look at what will run, then approve or reject it."
      />
      <Tabs<Tab>
        label="Approvals"
        value={tab}
        onChange={(t) => setParams(t === 'pending' ? {} : { tab: t }, { replace: true })}
        tabs={[
          { id: 'pending', label: count === undefined ? 'Pending' : `Pending (${count})` },
          { id: 'decided', label: 'Decided' },
        ]}
      >
        {tab === 'pending' ? (
          <QueryView query={pending} loading="Loading approvals…">
            {(data) => <PendingTable items={data.items} />}
          </QueryView>
        ) : (
          <Decided />
        )}
      </Tabs>
    </div>
  );
}

function PendingTable({ items }: { items: Approval[] }) {
  const now = Date.now();
  if (items.length === 0) {
    return (
      <EmptyState title="Nothing is waiting for a decision">
        <p>
          A step stops here before it runs when its action’s risk is high or critical, or when its
          node says <code>approval: required</code> (try the <code>release-gate</code> example).
          This page and the badge in the header update by themselves.
        </p>
      </EmptyState>
    );
  }
  return (
    <table className="table approvals-table">
      <TableHead
        columns={[
          'Workflow',
          'Step',
          'Action',
          'Risk',
          'Requested',
          'Expires',
          { label: 'Review', hidden: true },
        ]}
      />
      <tbody>
        {items.map((a) => {
          const s = readSnapshot(a.snapshot);
          const step = a.nodeId ?? a.stepKey;
          return (
            <tr key={a.id}>
              <td>{a.workflow ?? '—'}</td>
              <td className="mono">{step}</td>
              <td className="mono">{actionName(s)}</td>
              <td>{s.risk ? <RiskBadge risk={s.risk} /> : '—'}</td>
              <td title={formatTime(a.requestedAt)}>{formatRelative(a.requestedAt, now)}</td>
              <td title={a.expiresAt ? formatTime(a.expiresAt) : 'Waits until someone decides'}>
                {a.expiresAt ? formatRelative(a.expiresAt, now) : 'never'}
              </td>
              <td className="num">
                <Link
                  className="btn btn-small btn-primary"
                  to={`/approvals/${a.id}`}
                  aria-label={`Review ${step} of ${a.workflow ?? 'the run'}`}
                >
                  Review
                </Link>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Decided() {
  const project = useProject();
  const client = useClient();
  const { params, set } = useUrlParams();
  const decision = decisions.find((d) => d.value === params.get('decision'))?.value ?? '';
  const decided = useQuery({
    queryKey: keys.approvals(project, decision || 'decided'),
    queryFn: async () => {
      const page = await client.listApprovals({ status: decision || 'all', limit: 200 });
      return page.items.filter((a) => a.status !== 'pending');
    },
  });
  const now = Date.now();
  return (
    <>
      <FilterBar label="Filter decided approvals" summary="The latest 200, newest first.">
        <FilterSelect
          label="Decision"
          value={decision}
          onChange={(v) => set('decision', v)}
          choices={decisions}
        />
      </FilterBar>
      <QueryView query={decided} loading="Loading decided approvals…">
        {(data) =>
          data.length === 0 ? (
            <EmptyState title={decision ? `No ${decision} approval yet` : 'No decision yet'}>
              <p>
                Approved, rejected, expired and cancelled approvals are kept here with who decided
                and why.
              </p>
            </EmptyState>
          ) : (
            <table className="table approvals-table">
              <TableHead
                columns={['Decision', 'Workflow', 'Step', 'Action', 'By', 'When', 'Comment']}
              />
              <tbody>
                {data.map((a) => {
                  const step = a.nodeId ?? a.stepKey;
                  return (
                    <tr key={a.id}>
                      <td>
                        <Link
                          to={`/approvals/${a.id}`}
                          className="plain-link"
                          aria-label={`${a.status} approval of ${step}: details`}
                        >
                          <StatusBadge status={a.status} />
                        </Link>
                      </td>
                      <td>{a.workflow ?? '—'}</td>
                      <td className="mono">{step}</td>
                      <td className="mono">{actionName(readSnapshot(a.snapshot))}</td>
                      <td>
                        {a.decidedBy ?? (
                          <span className="muted">
                            {a.status === 'expired' ? 'timeout' : 'the hub'}
                          </span>
                        )}
                      </td>
                      <td title={formatTime(a.decidedAt)}>{formatRelative(a.decidedAt, now)}</td>
                      <td className="approval-comment">
                        {a.comment ?? <span className="muted">—</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </QueryView>
    </>
  );
}
