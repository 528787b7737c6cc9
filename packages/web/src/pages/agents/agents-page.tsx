import type { AgentHealth, AgentSummary, AgentType } from '@commandcenter/protocol/client';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, ErrorView, Loading } from '../../ui/states.js';
import { RiskBadge } from '../../ui/status.js';
import { HealthBadge } from './health-badge.js';
import '../secrets/admin-common.css';
import './agents.css';

const types: AgentType[] = ['builtin', 'process', 'http', 'nats', 'llm'];

/**
 * The project's agents: what they can do, how risky they are and how they have been doing. The
 * health comes from each agent's detail (one small query per agent, refreshed by the feed when
 * steps finish).
 */
export function AgentsPage() {
  const client = useClient();
  const { project } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const type = params.get('type') ?? '';
  const agents = useQuery({ queryKey: keys.agents(project), queryFn: () => client.listAgents() });
  const all = agents.data?.items ?? [];
  const details = useQueries({
    queries: all.map((a) => ({
      queryKey: keys.agent(project, a.name),
      queryFn: () => client.getAgent(a.name),
    })),
  });
  const health = new Map(all.map((a, i) => [a.name, details[i]?.data?.health]));
  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const needle = q.trim().toLowerCase();
  const items = all.filter(
    (a) =>
      (!type || a.type === type) &&
      (!needle ||
        a.name.toLowerCase().includes(needle) ||
        (a.description ?? '').toLowerCase().includes(needle) ||
        a.actions.some((x) => x.toLowerCase().includes(needle))),
  );

  return (
    <div className="agents-page">
      <PageHeader
        title="Agents"
        description="What workflow nodes run: each agent offers actions with typed inputs and outputs, a risk level and a transport."
      />
      {agents.isPending ? (
        <Loading label="Loading agents…" />
      ) : agents.error ? (
        <ErrorView error={agents.error} retry={() => void agents.refetch()} />
      ) : all.length === 0 ? (
        <EmptyState title={`No agents in ${project} yet`}>
          <p>
            Register one from its manifest with{' '}
            <code>commandcenter agents apply -f agent.yaml</code> (or{' '}
            <code>POST /api/v1/agents</code>); an agent can also register itself when it starts. See{' '}
            <code>examples/agents/</code> for manifests to start from.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="toolbar" role="search" aria-label="Filter agents">
            <label className="row">
              <span>Search</span>
              <input
                type="search"
                value={q}
                onChange={(e) => setParam('q', e.target.value)}
                placeholder="name, description or action"
                className="agents-search"
              />
            </label>
            <label className="row">
              <span>Type</span>
              <select value={type} onChange={(e) => setParam('type', e.target.value)}>
                <option value="">Every type</option>
                {types.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted">
              {items.length} of {all.length}
            </span>
          </div>
          {items.length === 0 ? (
            <EmptyState title="No agent matches">Try another name, action or type.</EmptyState>
          ) : (
            <AgentsTable items={items} health={health} />
          )}
        </>
      )}
    </div>
  );
}

function AgentsTable({
  items,
  health,
}: {
  items: AgentSummary[];
  health: Map<string, AgentHealth | undefined>;
}) {
  const now = Date.now();
  return (
    <table className="table admin-table agents-table">
      <caption className="visually-hidden">Agents of the project</caption>
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Type</th>
          <th scope="col">Risk</th>
          <th scope="col">Version</th>
          <th scope="col">Actions</th>
          <th scope="col">Health (24 h)</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {items.map((a) => {
          const h = health.get(a.name);
          return (
            <tr key={a.name}>
              <th scope="row">
                <Link to={`/agents/${encodeURIComponent(a.name)}`}>{a.name}</Link>
                {a.description && <span className="cell-sub agent-desc">{a.description}</span>}
              </th>
              <td>{a.type}</td>
              <td>
                <RiskBadge risk={a.risk} />
              </td>
              <td className="nowrap">
                <span className="mono">{a.version}</span>
                {a.versions > 1 && <span className="cell-sub">{a.versions} versions</span>}
              </td>
              <td>
                <span className="agent-actions-count">
                  {a.actions.length} {a.actions.length === 1 ? 'action' : 'actions'}
                </span>
                <span className="cell-sub agent-actions-list">{a.actions.join(', ')}</span>
              </td>
              <td className="nowrap">
                {h ? (
                  <>
                    <HealthBadge status={h.status} />
                    {h.attempts > 0 && (
                      <span className="cell-sub">
                        {h.attempts} attempts, {Math.round(h.errorRate * 100)} % errors
                      </span>
                    )}
                  </>
                ) : (
                  <span className="muted">…</span>
                )}
              </td>
              <td className="nowrap" title={formatTime(a.updatedAt)}>
                {formatRelative(a.updatedAt, now)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
