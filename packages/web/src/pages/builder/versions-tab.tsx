import type { WorkflowChange, WorkflowVersionSummary } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { EmptyState, ErrorView, Loading, QueryView } from '../../ui/states.js';
import { TableHead } from '../../ui/table.js';
import { orderDocKeys, type Doc } from './model.js';
import { docToYaml } from './yaml-text.js';

type Mode = { kind: 'diff'; from: number; to: number } | { kind: 'view'; version: number };

/**
 * Version history: every saved version, one opened read-only (and loadable into the editor), and
 * the diff between any two — the structural changes and the unified patch of their YAML.
 */
export function VersionsTab({
  name,
  versions,
  onRestore,
}: {
  name: string | undefined;
  versions: WorkflowVersionSummary[];
  onRestore: (doc: Doc, version: number) => void;
}) {
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const latest = sorted[0]?.version ?? 0;
  const [mode, setMode] = useState<Mode>(() =>
    latest > 1 ? { kind: 'diff', from: latest - 1, to: latest } : { kind: 'view', version: latest },
  );
  if (!name || sorted.length === 0) {
    return (
      <EmptyState title="No version yet">
        Save the workflow (Ctrl+S) to create version 1; every save that changes it adds a version
        you can compare here.
      </EmptyState>
    );
  }
  return (
    <div className="bf-versions">
      <nav className="bf-version-list" aria-label="Versions">
        <ol>
          {sorted.map((v) => {
            const current = mode.kind === 'view' && mode.version === v.version;
            return (
              <li key={v.version} className={current ? 'current' : undefined}>
                <button
                  type="button"
                  className="bf-version-btn"
                  aria-current={current || undefined}
                  onClick={() => setMode({ kind: 'view', version: v.version })}
                >
                  <strong>Version {v.version}</strong>
                  <span className="muted" title={formatTime(v.createdAt)}>
                    {formatRelative(v.createdAt)}
                  </span>
                </button>
                {v.version > 1 && (
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    onClick={() => setMode({ kind: 'diff', from: v.version - 1, to: v.version })}
                  >
                    Diff
                    <span className="visually-hidden">
                      {' '}
                      of version {v.version - 1} and version {v.version}
                    </span>
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      </nav>
      <div className="bf-version-main">
        {mode.kind === 'view' ? (
          <VersionView name={name} version={mode.version} latest={latest} onRestore={onRestore} />
        ) : (
          <DiffView
            name={name}
            versions={sorted}
            from={mode.from}
            to={mode.to}
            onChange={(from, to) => setMode({ kind: 'diff', from, to })}
          />
        )}
      </div>
    </div>
  );
}

function VersionView({
  name,
  version,
  latest,
  onRestore,
}: {
  name: string;
  version: number;
  latest: number;
  onRestore: (doc: Doc, version: number) => void;
}) {
  const client = useClient();
  const project = useProject();
  const q = useQuery({
    queryKey: keys.workflowVersion(project, name, version),
    queryFn: () => client.getWorkflowVersion(name, version),
  });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorView error={q.error} retry={() => void q.refetch()} />;
  const doc = orderDocKeys(q.data.source);
  return (
    <>
      <div className="toolbar">
        <h2>
          Version {version}{' '}
          <span className="muted">(read-only{version === latest ? ', latest' : ''})</span>
        </h2>
        <span className="muted">saved {formatTime(q.data.createdAt)}</span>
        <div className="topbar-spacer" />
        {version !== latest && (
          <button type="button" className="btn" onClick={() => onRestore(doc, version)}>
            Load into the editor
          </button>
        )}
      </div>
      <pre className="bf-code" tabIndex={0} aria-label={`YAML of version ${version}`}>
        {docToYaml(doc)}
      </pre>
    </>
  );
}

function DiffView({
  name,
  versions,
  from,
  to,
  onChange,
}: {
  name: string;
  versions: WorkflowVersionSummary[];
  from: number;
  to: number;
  onChange: (from: number, to: number) => void;
}) {
  const client = useClient();
  const project = useProject();
  const fromId = useId();
  const toId = useId();
  const q = useQuery({
    queryKey: [...keys.workflow(project, name), 'diff', from, to],
    queryFn: () => client.diffWorkflow(name, from, to),
  });
  const select = (id: string, label: string, value: number, set: (v: number) => void) => (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            version {v.version}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <>
      <div className="toolbar">
        <h2>Changes</h2>
        {select(fromId, 'From', from, (v) => onChange(v, to))}
        {select(toId, 'to', to, (v) => onChange(from, v))}
      </div>
      <QueryView query={q}>
        {(data) =>
          data.changes.length === 0 ? (
            <EmptyState title="The two versions are the same" />
          ) : (
            <>
              <table className="table bf-changes">
                <TableHead
                  caption={`Structural changes from version ${from} to version ${to}`}
                  columns={['Change', 'Path', 'Before', 'After']}
                />
                <tbody>
                  {data.changes.map((c, i) => (
                    <ChangeRow key={i} change={c} />
                  ))}
                </tbody>
              </table>
              <h3 className="bf-patch-title">Unified diff of the YAML</h3>
              <pre
                className="bf-code bf-patch"
                tabIndex={0}
                aria-label={`Unified diff from version ${from} to version ${to}`}
              >
                {data.patch.split('\n').map((line, i) => (
                  <span
                    key={i}
                    className={
                      line.startsWith('+') && !line.startsWith('+++')
                        ? 'add'
                        : line.startsWith('-') && !line.startsWith('---')
                          ? 'del'
                          : line.startsWith('@@')
                            ? 'hunk'
                            : undefined
                    }
                  >
                    {line}
                    {'\n'}
                  </span>
                ))}
              </pre>
            </>
          )
        }
      </QueryView>
    </>
  );
}

function ChangeRow({ change }: { change: WorkflowChange }) {
  const show = (v: unknown) =>
    v === undefined ? (
      <span className="muted">—</span>
    ) : (
      <code className="bf-change-value">{typeof v === 'string' ? v : JSON.stringify(v)}</code>
    );
  return (
    <tr>
      <td>
        <span className={`bf-op bf-op-${change.op}`}>{change.op}</span>
      </td>
      <td className="mono">{change.path}</td>
      <td>{show(change.before)}</td>
      <td>{show(change.after)}</td>
    </tr>
  );
}
