import { memo, useEffect, useId, useRef, useState } from 'react';
import { canonical } from './model.js';

/**
 * A JSON value edited as text (the inputs schema, values the schema form cannot render). The
 * text is kept while it does not parse — with the parser's message — and the value changes only
 * when it does; an empty text is "no value".
 */
export const JsonField = memo(function JsonField({
  id,
  value,
  onChange,
  rows = 6,
  describedBy,
  invalid,
  label,
  placeholder,
}: {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  rows?: number;
  describedBy?: string;
  invalid?: boolean;
  label?: string;
  placeholder?: string;
}) {
  const format = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));
  const [text, setText] = useState(() => format(value));
  const [error, setError] = useState<string | undefined>();
  const errorId = useId();
  // The value the text stands for: an outside change (undo, YAML) replaces the text.
  const shown = useRef(canonical(value));
  useEffect(() => {
    const c = canonical(value);
    if (c !== shown.current) {
      shown.current = c;
      setText(format(value));
      setError(undefined);
    }
  }, [value]);
  const edit = (t: string) => {
    setText(t);
    if (t.trim() === '') {
      setError(undefined);
      shown.current = canonical(undefined);
      onChange(undefined);
      return;
    }
    try {
      const parsed: unknown = JSON.parse(t);
      setError(undefined);
      shown.current = canonical(parsed);
      onChange(parsed);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <textarea
        id={id}
        value={text}
        rows={rows}
        spellCheck={false}
        onChange={(e) => edit(e.target.value)}
        aria-label={label}
        placeholder={placeholder}
        aria-invalid={invalid || !!error || undefined}
        aria-describedby={
          [describedBy, error ? errorId : undefined].filter(Boolean).join(' ') || undefined
        }
      />
      {error && (
        <p className="field-error" id={errorId}>
          Not valid JSON yet ({error}); the last valid value is kept.
        </p>
      )}
    </>
  );
});
