import { JsonView } from '../../ui/json-view.js';
import { TableHead } from '../../ui/table.js';
import { schemaProps, typeOf, type JsonSchema } from './schema-props.js';

/**
 * An input or output schema as a property table (name, type, required, description and
 * constraints), with the raw JSON Schema one click away.
 */
export function SchemaTable({ schema, label }: { schema: JsonSchema | undefined; label: string }) {
  if (schema === undefined) {
    return (
      <p className="muted">Not declared: any JSON value is accepted and nothing is checked.</p>
    );
  }
  const rows = schemaProps(schema);
  return (
    <div className="schema">
      {rows === null ? (
        <p>
          <span className="muted">Type:</span> <code>{typeOf(schema)}</code>
        </p>
      ) : rows.length === 0 ? (
        <p className="muted">An object without declared properties.</p>
      ) : (
        <table className="table schema-table">
          <caption className="visually-hidden">{label}</caption>
          <TableHead columns={['Property', 'Type', 'Required', 'Description']} />
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <td>
                  <code>{r.name}</code>
                </td>
                <td>
                  <code className="schema-type">{r.type}</code>
                </td>
                <td>
                  {r.required ? <strong>required</strong> : <span className="muted">optional</span>}
                </td>
                <td>
                  {r.description ?? (r.notes.length ? null : <span className="muted">—</span>)}
                  {r.notes.length > 0 && <span className="cell-sub">{r.notes.join(' · ')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <details className="schema-raw">
        <summary>Raw JSON Schema</summary>
        <JsonView value={schema} label={`${label} (JSON Schema)`} maxHeight={280} />
      </details>
    </div>
  );
}
