import type { CSSProperties, ReactNode } from "react";

/** A column's heading; a numeric column is right-aligned (`th.num`, as its cells are `td.num`). */
export type Column = string | { label: string; numeric?: boolean };

interface DataTableProps {
  columns: readonly Column[];
  caption?: string;
  /** Sits on the page as a card of its own, the table edge to edge. */
  card?: boolean;
  style?: CSSProperties;
  tableClassName?: string;
  /** The rows. */
  children: ReactNode;
}

/** A table that scrolls sideways when narrow: its caption, one row of column headings, and the rows. */
export function DataTable({ columns, caption, card, style, tableClassName, children }: DataTableProps) {
  return (
    <div className={card ? "table-wrap card" : "table-wrap"} style={card ? { padding: 0, ...style } : style}>
      <table className={tableClassName}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => {
              const { label, numeric } = typeof column === "string" ? { label: column, numeric: false } : column;
              return (
                <th scope="col" className={numeric ? "num" : undefined} key={label}>
                  {label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
