import type { Approval } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { formatRelative, formatTime, shortId } from '../../ui/format.js';
import { JsonView } from '../../ui/json-view.js';
import { PageHeader } from '../../ui/page.js';
import { ErrorView, Loading } from '../../ui/states.js';
import { RiskBadge, StatusBadge } from '../../ui/status.js';
import { DecisionPanel } from './decision-panel.js';
import { readSnapshot, type ApprovalSnapshot } from './snapshot.js';
import './approvals.css';

/**
 * One approval: exactly what will run (agent, action, risk, the resolved inputs and the upstream
 * outputs they came from, as the engine froze them when the step asked), the run it belongs to,
 * and the decision. Refreshed by the live feed, so a decision taken elsewhere shows at once.
 */
export function ApprovalPage() {
  const { id = '' } = useParams();
  const project = useProject();
  const client = useClient();
  const approval = useQuery({
    queryKey: keys.approval(project, id),
    queryFn: () => client.getApproval(id),
  });
  if (approval.isPending) return <Loading label="Loading the approval…" />;
  if (approval.error) {
    return (
      <>
        <PageHeader title="Approval" />
        <ErrorView error={approval.error} retry={() => void approval.refetch()} />
        <p>
          <Link to="/approvals">Back to the approvals inbox</Link>
        </p>
      </>
    );
  }
  return <ApprovalView a={approval.data} />;
}

function ApprovalView({ a }: { a: Approval }) {
  const s = readSnapshot(a.snapshot);
  const step = a.nodeId ?? a.stepKey;
  const now = Date.now();
  return (
    <div className="approval-page">
      <p className="breadcrumb">
        <Link to="/approvals">Approvals</Link> <span aria-hidden="true">/</span>{' '}
        {a.workflow ?? 'run'} · {step}
      </p>
      <PageHeader
        title={
          <>
            {a.status === 'pending' ? 'Approve' : 'Approval of'}{' '}
            <code className="title-code">{step}</code>
            {a.status === 'pending' ? '?' : ''}
          </>
        }
        description={
          <>
            Workflow <strong>{a.workflow ?? '—'}</strong>, run{' '}
            <Link to={`/runs/${a.runId}`}>{shortId(a.runId)}</Link> · requested{' '}
            <span title={formatTime(a.requestedAt)}>{formatRelative(a.requestedAt, now)}</span>
            {a.status === 'pending' && (
              <>
                {' '}
                ·{' '}
                {a.expiresAt ? (
                  <span title={formatTime(a.expiresAt)}>
                    expires {formatRelative(a.expiresAt, now)}
                  </span>
                ) : (
                  'no expiry'
                )}
              </>
            )}
          </>
        }
        actions={<StatusBadge status={a.status} />}
      />
      <div className="approval-layout">
        <div className="approval-main">
          <WhatWillRun s={s} stepKey={a.stepKey} pending={a.status === 'pending'} />
          <section className="card" aria-labelledby="approval-inputs">
            <h2 id="approval-inputs">Resolved inputs</h2>
            <p className="muted section-note">
              The values the step runs with, templates already resolved (secrets stay hidden).
            </p>
            <JsonView value={s.input ?? {}} label="Resolved inputs (JSON)" maxHeight={360} />
          </section>
          {s.items && (
            <section className="card" aria-labelledby="approval-items">
              <h2 id="approval-items">Items ({s.items.length})</h2>
              <p className="muted section-note">The step runs once per item (forEach).</p>
              <JsonView value={s.items} label="forEach items" maxHeight={240} />
            </section>
          )}
          <Upstream s={s} />
        </div>
        <aside className="approval-side" aria-label="Decision">
          <DecisionPanel a={a} />
        </aside>
      </div>
    </div>
  );
}

function WhatWillRun({
  s,
  stepKey,
  pending,
}: {
  s: ApprovalSnapshot;
  stepKey: string;
  pending: boolean;
}) {
  return (
    <section className="card" aria-labelledby="approval-what">
      <h2 id="approval-what">{pending ? 'What will run' : 'What the step asked to run'}</h2>
      <dl className="props">
        <dt>Agent</dt>
        <dd>
          {s.agent ? <Link to={`/agents/${encodeURIComponent(s.agent)}`}>{s.agent}</Link> : '—'}
          {s.agentVersion && <span className="muted"> v{s.agentVersion}</span>}
        </dd>
        <dt>Action</dt>
        <dd className="mono">{s.action ?? '—'}</dd>
        <dt>Risk</dt>
        <dd>{s.risk ? <RiskBadge risk={s.risk} /> : '—'}</dd>
        <dt>Step</dt>
        <dd className="mono">{stepKey}</dd>
      </dl>
    </section>
  );
}

function Upstream({ s }: { s: ApprovalSnapshot }) {
  return (
    <section className="card" aria-labelledby="approval-upstream">
      <h2 id="approval-upstream">Upstream outputs</h2>
      {s.upstream.length === 0 ? (
        <p className="muted section-note">This step depends on no other step.</p>
      ) : (
        <>
          <p className="muted section-note">
            What the steps before it produced, which its inputs may use.
          </p>
          {s.upstream.map((u) => (
            <details key={u.node} open={s.upstream.length <= 3} className="upstream">
              <summary>
                <code>{u.node}</code>
              </summary>
              <JsonView value={u.output} label={`Output of ${u.node}`} maxHeight={240} />
            </details>
          ))}
        </>
      )}
    </section>
  );
}
