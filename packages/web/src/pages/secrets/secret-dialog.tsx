import { useState, type FormEvent } from 'react';
import { Dialog, FormActions } from '../../ui/dialog.js';
import { Field } from '../../ui/form-field.js';

/** Secret names the hub accepts (`PUT /secrets/{name}`): an identifier usable in templates. */
const namePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Sets a new secret (name + value) or rotates an existing one (value only). The value is typed
 * into a password field and never shown; the form is cleared when the dialog closes.
 */
export function SecretDialog({
  mode,
  name: fixedName,
  existing,
  busy,
  onSubmit,
  onClose,
}: {
  mode: 'new' | 'rotate' | null;
  name?: string;
  existing: string[];
  busy: boolean;
  onSubmit: (name: string, value: string) => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={mode !== null}
      title={mode === 'rotate' ? `Rotate ${fixedName ?? ''}` : 'New secret'}
      onClose={onClose}
    >
      {mode && (
        <SecretForm
          mode={mode}
          fixedName={fixedName}
          existing={existing}
          busy={busy}
          onSubmit={onSubmit}
          onClose={onClose}
        />
      )}
    </Dialog>
  );
}

function SecretForm({
  mode,
  fixedName,
  existing,
  busy,
  onSubmit,
  onClose,
}: {
  mode: 'new' | 'rotate';
  fixedName?: string;
  existing: string[];
  busy: boolean;
  onSubmit: (name: string, value: string) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(fixedName ?? '');
  const [value, setValue] = useState('');
  const nameError =
    mode === 'rotate' || name === ''
      ? null
      : !namePattern.test(name)
        ? 'Letters, digits and underscores, starting with a letter or underscore (e.g. SLACK_TOKEN).'
        : existing.includes(name)
          ? `${name} exists already: use Rotate on its row to replace its value.`
          : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (nameError || !name || !value) return;
    onSubmit(name, value);
  };
  return (
    <form onSubmit={submit}>
      {mode === 'new' ? (
        <Field
          label="Name"
          error={nameError}
          hint={
            <>
              Workflows reference it as <code>{`{{ secrets.${name || 'NAME'} }}`}</code>.
            </>
          }
        >
          {(control) => (
            <input
              {...control}
              className="mono"
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              required
              autoFocus
            />
          )}
        </Field>
      ) : (
        <p className="muted">
          The new value replaces the current one at once; steps that start after this use it.
        </p>
      )}
      <Field
        label={mode === 'rotate' ? 'New value' : 'Value'}
        hint="Stored encrypted; it is never shown again, here or anywhere else."
      >
        {(control) => (
          <input
            {...control}
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="new-password"
            required
            autoFocus={mode === 'rotate'}
          />
        )}
      </Field>
      <FormActions
        onCancel={onClose}
        submitLabel={mode === 'rotate' ? 'Rotate secret' : 'Save secret'}
        busyLabel="Saving…"
        busy={busy}
        disabled={!name || !value || nameError !== null}
      />
    </form>
  );
}
