import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatPercent } from '../../ui/format.js';
import { TableHead } from '../../ui/table.js';
import type { OverviewStats } from '@commandcenter/protocol/client';

/** A rate as a number and a small bar (the bar is decoration; the number is the content). */
function Rate({ value }: { value: number }) {
  return (
    <span className="rate">
      <span className="rate-bar" aria-hidden="true">
        <span style={{ width: `${Math.round(value * 100)}%` }} />
      </span>
      {formatPercent(value)}
    </span>
  );
}

function TopTable({
  title,
  empty,
  head,
  rows,
}: {
  title: string;
  empty: string;
  head: [string, string, string, string];
  rows: { key: string; name: ReactNode; failed: number; total: number; rate: number }[];
}) {
  return (
    <section className="card top-failing" aria-label={title}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted top-empty">{empty}</p>
      ) : (
        <table className="table">
          <TableHead
            columns={[
              head[0],
              { label: head[1], num: true },
              { label: head[2], num: true },
              head[3],
            ]}
          />
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>{r.name}</td>
                <td className="num">{r.failed}</td>
                <td className="num">{r.total}</td>
                <td>
                  <Rate value={r.rate} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The workflows and agent actions that failed most in the window, linking to where to dig in. */
export function TopFailing({ stats, windowLong }: { stats: OverviewStats; windowLong: string }) {
  return (
    <div className="grid grid-2">
      <TopTable
        title="Top failing workflows"
        empty={`No workflow failed in ${windowLong}.`}
        head={['Workflow', 'Failed', 'Runs', 'Failure rate']}
        rows={stats.topFailingWorkflows.map((w) => ({
          key: w.workflow,
          name: (
            <Link
              to={`/runs?${new URLSearchParams({ workflow: w.workflow, status: 'failed' })}`}
              title={`Failed runs of ${w.workflow}`}
            >
              {w.workflow}
            </Link>
          ),
          failed: w.failed,
          total: w.runs,
          rate: w.failureRate,
        }))}
      />
      <TopTable
        title="Top failing agent actions"
        empty={`No agent action failed in ${windowLong}.`}
        head={['Agent action', 'Failed', 'Attempts', 'Error rate']}
        rows={stats.topFailingAgents.map((a) => ({
          key: `${a.agent}.${a.action}`,
          name: (
            <Link to={`/agents/${encodeURIComponent(a.agent)}`} title={`Agent ${a.agent}`}>
              <span className="mono">
                {a.agent}.{a.action}
              </span>
            </Link>
          ),
          failed: a.failed,
          total: a.attempts,
          rate: a.errorRate,
        }))}
      />
    </div>
  );
}
