/** Pretty-printed JSON (inputs, outputs, errors) in a scrollable block. */
export function JsonView({
  value,
  label,
  maxHeight = 320,
}: {
  value: unknown;
  label: string;
  maxHeight?: number;
}) {
  if (value === undefined || value === null) return <span className="muted">none</span>;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre aria-label={label} tabIndex={0} style={{ maxHeight }}>
      {text}
    </pre>
  );
}
