import type { CreateTokenRequest, TokenCreated, TokenInfo } from '@commandcenter/protocol/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { rootClient, useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { FilterSelect } from '../../ui/filters.js';
import { formatRelative, formatTime, shortId } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { TableHead } from '../../ui/table.js';
import { useToast } from '../../ui/toast.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { RoleNote } from '../../ui/role-note.js';
import { CreateTokenDialog } from './create-token-dialog.js';
import { roleHelp } from './roles.js';
import './tokens.css';

type Show = 'all' | 'project' | 'hub';

/**
 * API tokens (admins): who may call the hub, with which role, where, until when. A project admin
 * manages its project's tokens; a hub-wide admin sees every token and may create hub-wide ones.
 */
export function TokensPage() {
  const { who, project, can } = useSession();
  const admin = can('admin');
  return (
    <div className="tokens-page">
      <PageHeader
        title="API tokens"
        description="Tokens authenticate the CLI, CI jobs and token webhooks. The hub keeps only a hash: a token's value is shown once, when it is created."
      />
      {admin ? (
        <TokensView hubWide={who.project === null} project={project} myTokenId={who.tokenId} />
      ) : (
        <RoleNote role="admin" what="see and manage API tokens" />
      )}
    </div>
  );
}

function TokensView({
  hubWide,
  project,
  myTokenId,
}: {
  hubWide: boolean;
  project: string;
  myTokenId: string;
}) {
  const client = useClient();
  const { signOut } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [show, setShow] = useState<Show>('all');
  const [hideInactive, setHideInactive] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  // A hub-wide admin lists every token (a project-scoped list would hide hub-wide ones).
  const tokens = useQuery({
    queryKey: [...keys.tokens(project), hubWide ? 'hub' : 'project'],
    queryFn: () => (hubWide ? rootClient : client).listTokens(),
    staleTime: 0,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.tokens(project) });
  const create = useMutation({
    mutationFn: (r: CreateTokenRequest) => client.createToken(r),
    onSuccess: (t) => {
      setCreated(t);
      toast.success(`Token ${t.name} created`);
      void refresh();
    },
    onError: (err) => toast.error(err, 'The token was not created'),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => rootClient.revokeToken(id),
    onSuccess: (r) => {
      toast.success(`Token ${revoking?.name ?? ''} revoked`);
      setRevoking(null);
      // The session was opened with that token: it ends with it.
      if (r.id === myTokenId) void signOut();
      else void refresh();
    },
    onError: (err) => toast.error(err, 'The token was not revoked'),
  });

  const now = Date.now();
  const all = [...(tokens.data?.items ?? [])].reverse(); // newest first
  const items = all.filter(
    (t) =>
      (show === 'all' || (show === 'project' ? t.project === project : t.project === null)) &&
      (!hideInactive || status(t, now) === 'active'),
  );
  return (
    <>
      <div className="toolbar">
        {hubWide && (
          <FilterSelect
            label="Show"
            value={show}
            onChange={(v) => setShow(v as Show)}
            choices={[
              { value: 'all', label: 'Every token' },
              { value: 'project', label: `Project ${project}` },
              { value: 'hub', label: 'Hub-wide tokens' },
            ]}
          />
        )}
        <label className="row">
          <input
            type="checkbox"
            checked={hideInactive}
            onChange={(e) => setHideInactive(e.target.checked)}
          />
          Hide revoked and expired
        </label>
        <div className="topbar-spacer" />
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          Create token
        </button>
      </div>
      <QueryView query={tokens} loading="Loading tokens…">
        {() =>
          items.length === 0 ? (
            <EmptyState title={all.length ? 'No token matches the filters' : 'No tokens yet'}>
              Create one per person or CI job with the button above or{' '}
              <code>commandcenter tokens create --name ci --role operator</code>, so each can be
              revoked on its own.
            </EmptyState>
          ) : (
            <TokensTable items={items} now={now} myTokenId={myTokenId} onRevoke={setRevoking} />
          )
        }
      </QueryView>
      <CreateTokenDialog
        open={creating}
        project={project}
        hubWide={hubWide}
        busy={create.isPending}
        created={created}
        onCreate={(r) => create.mutate(r)}
        onClose={() => {
          setCreating(false);
          setCreated(null);
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => setRevoking(null)}
      >
        <p>
          Every request made with it is refused from now on (within a few seconds on every hub).
        </p>
        {revoking?.id === myTokenId && (
          <p>
            <strong>This is the token you are signed in with:</strong> you will be signed out.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}

function status(t: TokenInfo, now: number): 'active' | 'revoked' | 'expired' {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && new Date(t.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

const statusBadge = { active: 'badge-ok', revoked: 'badge-bad', expired: 'badge-off' } as const;

function TokensTable({
  items,
  now,
  myTokenId,
  onRevoke,
}: {
  items: TokenInfo[];
  now: number;
  myTokenId: string;
  onRevoke: (t: TokenInfo) => void;
}) {
  return (
    <table className="table admin-table tokens-table">
      <TableHead
        caption="API tokens"
        columns={[
          'Name',
          'Role',
          'Project',
          'Created',
          'Expires',
          'Status',
          { label: 'Actions', hidden: true },
        ]}
      />
      <tbody>
        {items.map((t) => {
          const s = status(t, now);
          return (
            <tr key={t.id} className={s === 'active' ? undefined : 'token-inactive'}>
              <th scope="row">
                {t.name}
                {t.id === myTokenId && <span className="you-tag">you</span>}
                <span className="cell-sub mono">{shortId(t.id)}</span>
              </th>
              <td title={roleHelp[t.role]}>{t.role}</td>
              <td>{t.project ?? <em>every project</em>}</td>
              <td title={formatTime(t.createdAt)}>
                {formatRelative(t.createdAt, now)}
                {t.createdBy && <span className="cell-sub">by {t.createdBy}</span>}
              </td>
              <td title={t.expiresAt ? formatTime(t.expiresAt) : undefined}>
                {t.expiresAt ? formatRelative(t.expiresAt, now) : 'never'}
              </td>
              <td>
                <span className={`badge ${statusBadge[s]}`}>
                  <span className="badge-dot" aria-hidden="true" />
                  {s === 'active' ? 'Active' : s === 'revoked' ? 'Revoked' : 'Expired'}
                </span>
                {t.revokedAt && (
                  <span className="cell-sub" title={formatTime(t.revokedAt)}>
                    {formatRelative(t.revokedAt, now)}
                  </span>
                )}
              </td>
              <td className="row-actions">
                {s !== 'revoked' && (
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    aria-label={`Revoke ${t.name}`}
                    onClick={() => onRevoke(t)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
