import { isCCError } from '@commandcenter/protocol/client';
import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../../api/client.js';
import { initialInput, parseJsonInput } from '../../api/json-input.js';
import { Dialog, FormActions } from '../../ui/dialog.js';
import { useToast } from '../../ui/toast.js';
import type { Doc } from './model.js';

/**
 * "Run": the run input as JSON (prefilled from the saved version's inputs schema), then
 * `POST /runs` and the run page. With unsaved changes it offers to save them first.
 */
export function RunDialog({
  open,
  onClose,
  name,
  version,
  inputs,
  dirty,
  save,
}: {
  open: boolean;
  onClose: () => void;
  name: string;
  version: number;
  inputs: Doc['inputs'];
  dirty: boolean;
  /** Saves the editor's document; resolves to the saved version, or undefined when it failed. */
  save: () => Promise<number | undefined>;
}) {
  const client = useClient();
  const toast = useToast();
  const navigate = useNavigate();
  const inputId = useId();
  const errId = useId();
  const [text, setText] = useState(() => JSON.stringify(initialInput(inputs), null, 2));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const start = async (saveFirst: boolean) => {
    const input = parseJsonInput(text);
    if (!input.ok) {
      setError(input.error);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const v = saveFirst ? await save() : version;
      if (v === undefined) return;
      const run = await client.startRun({ workflow: name, input: input.value, version: v });
      toast.success(`Run started (version ${v})`);
      onClose();
      void navigate(`/runs/${run.id}`);
    } catch (e) {
      setError(
        isCCError(e)
          ? [e.detail, ...e.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`)].join(
              '\n',
            )
          : (e as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title={`Run ${name}`} onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void start(false);
        }}
      >
        {dirty && (
          <p className="bf-warning-box">
            The editor has unsaved changes. “Run version {version}” runs the saved version; “Save
            and run” saves them as a new version first.
          </p>
        )}
        <div className={`field${error ? ' has-error' : ''}`}>
          <label htmlFor={inputId}>Run input (JSON)</label>
          <textarea
            id={inputId}
            rows={8}
            value={text}
            spellCheck={false}
            aria-describedby={error ? errId : undefined}
            aria-invalid={!!error || undefined}
            onChange={(e) => setText(e.target.value)}
          />
          <div className="field-hint">
            Checked against the workflow’s inputs schema; templates read it as input.*.
          </div>
          {error && (
            <p className="field-error bf-pre-line" id={errId} role="alert">
              {error}
            </p>
          )}
        </div>
        <FormActions
          onCancel={onClose}
          submitLabel={dirty ? `Run version ${version}` : 'Start run'}
          busyLabel="Starting…"
          busy={busy}
        >
          {dirty && (
            <button type="button" className="btn" disabled={busy} onClick={() => void start(true)}>
              Save and run
            </button>
          )}
        </FormActions>
      </form>
    </Dialog>
  );
}
