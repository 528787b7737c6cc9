import type { AgentHealth, AgentSummary, AgentType } from '@commandcenter/protocol/client';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useSession } from '../../app/session.js';
import { FilterBar, FilterSelect } from '../../ui/filters.js';
import { formatRelative, formatTime } from '../../ui/format.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { RiskBadge } from '../../ui/status.js';
import { TableHead } from '../../ui/table.js';
import { useUrlParams } from '../../ui/url-params.js';
import { HealthBadge } from './health-badge.js';
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
  const { params, set: setParam } = useUrlParams();
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
      <QueryView query={agents} loading="Loading agents…">
        {() =>
          all.length === 0 ? (
            <EmptyState title={`No agents in ${project} yet`}>
              <p>
                Register one from its manifest with{' '}
                <code>commandcenter agents apply -f agent.yaml</code> (or{' '}
                <code>POST /api/v1/agents</code>); an agent can also register itself when it starts.
                See <code>examples/agents/</code> for manifests to start from.
              </p>
            </EmptyState>
          ) : (
            <>
              <FilterBar label="Filter agents" summary={`${items.length} of ${all.length}`}>
                <label className="toolbar-field">
                  <span>Search</span>
                  <input
                    type="search"
                    value={q}
                    onChange={(e) => setParam('q', e.target.value)}
                    placeholder="name, description or action"
                    className="agents-search"
                  />
                </label>
                <FilterSelect
                  label="Type"
                  value={type}
                  onChange={(v) => setParam('type', v)}
                  every="Every type"
                  choices={types}
                />
              </FilterBar>
              {items.length === 0 ? (
                <EmptyState title="No agent matches">Try another name, action or type.</EmptyState>
              ) : (
                <AgentsTable items={items} health={health} />
              )}
            </>
          )
        }
      </QueryView>
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
      <TableHead
        caption="Agents of the project"
        columns={['Agent', 'Type', 'Risk', 'Version', 'Actions', 'Health (24 h)', 'Updated']}
      />
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
