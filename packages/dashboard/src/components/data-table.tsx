// The frame every table of records shares: the box that scrolls sideways on a phone, a name for
// screen readers, one heading per column, and what an empty list means instead of an empty table.
import type { ComponentChildren } from 'preact';
import { Empty } from './states';

export interface DataTableProps<Row> {
  /** The table's name, read by screen readers only (a visually hidden caption). */
  caption?: ComponentChildren;
  /**
   * Names the scrolling box and lets it take focus, so a keyboard can scroll a wide table
   * sideways (for tables that carry no caption).
   */
  region?: string;
  /** The column headings; `false` leaves out a column that is shown only sometimes. */
  columns: readonly (string | false)[];
  rows: readonly Row[];
  /** One record's `<tr>`, with its key. */
  row: (record: Row) => ComponentChildren;
  /** Said instead of a table with no rows; without it, such a table shows its headings only. */
  empty?: ComponentChildren;
}

export function DataTable<Row>({ caption, region, columns, rows, row, empty }: DataTableProps<Row>) {
  if (empty !== undefined && rows.length === 0) return <Empty>{empty}</Empty>;
  const table = (
    <table>
      {caption ? <caption class="sr-only">{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((heading) =>
            heading === false ? null : (
              <th scope="col" key={heading}>
                {heading}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>{rows.map(row)}</tbody>
    </table>
  );
  if (!region) return <div class="table-wrap">{table}</div>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the table scrolls sideways on a phone; focus lets a keyboard scroll it
    <section class="table-wrap" tabIndex={0} aria-label={region}>
      {table}
    </section>
  );
}
