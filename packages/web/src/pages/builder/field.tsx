import { useId, type ReactNode } from 'react';
import { fieldDomId, problemsAt, type Located } from './problems.js';

/** Whose fields these are (a node, or the workflow) and the problems found in them. */
export interface FieldScope {
  nodeId: string | undefined;
  problems: readonly Located[];
}

/** What a field's control needs: its DOM id (problems focus it) and its ARIA links. */
export interface FieldRender {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

/**
 * One labelled field of the builder's panels: label (with a required mark), the control, a hint,
 * and the validation problems of its `path` (`inputs.files`, `retry.attempts`, `triggers[0].cron`)
 * right under it, linked with aria-describedby.
 */
export function Field({
  scope,
  path,
  name,
  hint,
  required,
  extra,
  children,
}: {
  scope: FieldScope;
  path: string;
  name: ReactNode;
  hint?: ReactNode;
  required?: boolean;
  extra?: ReactNode;
  children: (p: FieldRender) => ReactNode;
}) {
  const id = fieldDomId(scope.nodeId, path);
  const hintId = useId();
  const errId = useId();
  const mine = problemsAt(scope.problems, path);
  const invalid = mine.some((p) => p.severity === 'error');
  const describedBy =
    [hint ? hintId : undefined, mine.length ? errId : undefined].filter(Boolean).join(' ') ||
    undefined;
  return (
    <div className={`field${invalid ? ' has-error' : ''}`}>
      <div className="bf-label-row">
        <label htmlFor={id}>
          {name}
          {required && (
            <span className="bf-required" aria-hidden="true">
              {' '}
              *
            </span>
          )}
        </label>
        {extra}
      </div>
      {children({ id, describedBy, invalid })}
      {hint && (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      )}
      {mine.length > 0 && (
        <ul className="bf-field-problems" id={errId}>
          {mine.map((l, i) => (
            <li key={i} className={l.severity === 'error' ? 'field-error' : 'bf-warning'}>
              {l.problem.message} <span className="muted">{l.problem.fix}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
