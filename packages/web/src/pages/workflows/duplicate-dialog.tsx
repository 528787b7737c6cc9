import type { WorkflowDocument } from '@commandcenter/protocol/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { Dialog, FormActions } from '../../ui/dialog.js';
import { useToast } from '../../ui/toast.js';
import { FormError } from './form-error.js';

/**
 * Copies a workflow under a new name: its latest document, renamed, applied as version 1 of the
 * new workflow. Triggers are left out unless asked for: a copied cron or webhook would start both
 * workflows.
 */
export function DuplicateDialog({
  workflow,
  taken,
  onClose,
}: {
  workflow: string | null;
  /** Every workflow name of the project, archived ones included (applying one would update it). */
  taken: ReadonlySet<string>;
  onClose: () => void;
}) {
  const client = useClient();
  const project = useProject();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [keepTriggers, setKeepTriggers] = useState(false);
  useEffect(() => {
    if (workflow) setName(freeName(`${workflow}-copy`, taken));
    setKeepTriggers(false);
    // `taken` changes with every list refresh; only a new source resets the form.
  }, [workflow]);
  const duplicate = useMutation({
    mutationFn: async (newName: string) => {
      const { source } = await client.getWorkflow(workflow!);
      const doc: WorkflowDocument = { ...source, name: newName };
      if (!keepTriggers) delete doc.triggers;
      return client.applyWorkflow(doc);
    },
    onSuccess: (applied) => {
      toast.success(`Duplicated ${workflow} as ${applied.name}`);
      void queryClient.invalidateQueries({ queryKey: keys.workflows(project) });
      onClose();
      void navigate(`/workflows/${encodeURIComponent(applied.name)}`);
    },
  });
  const clash = taken.has(name.trim()) ? `A workflow named ${name.trim()} exists already.` : null;
  const close = () => {
    duplicate.reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!clash && name.trim()) duplicate.mutate(name.trim());
  };

  return (
    <Dialog open={workflow !== null} title={`Duplicate ${workflow ?? ''}`} onClose={close}>
      <form onSubmit={submit}>
        <label className={`field${clash ? ' has-error' : ''}`}>
          <span>New name</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            autoFocus
            spellCheck={false}
            aria-invalid={clash ? true : undefined}
          />
        </label>
        {clash && (
          <p className="field-error" role="alert">
            {clash}
          </p>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={keepTriggers}
            onChange={(e) => setKeepTriggers(e.target.checked)}
          />
          Keep the triggers (cron, webhooks and events would then start both workflows)
        </label>
        <FormError error={duplicate.error} />
        <FormActions
          onCancel={close}
          submitLabel="Duplicate"
          busyLabel="Duplicating…"
          busy={duplicate.isPending}
          disabled={!!clash || !name.trim()}
        />
      </form>
    </Dialog>
  );
}

/** `base`, or `base-2`, `base-3`… the first that is not taken. */
function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; n < 1000; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  return base;
}
