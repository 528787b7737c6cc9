import type { WorkflowSummary } from '@commandcenter/protocol/client';

/** The filters of the workflows list, kept in the URL so a filtered list can be shared. */
export interface WorkflowFilter {
  /** Matches the name or the description, case-insensitive. */
  q: string;
  /** The last run's status, `never` for workflows that never ran, '' for any. */
  status: string;
  /** Show archived workflows too. */
  archived: boolean;
}

export function readFilter(params: URLSearchParams): WorkflowFilter {
  return {
    q: params.get('q') ?? '',
    status: params.get('status') ?? '',
    archived: params.get('archived') === '1',
  };
}

export function writeFilter(f: WorkflowFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.q) out.q = f.q;
  if (f.status) out.status = f.status;
  if (f.archived) out.archived = '1';
  return out;
}

export function matches(w: WorkflowSummary, f: WorkflowFilter): boolean {
  if (w.archived && !f.archived) return false;
  const q = f.q.trim().toLowerCase();
  if (q && !w.name.includes(q) && !(w.description ?? '').toLowerCase().includes(q)) return false;
  if (f.status) {
    const last = w.stats?.lastRun?.status ?? 'never';
    if (last !== f.status) return false;
  }
  return true;
}

/** The choices of the last-run filter. */
export const lastRunChoices: { value: string; label: string }[] = [
  { value: '', label: 'Any' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'timed_out', label: 'Timed out' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'running', label: 'Running' },
  { value: 'waiting_approval', label: 'Waiting approval' },
  { value: 'queued', label: 'Queued' },
  { value: 'never', label: 'Never run' },
];
