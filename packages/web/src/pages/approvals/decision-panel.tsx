import type { Approval } from '@commandcenter/protocol/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useLiveEvents } from '../../api/live.js';
import { useSession } from '../../app/session.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { StatusBadge } from '../../ui/status.js';
import { useToast } from '../../ui/toast.js';
import { RoleNote } from '../../ui/role-note.js';

type Decision = 'approve' | 'reject';

/**
 * Approve or reject with a comment (approver role and above; the hub keeps the first decision),
 * or, once decided, who decided, when and why. A decision taken elsewhere arrives through the
 * live feed: the panel switches to it and says so.
 */
export function DecisionPanel({ a }: { a: Approval }) {
  const { project, can } = useSession();
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [comment, setComment] = useState('');
  const mine = useRef(false);
  const run = useQuery({
    queryKey: keys.run(project, a.runId),
    queryFn: () => client.getRun(a.runId),
  });

  const decide = useMutation({
    mutationFn: (d: Decision) => {
      mine.current = true;
      const body = comment.trim() ? { comment: comment.trim() } : {};
      return d === 'approve' ? client.approve(a.id, body) : client.reject(a.id, body);
    },
    onSuccess: (r) =>
      toast.success(
        r.status === 'approved'
          ? 'Approved: the step runs now'
          : 'Rejected: the step will not run and fails',
      ),
    onError: (err) => {
      mine.current = false;
      toast.error(err, 'The decision was not recorded');
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: [project, 'approvals'] });
      void queryClient.invalidateQueries({ queryKey: keys.run(project, a.runId) });
    },
  });

  useLiveEvents((e) => {
    if (e.type !== 'approval.decided' || e.data.approvalId !== a.id || mine.current) return;
    const by = e.data.decidedBy ? ` by ${e.data.decidedBy}` : '';
    toast.info(`This approval was ${e.data.decision}${by} meanwhile`);
  });

  const runCard = (
    <section className="card" aria-labelledby="approval-run">
      <h2 id="approval-run">Run</h2>
      <p className="row">
        <Link to={`/runs/${a.runId}`}>Open the run</Link>
        {run.data && <StatusBadge status={run.data.status} />}
      </p>
      {run.data && (
        <p className="muted section-note">
          {run.data.workflow} v{run.data.version}, started{' '}
          <span title={formatTime(run.data.createdAt)}>{formatRelative(run.data.createdAt)}</span>
        </p>
      )}
    </section>
  );

  if (a.status !== 'pending') {
    return (
      <>
        <section className="card decision-done" aria-labelledby="approval-decision">
          <h2 id="approval-decision">Decision</h2>
          <dl className="props">
            <dt>Outcome</dt>
            <dd>
              <StatusBadge status={a.status} />
            </dd>
            <dt>By</dt>
            <dd>
              {a.decidedBy ??
                (a.status === 'expired' ? 'nobody before the timeout' : 'the hub (run ended)')}
            </dd>
            <dt>When</dt>
            <dd>{formatTime(a.decidedAt)}</dd>
            <dt>Comment</dt>
            <dd>{a.comment ?? <span className="muted">none</span>}</dd>
          </dl>
        </section>
        {runCard}
      </>
    );
  }

  const allowed = can('approver');
  return (
    <>
      <section className="card decision" aria-labelledby="approval-decide">
        <h2 id="approval-decide">Your decision</h2>
        <RoleNote role="approver" what="approve or reject" />
        <label className="field">
          <span>Comment</span>
          <textarea
            rows={4}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            disabled={!allowed || decide.isPending}
            placeholder="Why (kept in the audit log)"
          />
        </label>
        <div className="decision-actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!allowed || decide.isPending}
            onClick={() => decide.mutate('approve')}
          >
            Approve
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={!allowed || decide.isPending}
            onClick={() => decide.mutate('reject')}
          >
            Reject
          </button>
        </div>
        <p className="muted section-note">
          Approving runs the step with the inputs shown here; rejecting fails it. The first decision
          wins.
        </p>
      </section>
      {runCard}
    </>
  );
}
