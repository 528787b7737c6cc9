import type { SecretInfo } from '@commandcenter/protocol/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { TableHead } from '../../ui/table.js';
import { useToast } from '../../ui/toast.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { RoleNote, needsRole } from '../../ui/role-note.js';
import { SecretDialog } from './secret-dialog.js';

type Editing = { mode: 'new' } | { mode: 'rotate'; name: string } | null;

/**
 * Project secrets: names and versions only (values never leave the hub). Admins set, rotate and
 * delete them; everyone else sees the list and why the buttons are disabled.
 */
export function SecretsPage() {
  const client = useClient();
  const { project, can } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const admin = can('admin');
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  // Secrets change only through this page or the CLI, which the live feed does not report.
  const secrets = useQuery({
    queryKey: keys.secrets(project),
    queryFn: () => client.listSecrets(),
    staleTime: 0,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.secrets(project) });

  const save = useMutation({
    mutationFn: ({ name, value, rotate }: { name: string; value: string; rotate: boolean }) =>
      rotate ? client.rotateSecret(name, value) : client.setSecret(name, value),
    onSuccess: (r, v) => {
      toast.success(
        v.rotate ? `${r.name} rotated (version ${r.version})` : `Secret ${r.name} saved`,
      );
      setEditing(null);
      void refresh();
    },
    onError: (err) => toast.error(err, 'The secret was not saved'),
  });
  const remove = useMutation({
    mutationFn: (name: string) => client.deleteSecret(name),
    onSuccess: (r) => {
      toast.success(`Secret ${r.name} deleted`);
      setDeleting(null);
      void refresh();
    },
    onError: (err) => toast.error(err, 'The secret was not deleted'),
  });

  const items = secrets.data?.items ?? [];
  return (
    <div className="secrets-page">
      <PageHeader
        title="Secrets"
        description={
          <>
            Values are encrypted at rest and never displayed. Reference one in a workflow as{' '}
            <code>{'{{ secrets.NAME }}'}</code>; it is redacted from inputs, outputs and logs.
          </>
        }
        actions={
          <button
            type="button"
            className="btn btn-primary"
            disabled={!admin}
            title={needsRole('admin', admin)}
            onClick={() => setEditing({ mode: 'new' })}
          >
            New secret
          </button>
        }
      />
      <RoleNote role="admin" what="set, rotate or delete secrets" />
      <QueryView query={secrets} loading="Loading secrets…">
        {() =>
          items.length === 0 ? (
            <EmptyState
              title={`No secrets in ${project} yet`}
              action={
                admin ? (
                  <button
                    type="button"
                    className="btn btn-primary"
                    onClick={() => setEditing({ mode: 'new' })}
                  >
                    Add the first secret
                  </button>
                ) : undefined
              }
            >
              Store API keys and passwords here instead of writing them into workflows, with the
              button above or <code>commandcenter secrets set SLACK_TOKEN</code>. Workflows then use{' '}
              <code>{'{{ secrets.SLACK_TOKEN }}'}</code>.
            </EmptyState>
          ) : (
            <SecretsTable
              items={items}
              admin={admin}
              onRotate={(name) => setEditing({ mode: 'rotate', name })}
              onDelete={setDeleting}
            />
          )
        }
      </QueryView>
      <SecretDialog
        mode={editing?.mode ?? null}
        name={editing?.mode === 'rotate' ? editing.name : undefined}
        existing={items.map((s) => s.name)}
        busy={save.isPending}
        onSubmit={(name, value) => save.mutate({ name, value, rotate: editing?.mode === 'rotate' })}
        onClose={() => setEditing(null)}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting ?? ''}?`}
        confirmLabel="Delete secret"
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>
          Steps that reference <code>{`secrets.${deleting ?? ''}`}</code> will fail until it is set
          again. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function SecretsTable({
  items,
  admin,
  onRotate,
  onDelete,
}: {
  items: SecretInfo[];
  admin: boolean;
  onRotate: (name: string) => void;
  onDelete: (name: string) => void;
}) {
  const now = Date.now();
  return (
    <table className="table admin-table">
      <TableHead
        caption="Secrets of the project"
        columns={[
          'Name',
          { label: 'Version', num: true },
          'Updated',
          'Created',
          { label: 'Actions', hidden: true },
        ]}
      />
      <tbody>
        {items.map((s) => (
          <tr key={s.name}>
            <th scope="row">
              <code>{s.name}</code>
            </th>
            <td className="num">{s.version}</td>
            <td title={formatTime(s.updatedAt)}>{formatRelative(s.updatedAt, now)}</td>
            <td title={formatTime(s.createdAt)}>{formatRelative(s.createdAt, now)}</td>
            <td className="row-actions">
              <button
                type="button"
                className="btn btn-small"
                disabled={!admin}
                title={needsRole('admin', admin)}
                aria-label={`Rotate ${s.name}`}
                onClick={() => onRotate(s.name)}
              >
                Rotate
              </button>
              <button
                type="button"
                className="btn btn-small btn-danger"
                disabled={!admin}
                title={needsRole('admin', admin)}
                aria-label={`Delete ${s.name}`}
                onClick={() => onDelete(s.name)}
              >
                Delete
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
