import { errorCatalogue, isCCError } from '@commandcenter/protocol/client';

/**
 * A refused request inside a dialog: the hub's detail and each problem with its path and fix
 * (e.g. the run input that does not match the workflow's `inputs` schema).
 */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  const problems = isCCError(error) ? error.problems : [];
  // With problems, the detail repeats the first one: the catalogue's title heads the list instead.
  const detail = isCCError(error)
    ? problems.length > 0
      ? errorCatalogue[error.code].title
      : error.detail
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <div className="form-error" role="alert">
      <p>{detail}</p>
      {problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            <li key={i}>
              {p.path && !p.message.startsWith(p.path) && <code>{p.path}: </code>}
              {p.message}
              {p.fix && <span className="muted"> — {p.fix}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
