import type { AttemptDetail, AttemptUsage } from '@commandcenter/protocol/client';
import { durationBetween, formatDuration, formatTime } from '../../ui/format.js';
import { StatusBadge } from '../../ui/status.js';
import { TableHead } from '../../ui/table.js';

function usageText(u: AttemptUsage | null): string {
  if (!u) return '—';
  const parts: string[] = [];
  if (u.tokensIn != null || u.tokensOut != null)
    parts.push(`${u.tokensIn ?? 0} in / ${u.tokensOut ?? 0} out tokens`);
  if (u.costUsd != null) parts.push(`$${u.costUsd.toFixed(4)}`);
  if (u.model) parts.push(u.model);
  return parts.join(' · ') || '—';
}

/** Every attempt of a step: status, worker, times, LLM usage and why it failed. */
export function AttemptsTable({ attempts, now }: { attempts: AttemptDetail[]; now: number }) {
  if (attempts.length === 0)
    return <p className="muted">No attempt yet: the step has not started.</p>;
  return (
    <div className="table-scroll">
      <table className="table attempts-table">
        <TableHead
          columns={['#', 'Status', 'Started', { label: 'Duration', num: true }, 'Worker', 'Usage']}
        />
        <tbody>
          {attempts.map((a) => (
            <tr key={a.attempt}>
              <td>{a.attempt}</td>
              <td>
                <StatusBadge status={a.status} />
                {a.error && <div className="attempt-error">{a.error.message}</div>}
              </td>
              <td className="nowrap">{formatTime(a.startedAt)}</td>
              <td className="num">
                {formatDuration(a.durationMs ?? durationBetween(a.startedAt, a.finishedAt, now))}
              </td>
              <td className="mono attempt-worker" title={a.worker ?? undefined}>
                {a.worker ?? '—'}
              </td>
              <td>{usageText(a.usage)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
