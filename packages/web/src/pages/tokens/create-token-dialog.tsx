import type { CreateTokenRequest, Role, TokenCreated } from '@commandcenter/protocol/client';
import { useState, type FormEvent } from 'react';
import { Dialog, FormActions } from '../../ui/dialog.js';
import { Field } from '../../ui/form-field.js';
import { formatTime } from '../../ui/format.js';
import { roleHelp, roles } from './roles.js';
import { CopyButton, ShownOnce } from '../../ui/shown-once.js';

const lifetimes = [
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '365d', label: '1 year' },
  { value: '', label: 'Never expires' },
];

/**
 * Creates an API token, then shows its value once. `hubWide` offers tokens valid in every project
 * (only hub-wide admins may create them).
 */
export function CreateTokenDialog({
  open,
  project,
  hubWide,
  busy,
  created,
  onCreate,
  onClose,
}: {
  open: boolean;
  project: string;
  hubWide: boolean;
  busy: boolean;
  created: TokenCreated | null;
  onCreate: (request: CreateTokenRequest) => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={created ? 'Token created' : 'Create a token'} onClose={onClose}>
      {created ? (
        <>
          <ShownOnce value={created.token} label="API token">
            <p className="field-hint">
              Use it as <code>CC_TOKEN</code> for the CLI, as <code>Authorization: Bearer …</code>{' '}
              for the API, or paste it on the sign-in page.
            </p>
          </ShownOnce>
          <CliExports token={created.token} project={created.project} />
          <dl className="props token-created-props">
            <dt>Name</dt>
            <dd>{created.name}</dd>
            <dt>Role</dt>
            <dd>{created.role}</dd>
            <dt>Project</dt>
            <dd>{created.project ?? 'every project'}</dd>
            <dt>Expires</dt>
            <dd>{created.expiresAt ? formatTime(created.expiresAt) : 'never'}</dd>
          </dl>
          <div className="dialog-actions">
            <button type="button" className="btn btn-primary" onClick={onClose}>
              I have copied it
            </button>
          </div>
        </>
      ) : (
        open && (
          <TokenForm
            project={project}
            hubWide={hubWide}
            busy={busy}
            onCreate={onCreate}
            onClose={onClose}
          />
        )
      )}
    </Dialog>
  );
}

function TokenForm({
  project,
  hubWide,
  busy,
  onCreate,
  onClose,
}: {
  project: string;
  hubWide: boolean;
  busy: boolean;
  onCreate: (request: CreateTokenRequest) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [scope, setScope] = useState<'project' | 'hub'>('project');
  const [expiresIn, setExpiresIn] = useState('90d');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    onCreate({
      name: name.trim(),
      role,
      ...(scope === 'project' ? { project } : {}),
      ...(expiresIn ? { expiresIn } : {}),
    });
  };
  return (
    <form onSubmit={submit}>
      <Field label="Name" hint="Who or what uses it, e.g. “ci-deploy” or “alice laptop”.">
        {(control) => (
          <input
            {...control}
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            required
            autoFocus
            autoComplete="off"
          />
        )}
      </Field>
      <Field label="Role" hint={`${role[0]!.toUpperCase()}${role.slice(1)} ${roleHelp[role]}.`}>
        {(control) => (
          <select {...control} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        )}
      </Field>
      {hubWide ? (
        <fieldset className="field token-scope">
          <legend>Scope</legend>
          <label>
            <input
              type="radio"
              name="scope"
              checked={scope === 'project'}
              onChange={() => setScope('project')}
            />{' '}
            Project <strong>{project}</strong> only
          </label>
          <label>
            <input
              type="radio"
              name="scope"
              checked={scope === 'hub'}
              onChange={() => setScope('hub')}
            />{' '}
            Every project (hub-wide)
          </label>
        </fieldset>
      ) : (
        <p className="field-hint">Valid in project {project} only.</p>
      )}
      <Field label="Expires">
        {(control) => (
          <select {...control} value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)}>
            {lifetimes.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormActions
        onCancel={onClose}
        submitLabel="Create token"
        busyLabel="Creating…"
        busy={busy}
        disabled={!name.trim()}
      />
    </form>
  );
}

/** The shell lines that point the `commandcenter` CLI at this hub with the new token. */
function CliExports({ token, project }: { token: string; project: string | null }) {
  const lines = [
    `export CC_URL=${window.location.origin}`,
    `export CC_TOKEN=${token}`,
    ...(project ? [`export CC_PROJECT=${project}`] : []),
  ].join('\n');
  return (
    <div className="field">
      <span>For the CLI (paste into your shell)</span>
      <pre aria-label="CLI environment lines">{lines}</pre>
      <div>
        <CopyButton value={lines} label="CLI environment lines" />
      </div>
    </div>
  );
}
