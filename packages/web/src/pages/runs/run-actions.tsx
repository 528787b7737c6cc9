import type { RunDetail } from '@commandcenter/protocol/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { Dialog } from '../../ui/dialog.js';
import { useToast } from '../../ui/toast.js';
import { canRerunFromFailed, isRunActive } from './run-status.js';

type Action = 'cancel' | 'failed' | 'scratch';

const labels: Record<Action, string> = {
  cancel: 'Cancel run',
  failed: 'Re-run from failed step',
  scratch: 'Re-run from scratch',
};

/**
 * Cancel (while the run is live), re-run from the failed step (after a failure, cancellation
 * or timeout: succeeded outputs are reused) and re-run from scratch (once it ended). Each asks
 * first; the dialog's confirm button carries the same name as the action. A re-run opens the
 * new run's page.
 */
export function RunActions({ run }: { run: RunDetail }) {
  const { project, can } = useSession();
  const client = useClient();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Action | null>(null);
  const [latest, setLatest] = useState(false);
  const allowed = can('operator');

  const workflow = useQuery({
    queryKey: keys.workflow(project, run.workflow),
    queryFn: () => client.getWorkflow(run.workflow),
    enabled: open === 'failed' || open === 'scratch',
  });
  const newer =
    workflow.data && workflow.data.latestVersion !== run.version
      ? workflow.data.latestVersion
      : null;

  const act = useMutation({
    mutationFn: async (action: Action) => {
      if (action === 'cancel') return void (await client.cancelRun(run.id));
      return client.rerun(run.id, { from: action, version: latest && newer ? 'latest' : 'pinned' });
    },
    onSuccess: (rerun) => {
      setOpen(null);
      if (!rerun) {
        toast.success('Run cancelled');
        void queryClient.invalidateQueries({ queryKey: keys.run(project, run.id) });
        return;
      }
      toast.success(`Re-run started on v${rerun.version}`);
      void navigate(`/runs/${rerun.id}`);
    },
    onError: (err, action) => toast.error(err, `${labels[action]} failed`),
  });

  const active = isRunActive(run.status);
  const shown: Action[] = active
    ? ['cancel']
    : canRerunFromFailed(run.status)
      ? ['failed', 'scratch']
      : ['scratch'];
  const why = allowed ? undefined : 'Needs the operator role';
  return (
    <>
      {shown.map((a) => (
        <button
          key={a}
          type="button"
          className={`btn ${a === 'cancel' ? 'btn-danger' : a === 'failed' ? 'btn-primary' : ''}`}
          disabled={!allowed || act.isPending}
          title={why}
          onClick={() => {
            setLatest(false);
            setOpen(a);
          }}
        >
          {labels[a]}
        </button>
      ))}
      <Dialog
        open={open !== null}
        title={open ? `${labels[open]}?` : ''}
        onClose={() => setOpen(null)}
      >
        {open === 'cancel' && (
          <p>
            Running steps are stopped (their agents are told to abort) and nothing else starts. The
            run ends as <strong>cancelled</strong>; you can re-run it afterwards.
          </p>
        )}
        {open === 'failed' && (
          <p>
            A new run of <strong>{run.workflow}</strong> starts with the same input. Steps that
            succeeded keep their outputs; the failed step and everything after it run again.
          </p>
        )}
        {open === 'scratch' && (
          <p>
            A new run of <strong>{run.workflow}</strong> starts with the same input, and every step
            runs again.
          </p>
        )}
        {open !== 'cancel' && newer !== null && (
          <fieldset className="rerun-version">
            <legend>Workflow version</legend>
            <label>
              <input
                type="radio"
                name="rerun-version"
                checked={!latest}
                onChange={() => setLatest(false)}
              />{' '}
              The run’s version (v{run.version})
            </label>
            <label>
              <input
                type="radio"
                name="rerun-version"
                checked={latest}
                onChange={() => setLatest(true)}
              />{' '}
              The latest version (v{newer})
            </label>
          </fieldset>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setOpen(null)}>
            {open === 'cancel' ? 'Keep running' : 'Not now'}
          </button>
          {open && (
            <button
              type="button"
              className={`btn ${open === 'cancel' ? 'btn-danger' : 'btn-primary'}`}
              disabled={act.isPending}
              onClick={() => act.mutate(open)}
              autoFocus
            >
              {act.isPending ? 'Working…' : labels[open]}
            </button>
          )}
        </div>
      </Dialog>
    </>
  );
}
