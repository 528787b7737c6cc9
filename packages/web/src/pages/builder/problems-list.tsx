import { useState } from 'react';
import type { Located, LocatedProblems } from './problems.js';

/** Problems as buttons: choosing one selects its node and focuses its field. */
export function ProblemLinks({
  items,
  onSelect,
  showNode = true,
}: {
  items: readonly Located[];
  onSelect: (l: Located) => void;
  showNode?: boolean;
}) {
  return (
    <ul className="bf-problem-links">
      {items.map((l, i) => (
        <li key={i} className={`bf-problem bf-problem-${l.severity}`}>
          <button type="button" className="bf-problem-btn" onClick={() => onSelect(l)}>
            <span className="bf-problem-where mono">
              {showNode && l.nodeId !== undefined ? `${l.nodeId} · ` : ''}
              {l.field || (l.nodeId === undefined ? 'workflow' : 'node')}
            </span>
            <span>{l.problem.message}</span>
          </button>
          {l.problem.fix && <span className="bf-problem-fix muted">{l.problem.fix}</span>}
        </li>
      ))}
    </ul>
  );
}

/**
 * The strip under the canvas: the validation state in one line (checking, valid, N problems),
 * expandable to every problem of the workflow.
 */
export function ProblemsBar({
  problems,
  checking,
  checked,
  failure,
  onSelect,
}: {
  problems: LocatedProblems;
  checking: boolean;
  checked: boolean;
  /** Why the last check did not happen (the hub unreachable…). */
  failure?: unknown;
  onSelect: (l: Located) => void;
}) {
  const [open, setOpen] = useState(true);
  const warnings = problems.all.length - problems.errors;
  const summary = !checked
    ? 'Checked by the hub as you edit'
    : problems.errors > 0
      ? `${problems.errors} problem${problems.errors > 1 ? 's' : ''}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`
      : warnings > 0
        ? `Valid, ${warnings} warning${warnings > 1 ? 's' : ''}`
        : 'Valid';
  const state = problems.errors > 0 ? 'bad' : warnings > 0 ? 'warn' : 'ok';
  return (
    <section
      className={`bf-problems bf-problems-${checked ? state : 'idle'}`}
      aria-label="Validation"
    >
      <div className="bf-problems-head">
        <span className="bf-problems-dot" aria-hidden="true" />
        <strong role="status">{summary}</strong>
        {checking && <span className="muted">checking…</span>}
        {!!failure && !checking && (
          <span className="field-error">
            Could not check: {failure instanceof Error ? failure.message : String(failure)}
          </span>
        )}
        {problems.all.length > 0 && (
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide' : 'Show'} problems
          </button>
        )}
      </div>
      {open && problems.all.length > 0 && <ProblemLinks items={problems.all} onSelect={onSelect} />}
    </section>
  );
}
