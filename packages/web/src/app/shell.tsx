import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useClient, rootClient } from '../api/client.js';
import { keys } from '../api/keys.js';
import { useLiveStatus } from '../api/live.js';
import { useSession } from './session.js';
import { useTheme } from './theme.js';

/** The frame of every signed-in page: navigation, project switcher, live status, theme, user. */
export function Shell({ children }: { children: ReactNode }) {
  const { who, project, setProject, signOut, can } = useSession();
  const client = useClient();
  const live = useLiveStatus();
  const [theme, toggleTheme] = useTheme();
  const pending = useQuery({
    queryKey: keys.approvals(project, 'pending'),
    queryFn: () => client.listApprovals({ status: 'pending', limit: 500 }),
  });
  const projects = useQuery({
    queryKey: ['projects'],
    queryFn: () => rootClient.listProjects(),
    enabled: who.project === null,
  });
  const count = pending.data?.items.length ?? 0;
  const nav: { to: string; label: string; badge?: number; admin?: boolean }[] = [
    { to: '/overview', label: 'Overview' },
    { to: '/workflows', label: 'Workflows' },
    { to: '/runs', label: 'Runs' },
    { to: '/approvals', label: 'Approvals', badge: count },
    { to: '/agents', label: 'Agents' },
    { to: '/triggers', label: 'Triggers' },
    { to: '/secrets', label: 'Secrets' },
    { to: '/tokens', label: 'Tokens', admin: true },
    { to: '/audit', label: 'Audit log', admin: true },
  ];
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/overview" className="brand" aria-label="CommandCenter home">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>CommandCenter</span>
        </NavLink>
        <div className="topbar-spacer" />
        <label className="project-switch">
          <span className="muted">Project</span>
          {who.project === null ? (
            <select
              value={project}
              onChange={(e) => setProject(e.target.value)}
              aria-label="Project"
            >
              {(projects.data?.items ?? [{ name: project }]).map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          ) : (
            <strong>{project}</strong>
          )}
        </label>
        <span className={`live live-${live}`} title={`Live updates: ${live}`} role="status">
          <span className="live-dot" aria-hidden="true" />
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting' : 'Offline'}
        </span>
        <NavLink to="/approvals" className="approvals-bell" data-testid="approvals-badge">
          {/* The name is the visible text (axe: label-content-name-mismatch) plus "pending". */}
          Approvals
          <span className={`count ${count > 0 ? 'count-hot' : ''}`}>{count}</span>
          <span className="visually-hidden"> pending</span>
        </NavLink>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={toggleTheme}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
        <span className="user" title={`Role: ${who.role}`}>
          {who.name} <span className="muted">({who.role})</span>
        </span>
        <button type="button" className="btn btn-ghost" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {nav
            .filter((n) => !n.admin || can('admin'))
            .map((n) => (
              <li key={n.to}>
                <NavLink to={n.to}>
                  {n.label}
                  {n.badge ? <span className="count count-hot">{n.badge}</span> : null}
                </NavLink>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
