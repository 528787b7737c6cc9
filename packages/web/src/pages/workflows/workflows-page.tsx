import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { FilterBar, FilterSelect } from '../../ui/filters.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { TableHead } from '../../ui/table.js';
import { currentParams } from '../../ui/url-params.js';
import { useToast } from '../../ui/toast.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { RoleNote } from '../../ui/role-note.js';
import { DuplicateDialog } from './duplicate-dialog.js';
import { RunDialog } from './run-dialog.js';
import {
  lastRunChoices,
  matches,
  readFilter,
  writeFilter,
  type WorkflowFilter,
} from './workflow-filter.js';
import { WorkflowRow, type RowAction } from './workflow-row.js';
import './workflows.css';

/**
 * The workflows of the project with how their recent runs went (`GET /workflows` items carry
 * `stats`), searchable and filterable; run, duplicate, archive and restore from here. The list is
 * fetched once with the archived ones (the toggle only filters) and refreshed by run events.
 */
export function WorkflowsPage() {
  const { project, can } = useSession();
  const client = useClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const filter = readFilter(params);
  const setFilter = (patch: Partial<WorkflowFilter>) =>
    setParams(writeFilter({ ...readFilter(currentParams()), ...patch }), { replace: true });
  const [dialog, setDialog] = useState<{ action: RowAction; name: string } | null>(null);
  const close = () => setDialog(null);
  const canOperate = can('operator');

  const list = useQuery({
    queryKey: [...keys.workflows(project), { archived: true }],
    queryFn: () => client.listWorkflows({ archived: true }),
  });
  const all = useMemo(() => list.data?.items ?? [], [list.data]);
  const shown = all.filter((w) => matches(w, filter));
  const taken = useMemo(() => new Set(all.map((w) => w.name)), [all]);
  const archivedCount = all.filter((w) => w.archived).length;
  // One clock per render, so every relative time of the list agrees.
  const now = Date.now();

  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.workflows(project) });
  const archive = useMutation({
    mutationFn: (name: string) => client.archiveWorkflow(name),
    onSuccess: (_r, name) => {
      toast.success(
        `Archived ${name}: its triggers are off; apply it again or restore it to use it`,
      );
      close();
      void refresh();
    },
    onError: (err, name) => toast.error(err, `Could not archive ${name}`),
  });
  const restore = useMutation({
    mutationFn: async (name: string) =>
      client.applyWorkflow((await client.getWorkflow(name)).source),
    onSuccess: (r) => {
      toast.success(`Restored ${r.name} (version ${r.version})`);
      void refresh();
    },
    onError: (err, name) => toast.error(err, `Could not restore ${name}`),
  });
  const onAction = (action: RowAction, name: string) => {
    if (action === 'restore') restore.mutate(name);
    else setDialog({ action, name });
  };
  const open = (action: RowAction) => (dialog?.action === action ? dialog.name : null);

  return (
    <div className="workflows-page">
      <PageHeader
        title="Workflows"
        description="Everything this project can run: how each one went lately, and its actions."
        actions={
          canOperate ? (
            <Link className="btn btn-primary" to="/workflows/new">
              New workflow
            </Link>
          ) : (
            <button
              type="button"
              className="btn btn-primary"
              disabled
              title="Needs the operator role"
            >
              New workflow
            </button>
          )
        }
      />
      <RoleNote role="operator" what="create, run, duplicate or archive workflows" />
      <QueryView query={list} loading="Loading workflows…">
        {() =>
          all.length === 0 ? (
            <EmptyState
              title="No workflows yet"
              action={
                canOperate && (
                  <Link className="btn btn-primary" to="/workflows/new">
                    Build one in the editor
                  </Link>
                )
              }
            >
              <p>
                A workflow is a graph of agent actions. Draw one in the builder, or apply a YAML
                file from a terminal: <code>commandcenter apply -f workflow.yaml</code> (the
                repository’s <code>examples/workflows</code> are a good start).
              </p>
            </EmptyState>
          ) : (
            <>
              <FilterBar
                label="Filter workflows"
                summary={`${shown.length} of ${all.length} workflow${all.length === 1 ? '' : 's'}`}
              >
                <label className="toolbar-field">
                  <span className="visually-hidden">Search workflows</span>
                  <input
                    type="search"
                    placeholder="Search by name or description"
                    value={filter.q}
                    onChange={(e) => setFilter({ q: e.target.value })}
                  />
                </label>
                <FilterSelect
                  label="Last run"
                  value={filter.status}
                  onChange={(status) => setFilter({ status })}
                  choices={lastRunChoices}
                />
                <label className="check">
                  <input
                    type="checkbox"
                    checked={filter.archived}
                    onChange={(e) => setFilter({ archived: e.target.checked })}
                  />
                  Show archived ({archivedCount})
                </label>
              </FilterBar>
              {shown.length === 0 ? (
                <EmptyState
                  title="No workflow matches these filters"
                  action={
                    <button
                      type="button"
                      className="btn"
                      onClick={() => setParams({}, { replace: true })}
                    >
                      Clear the filters
                    </button>
                  }
                />
              ) : (
                <table className="table workflows-table">
                  <TableHead
                    columns={[
                      'Workflow',
                      'Last run',
                      { label: 'Success', num: true },
                      'Recent durations',
                      'Version',
                      { label: 'Actions', hidden: true },
                    ]}
                  />
                  <tbody>
                    {shown.map((w) => (
                      <WorkflowRow
                        key={w.name}
                        w={w}
                        canOperate={canOperate}
                        onAction={onAction}
                        now={now}
                      />
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )
        }
      </QueryView>
      <RunDialog workflow={open('run')} onClose={close} />
      <DuplicateDialog workflow={open('duplicate')} taken={taken} onClose={close} />
      <ConfirmDialog
        open={dialog?.action === 'archive'}
        title={`Archive ${dialog?.name ?? ''}?`}
        confirmLabel="Archive"
        busy={archive.isPending}
        onConfirm={() => dialog && archive.mutate(dialog.name)}
        onClose={close}
      >
        <p>
          It leaves the list and its triggers stop firing; no new run can start. Its versions, runs
          and history stay, and running runs finish.
        </p>
        <p className="muted">Restore it later from “Show archived”, or by applying it again.</p>
      </ConfirmDialog>
    </div>
  );
}
