import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../../api/client.js';
import { useProject } from '../../app/session.js';
import { StatusBadge } from '../../ui/status.js';

/**
 * The approval of a gated step, with a link to its page. Steps carry only the approval's state,
 * so the approvals of the project are looked up (once, then kept current by the live feed:
 * the key sits under `[project, 'approvals']`, which approval events invalidate).
 */
export function ApprovalLink({ runId, stepKey }: { runId: string; stepKey: string }) {
  const client = useClient();
  const project = useProject();
  const approvals = useQuery({
    queryKey: [project, 'approvals', 'of-run', runId],
    queryFn: async () =>
      (await client.listApprovals({ status: 'all', limit: 500 })).items.filter(
        (a) => a.runId === runId,
      ),
  });
  const approval = approvals.data?.filter((a) => a.stepKey === stepKey).at(0);
  if (!approval)
    return <span className="muted">{approvals.isPending ? 'Looking it up…' : 'Not found'}</span>;
  return (
    <span className="row">
      <StatusBadge status={approval.status} />
      {approval.decidedBy && (
        <span className="muted">
          by {approval.decidedBy}
          {approval.comment ? ` — “${approval.comment}”` : ''}
        </span>
      )}
      <Link to={`/approvals/${approval.id}`}>
        {approval.status === 'pending' ? 'Review the approval' : 'Open the approval'}
      </Link>
    </span>
  );
}
