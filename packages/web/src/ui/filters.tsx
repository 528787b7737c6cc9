import { useId, type ReactNode } from 'react';

/** A choice of a {@link FilterSelect}: a value shown as is, or a value and its label. */
export type Choice = string | { value: string; label: string };

/**
 * The toolbar of filters above a list: a search landmark named `label`, the filters, and at the
 * end a `summary` of what the list shows (how many items the filters let through), announced
 * politely as it changes.
 */
export function FilterBar({
  label,
  summary,
  children,
}: {
  label: string;
  summary?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="toolbar" role="search" aria-label={label}>
      {children}
      {summary !== undefined && (
        <span className="muted toolbar-count" aria-live="polite">
          {summary}
        </span>
      )}
    </div>
  );
}

/**
 * A labelled <select> of a filter toolbar. `every` names the empty value (no filtering) and is
 * listed first; the choices follow.
 */
export function FilterSelect({
  label,
  value,
  onChange,
  every,
  choices,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  every?: string;
  choices: readonly Choice[];
}) {
  // Labelled by id, not by wrapping: a wrapping label would add the selected option's text to
  // the select's accessible name.
  const id = useId();
  return (
    <span className="toolbar-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {every !== undefined && <option value="">{every}</option>}
        {choices.map((c) => {
          const choice = typeof c === 'string' ? { value: c, label: c } : c;
          return (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          );
        })}
      </select>
    </span>
  );
}
