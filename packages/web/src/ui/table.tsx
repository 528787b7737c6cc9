/** A column of {@link TableHead}: its name, or its name and how it shows. */
export type Column = string | { label: string; num?: boolean; hidden?: boolean };

/**
 * The head of a data table: a caption for screen readers (when given) and the column headers.
 * A `num` column is right-aligned like its figures; a `hidden` one (a column of buttons) is
 * named for screen readers only.
 */
export function TableHead({ caption, columns }: { caption?: string; columns: readonly Column[] }) {
  return (
    <>
      {caption && <caption className="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => {
            const col = typeof c === 'string' ? { label: c } : c;
            return (
              <th key={col.label} scope="col" className={col.num ? 'num' : undefined}>
                {col.hidden ? <span className="visually-hidden">{col.label}</span> : col.label}
              </th>
            );
          })}
        </tr>
      </thead>
    </>
  );
}
