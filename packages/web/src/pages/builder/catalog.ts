/**
 * The agents and actions the builder offers: every registered agent's latest manifest, flattened
 * to one entry per action with its effective risk and schemas (the palette, the node cards, the
 * schema form and the template autocompletion all read it).
 */
import type { AgentDetail } from '@commandcenter/protocol/client';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import type { ActionMeta } from './action-meta.js';

export type { ActionMeta, Schema } from './action-meta.js';

export interface AgentGroup {
  name: string;
  description?: string;
  version: string;
  actions: ActionMeta[];
}

export interface Catalog {
  agents: AgentGroup[];
  /** The action of `agent.action`, when registered. */
  byKey: Map<string, ActionMeta>;
  isPending: boolean;
  error: unknown;
}

function groupOf(detail: AgentDetail): AgentGroup {
  const m = detail.manifest;
  return {
    name: detail.name,
    description: m.description,
    version: m.version,
    actions: Object.entries(m.actions)
      .map(([action, a]) => ({
        agent: detail.name,
        action,
        key: `${detail.name}.${action}`,
        risk: a.risk ?? m.risk,
        description: a.description,
        input: a.input,
        output: a.output,
      }))
      .sort((x, y) => x.action.localeCompare(y.action)),
  };
}

/** Module-level, so TanStack Query keeps its result stable between renders. */
function combine(results: { data?: AgentDetail; isPending: boolean; error: unknown }[]) {
  return {
    data: results.map((r) => r.data),
    pending: results.some((r) => r.isPending),
    error: results.find((r) => r.error)?.error,
  };
}

export function useCatalog(): Catalog {
  const client = useClient();
  const project = useProject();
  const list = useQuery({ queryKey: keys.agents(project), queryFn: () => client.listAgents() });
  const names = useMemo(() => (list.data?.items ?? []).map((a) => a.name), [list.data]);
  const details = useQueries({
    queries: names.map((name) => ({
      queryKey: keys.agent(project, name),
      queryFn: () => client.getAgent(name),
    })),
    combine,
  });
  return useMemo(() => {
    const agents = details.data.filter((d): d is AgentDetail => !!d).map(groupOf);
    agents.sort((a, b) => a.name.localeCompare(b.name));
    const byKey = new Map(agents.flatMap((g) => g.actions.map((a) => [a.key, a] as const)));
    return {
      agents,
      byKey,
      isPending: list.isPending || details.pending,
      error: list.error ?? details.error,
    };
  }, [details, list.isPending, list.error]);
}
