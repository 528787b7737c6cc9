import type uPlot from 'uplot';
import { Chart, type ChartOptions } from '../../ui/chart.js';

/**
 * A chart card of the overview: title, note, the canvas (named by a summary) and the same
 * numbers as a visually hidden table, so screen-reader users get the data, not just a summary.
 */
export function ChartFigure({
  title,
  note,
  options,
  data,
  label,
  table,
}: {
  title: string;
  note: string;
  options: ChartOptions;
  data: uPlot.AlignedData;
  label: string;
  table: {
    caption: string;
    columns: string[];
    rows: { key: string; head: string; cells: string[] }[];
  };
}) {
  return (
    <figure className="card overview-chart">
      <figcaption>
        <h2>{title}</h2>
        <span className="muted">{note}</span>
      </figcaption>
      <Chart options={options} data={data} label={label} />
      {/* Wrapped: a table ignores the 1px width of .visually-hidden and would widen the page. */}
      <div className="visually-hidden">
        <table>
          <caption>{table.caption}</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              {table.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.head}</th>
                {r.cells.map((c, i) => (
                  <td key={table.columns[i]}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
