/**
 * The labelled fields of the builder's panels (node settings, workflow settings, triggers, the
 * schema form), each a {@link Field} around one kind of control, so a panel lists what it edits
 * rather than how each control is wired to its label, hint and problems.
 */
import { useId, type ReactNode } from 'react';
import { Field, type FieldScope } from './field.js';
import { JsonField } from './json-field.js';
import { TemplateInput } from './template-input.js';

/** Where a field sits and what it says: the document path its problems are found at. */
interface FieldProps {
  scope: FieldScope;
  path: string;
  name: string;
  hint?: ReactNode;
}

/** A document value in a text control: strings as they are, anything else as JSON. */
export function displayText(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** What a cleared field means: the key leaves the document, so its default applies. */
export function optional(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

/** A count (attempts, a limit): a number when it is digits; other text is kept for the hub to report. */
export function count(text: string): number | string | undefined {
  const t = text.trim();
  return t === '' ? undefined : /^\d+$/.test(t) ? Number(t) : text;
}

/** A one-line text field; `suggestions` become the input's datalist. */
export function TextField({
  value,
  onChange,
  placeholder,
  required,
  readOnly,
  numeric,
  suggestions,
  ...field
}: FieldProps & {
  value: unknown;
  onChange: (text: string) => void;
  placeholder?: string;
  required?: boolean;
  readOnly?: boolean;
  numeric?: boolean;
  suggestions?: readonly string[];
}) {
  const listId = useId();
  return (
    <Field {...field} required={required}>
      {(p) => (
        <>
          <input
            id={p.id}
            value={displayText(value)}
            placeholder={placeholder}
            readOnly={readOnly}
            inputMode={numeric ? 'numeric' : undefined}
            list={suggestions ? listId : undefined}
            aria-describedby={p.describedBy}
            aria-invalid={p.invalid || undefined}
            aria-required={required || undefined}
            onChange={(e) => onChange(e.target.value)}
          />
          {suggestions && (
            <datalist id={listId}>
              {suggestions.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          )}
        </>
      )}
    </Field>
  );
}

/** A choice among `options` (`[value, label]`); the empty value leaves the key out. */
export function SelectField({
  value,
  onChange,
  options,
  ...field
}: FieldProps & {
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  options: readonly (readonly [string, string])[];
}) {
  return (
    <Field {...field}>
      {(p) => (
        <select
          id={p.id}
          value={value ?? ''}
          aria-describedby={p.describedBy}
          aria-invalid={p.invalid || undefined}
          onChange={(e) => onChange(e.target.value || undefined)}
        >
          {options.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A `{{ }}` template with completion; a cleared field leaves the key out. */
export function TemplateField({
  value,
  onChange,
  placeholder,
  ...field
}: FieldProps & {
  value: unknown;
  onChange: (value: string | undefined) => void;
  placeholder: string;
}) {
  return (
    <Field {...field}>
      {(p) => (
        <TemplateInput
          id={p.id}
          value={displayText(value)}
          describedBy={p.describedBy}
          invalid={p.invalid}
          placeholder={placeholder}
          onChange={(v) => onChange(optional(v))}
        />
      )}
    </Field>
  );
}

/** Free text over a few lines (a description); a cleared field leaves the key out. */
export function TextAreaField({
  value,
  onChange,
  rows = 2,
  ...field
}: FieldProps & {
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  rows?: number;
}) {
  return (
    <Field {...field}>
      {(p) => (
        <textarea
          id={p.id}
          rows={rows}
          value={value ?? ''}
          aria-describedby={p.describedBy}
          onChange={(e) => onChange(e.target.value || undefined)}
        />
      )}
    </Field>
  );
}

/** A JSON value edited as text (a schema, a list, an input the form cannot render). */
export function JsonValueField({
  value,
  onChange,
  rows,
  placeholder,
  extra,
  ...field
}: FieldProps & {
  value: unknown;
  onChange: (value: unknown) => void;
  rows?: number;
  placeholder?: string;
  /** Shown next to the label (e.g. a button removing the value). */
  extra?: ReactNode;
}) {
  return (
    <Field {...field} extra={extra}>
      {(p) => (
        <JsonField
          id={p.id}
          value={value}
          rows={rows}
          placeholder={placeholder}
          describedBy={p.describedBy}
          invalid={p.invalid}
          onChange={onChange}
        />
      )}
    </Field>
  );
}
