import { HubClient } from '@commandcenter/protocol/client';
import { createContext, useContext, useMemo, type ReactNode } from 'react';

/**
 * The typed API client for the selected project. The UI authenticates with the HttpOnly session
 * cookie (same origin), so the client carries no token.
 */
const ClientContext = createContext<HubClient | null>(null);

export function ClientProvider({ project, children }: { project: string; children: ReactNode }) {
  const client = useMemo(() => new HubClient({ url: window.location.origin, project }), [project]);
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): HubClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientProvider');
  return client;
}

/** A client without a project (whoami, session, projects list). */
export const rootClient = new HubClient({ url: window.location.origin });
