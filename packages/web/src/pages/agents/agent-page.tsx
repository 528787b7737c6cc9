import type { AgentManifest } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { JsonView } from '../../ui/json-view.js';
import { PageHeader } from '../../ui/page.js';
import { ErrorView, Loading } from '../../ui/states.js';
import { RiskBadge } from '../../ui/status.js';
import { RoleNote, needsRole } from '../../ui/role-note.js';
import { useUrlParams } from '../../ui/url-params.js';
import { AgentCostCard, AgentHealthCard } from './agent-health-card.js';
import { RuntimeSummary } from './runtime-summary.js';
import { SchemaTable } from './schema-table.js';
import { TestActionDialog } from './test-action-dialog.js';
import './agents.css';

/**
 * One agent: its versions (pick one to read its manifest), its actions with their input and
 * output schemas, how it runs, how it has been doing, and a dialog to test an action.
 */
export function AgentPage() {
  const { name = '' } = useParams();
  const client = useClient();
  const { project, can } = useSession();
  const { params, set } = useUrlParams();
  const [testing, setTesting] = useState<string | null>(null);
  const agent = useQuery({
    queryKey: keys.agent(project, name),
    queryFn: () => client.getAgent(name),
  });
  const latest = agent.data?.manifest.version;
  const version = params.get('version') ?? latest;
  const pinned = version !== undefined && version !== latest;
  const older = useQuery({
    queryKey: [...keys.agent(project, name), 'v', version],
    queryFn: () => client.getAgentVersion(name, version!),
    enabled: pinned,
    staleTime: Infinity, // a registered version never changes
  });

  if (agent.isPending) return <Loading label="Loading the agent…" />;
  if (agent.error) {
    return (
      <>
        <PageHeader title={name} />
        <ErrorView error={agent.error} retry={() => void agent.refetch()} />
        <p>
          <Link to="/agents">Back to the agents</Link>
        </p>
      </>
    );
  }
  const d = agent.data;
  const manifest: AgentManifest | undefined = pinned ? older.data?.manifest : d.manifest;
  const operator = can('operator');
  const selectVersion = (v: string) => set('version', v === latest ? null : v);
  return (
    <div className="agent-page">
      <PageHeader
        title={
          <>
            {d.name} <RiskBadge risk={d.manifest.risk} />
          </>
        }
        description={d.manifest.description}
        actions={
          <>
            <Link to="/agents" className="btn btn-ghost">
              All agents
            </Link>
            <button
              type="button"
              className="btn btn-primary"
              disabled={!operator || !manifest}
              title={needsRole('operator', operator)}
              onClick={() => setTesting(Object.keys(manifest?.actions ?? {})[0] ?? '')}
            >
              Test action
            </button>
          </>
        }
      />
      <RoleNote role="operator" what="test an agent’s actions" />
      <div className="grid agent-top">
        <section className="card" aria-labelledby="agent-versions-title">
          <h2 id="agent-versions-title">Versions</h2>
          <ul className="agent-versions">
            {d.versions.map((v) => (
              <li key={v.version}>
                <button
                  type="button"
                  className={`version-btn ${v.version === version ? 'version-current' : ''}`}
                  aria-pressed={v.version === version}
                  onClick={() => selectVersion(v.version)}
                >
                  <span className="mono">{v.version}</span>
                  {v.version === latest && <span className="version-latest">latest</span>}
                  <span className="cell-sub" title={formatTime(v.createdAt)}>
                    {formatRelative(v.createdAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="agent-runtime-title">
          <h2 id="agent-runtime-title">Runtime{pinned ? ` of ${version}` : ''}</h2>
          {manifest ? <RuntimeSummary manifest={manifest} project={project} /> : <Loading />}
        </section>
        <AgentHealthCard health={d.health} />
        {d.cost && <AgentCostCard cost={d.cost} />}
      </div>
      {pinned && older.error ? (
        <ErrorView error={older.error} retry={() => void older.refetch()} />
      ) : !manifest ? (
        <Loading label={`Loading version ${version}…`} />
      ) : (
        <ManifestView manifest={manifest} pinned={pinned} operator={operator} onTest={setTesting} />
      )}
      {manifest && (
        <TestActionDialog
          key={testing ?? ''}
          open={testing !== null}
          manifest={manifest}
          initialAction={testing ?? undefined}
          onClose={() => setTesting(null)}
        />
      )}
    </div>
  );
}

function ManifestView({
  manifest: m,
  pinned,
  operator,
  onTest,
}: {
  manifest: AgentManifest;
  pinned: boolean;
  operator: boolean;
  onTest: (action: string) => void;
}) {
  const actions = Object.entries(m.actions);
  return (
    <>
      <h2 className="agent-section-title">
        {actions.length} {actions.length === 1 ? 'action' : 'actions'}
        {pinned && <span className="muted"> in version {m.version}</span>}
      </h2>
      {actions.map(([name, a]) => (
        <section key={name} className="card agent-action" aria-labelledby={`action-${name}`}>
          <div className="card-title-row">
            <h3 id={`action-${name}`}>
              <code>
                {m.name}.{name}
              </code>{' '}
              <RiskBadge risk={a.risk ?? m.risk} />
            </h3>
            <button
              type="button"
              className="btn btn-small"
              disabled={!operator}
              title={needsRole('operator', operator)}
              aria-label={`Test ${name}`}
              onClick={() => onTest(name)}
            >
              Test
            </button>
          </div>
          {a.description && <p className="agent-action-desc">{a.description}</p>}
          <div className="grid grid-2">
            <div>
              <h4>Input</h4>
              <SchemaTable schema={a.input} label={`Input of ${name}`} />
            </div>
            <div>
              <h4>Output</h4>
              <SchemaTable schema={a.output} label={`Output of ${name}`} />
            </div>
          </div>
          {a.prompt && (
            <details className="schema-raw">
              <summary>Prompt template</summary>
              <JsonView value={a.prompt} label={`Prompt of ${name}`} />
            </details>
          )}
        </section>
      ))}
      <details className="card agent-manifest">
        <summary>Manifest of version {m.version} as registered</summary>
        <JsonView value={m.source} label={`Manifest of ${m.name} ${m.version}`} maxHeight={480} />
      </details>
    </>
  );
}
