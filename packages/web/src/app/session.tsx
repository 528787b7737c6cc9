import { isCCError, type WhoAmI } from '@commandcenter/protocol/client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { rootClient } from '../api/client.js';
import { Loading, ErrorView } from '../ui/states.js';
import { LoginPage } from './login.js';

/**
 * Who is signed in (the session cookie, checked with `GET /whoami`) and which project the UI
 * shows. A project-scoped token sees only its project; a hub-wide one picks any (remembered).
 */
interface Session {
  who: WhoAmI;
  project: string;
  setProject(name: string): void;
  signOut(): Promise<void>;
  can(role: WhoAmI['role']): boolean;
}

const SessionContext = createContext<Session | null>(null);
const projectKey = 'cc.project';
const rank = { viewer: 0, operator: 1, approver: 2, admin: 3 } as const;

function startProject(who: WhoAmI): string {
  if (who.project) return who.project;
  const fromUrl = new URLSearchParams(window.location.search).get('project');
  return fromUrl || localStorage.getItem(projectKey) || 'default';
}

export function SessionProvider({ children }: { children: (s: Session) => ReactNode }) {
  const queryClient = useQueryClient();
  const whoami = useQuery({
    queryKey: ['whoami'],
    queryFn: () => rootClient.whoami(),
    retry: false,
    staleTime: Infinity,
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const setProject = useCallback((name: string) => {
    localStorage.setItem(projectKey, name);
    setChosen(name);
  }, []);
  const signOut = useCallback(async () => {
    await rootClient.deleteSession().catch(() => {});
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'whoami' });
    await queryClient.resetQueries({ queryKey: ['whoami'] });
  }, [queryClient]);

  const who = whoami.data;
  const session = useMemo<Session | null>(
    () =>
      who
        ? {
            who,
            project: who.project ?? chosen ?? startProject(who),
            setProject,
            signOut,
            can: (role) => rank[who.role] >= rank[role],
          }
        : null,
    [who, chosen, setProject, signOut],
  );

  if (whoami.isPending) return <Loading label="Connecting to the hub…" />;
  if (whoami.error) {
    if (isCCError(whoami.error) && whoami.error.status === 401) {
      return <LoginPage onSignedIn={() => void whoami.refetch()} />;
    }
    return <ErrorView error={whoami.error} retry={() => void whoami.refetch()} />;
  }
  return (
    <SessionContext.Provider value={session}>
      {session && children(session)}
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The selected project (every project-scoped query key starts with it). */
export const useProject = (): string => useSession().project;
