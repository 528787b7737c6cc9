import { memo, useId, useState, type DragEvent } from 'react';
import { Link } from 'react-router';
import { ErrorView, Loading } from '../../ui/states.js';
import { RiskBadge } from '../../ui/status.js';
import { actionMime } from './canvas.js';
import type { Catalog } from './catalog.js';

/**
 * The agent palette: every registered agent with its actions, their risk and description,
 * searchable. Drag an action onto the canvas to add a node there; for the keyboard (and a plain
 * click), Enter adds it at a free spot.
 */
export const Palette = memo(function Palette({
  catalog,
  onAdd,
}: {
  catalog: Catalog;
  onAdd: (key: string) => void;
}) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const q = query.trim().toLowerCase();
  const groups = catalog.agents
    .map((g) => ({
      ...g,
      actions: g.actions.filter(
        (a) =>
          !q || a.key.toLowerCase().includes(q) || (a.description ?? '').toLowerCase().includes(q),
      ),
    }))
    .filter((g) => g.actions.length > 0);
  const onDragStart = (e: DragEvent, key: string) => {
    e.dataTransfer.setData(actionMime, key);
    e.dataTransfer.setData('text/plain', key);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <aside className="bf-palette" aria-label="Agent palette">
      <label htmlFor={searchId} className="visually-hidden">
        Search actions
      </label>
      <input
        id={searchId}
        type="search"
        className="bf-palette-search"
        placeholder="Search actions…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="bf-palette-list">
        {catalog.isPending && <Loading label="Loading agents…" />}
        {!!catalog.error && <ErrorView error={catalog.error} />}
        {!catalog.isPending && catalog.agents.length === 0 && (
          <p className="muted bf-palette-empty">
            No agent is registered in this project. Register one with{' '}
            <code>commandcenter apply -f agent.yaml</code>; see the <Link to="/agents">Agents</Link>{' '}
            page.
          </p>
        )}
        {catalog.agents.length > 0 && groups.length === 0 && (
          <p className="muted bf-palette-empty">No action matches “{query}”.</p>
        )}
        {groups.map((g) => (
          <details key={g.name} open className="bf-agent">
            <summary>
              <span className="bf-agent-name">{g.name}</span>
              <span className="muted bf-agent-version">{g.version}</span>
            </summary>
            <ul>
              {g.actions.map((a) => {
                const descId = `bf-pal-${a.agent}-${a.action}`;
                // The button is named agent.action (its text, the action, is part of that name);
                // risk and description describe it. It covers the whole card, which drags and
                // clicks as one.
                return (
                  <li key={a.key} className="bf-palette-card">
                    <button
                      type="button"
                      className="bf-palette-item"
                      draggable
                      aria-label={a.key}
                      aria-describedby={descId}
                      title="Drag onto the canvas, or press Enter to add it"
                      onDragStart={(e) => onDragStart(e, a.key)}
                      onClick={() => onAdd(a.key)}
                    >
                      {a.action}
                    </button>
                    <span id={descId} className="bf-palette-meta">
                      <RiskBadge risk={a.risk} />
                      {a.description && <span className="bf-palette-desc">{a.description}</span>}
                    </span>
                  </li>
                );
              })}
            </ul>
          </details>
        ))}
      </div>
    </aside>
  );
});
