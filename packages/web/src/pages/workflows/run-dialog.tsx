import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../../api/client.js';
import { initialInput, parseJsonInput } from '../../api/json-input.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { Dialog, FormActions } from '../../ui/dialog.js';
import { Loading } from '../../ui/states.js';
import { useToast } from '../../ui/toast.js';
import { FormError } from './form-error.js';

/**
 * Starts a run of `workflow` with a JSON input (prefilled from the inputs schema's defaults) and
 * opens its run page. The hub validates the input; its problems are shown in the dialog.
 */
export function RunDialog({ workflow, onClose }: { workflow: string | null; onClose: () => void }) {
  const client = useClient();
  const project = useProject();
  const toast = useToast();
  const navigate = useNavigate();
  const hintId = useId();
  const detail = useQuery({
    queryKey: keys.workflow(project, workflow ?? ''),
    queryFn: () => client.getWorkflow(workflow!),
    enabled: workflow !== null,
  });
  // The prefill is derived during render (not set by an effect), so the field never shows an
  // empty value first; `edited` holds what the user typed since the dialog opened.
  const prefill = useMemo(
    () => (detail.data ? JSON.stringify(initialInput(detail.data.definition.inputs), null, 2) : ''),
    [detail.data],
  );
  const [edited, setText] = useState<string | null>(null);
  const text = edited ?? prefill;
  const [parseError, setParseError] = useState<string | null>(null);
  useEffect(() => setText(null), [workflow]);
  const start = useMutation({
    mutationFn: (input: unknown) => client.startRun({ workflow: workflow!, input }),
    onSuccess: (run) => {
      toast.success(`Run of ${run.workflow} v${run.version} started`);
      onClose();
      void navigate(`/runs/${run.id}`);
    },
  });
  const close = () => {
    start.reset();
    setParseError(null);
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = parseJsonInput(text);
    setParseError(input.ok ? null : input.error);
    if (input.ok) start.mutate(input.value);
  };

  return (
    <Dialog open={workflow !== null} title={`Run ${workflow ?? ''}`} onClose={close}>
      {detail.isPending ? (
        <Loading label="Loading the workflow…" />
      ) : (
        <form onSubmit={submit}>
          {detail.data?.definition.description && (
            <p className="muted">{detail.data.definition.description}</p>
          )}
          <label className={`field${parseError || start.error ? ' has-error' : ''}`}>
            <span>Input (JSON)</span>
            <textarea
              rows={10}
              value={text}
              spellCheck={false}
              onChange={(e) => setText(e.target.value)}
              aria-describedby={hintId}
              autoFocus
            />
          </label>
          <p id={hintId} className="field-hint dialog-hint">
            {detail.data?.definition.inputs
              ? 'Checked against the workflow’s inputs schema when the run starts.'
              : 'This workflow declares no inputs schema; its templates read the input as input.*.'}
          </p>
          {parseError && (
            <p className="field-error" role="alert">
              {parseError}
            </p>
          )}
          <FormError error={start.error ?? detail.error} />
          <FormActions
            onCancel={close}
            submitLabel="Start run"
            busyLabel="Starting…"
            busy={start.isPending}
          />
        </form>
      )}
    </Dialog>
  );
}
