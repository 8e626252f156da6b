export interface Column {
  header: string;
  /** Numbers read best right-aligned, so that their digits line up. */
  align?: "left" | "right";
}

/** A plain-text table: a header row, then one row per entry, columns padded to their widest cell. */
export function table(columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i].align === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join("\n");
}
