import { printable } from "../../../libs/terminal-text/index.ts";

export interface Column {
  header: string;
  /** Numbers read best right-aligned, so that their digits line up. */
  align?: "left" | "right";
}

/**
 * A plain-text table: a header row, then one row per entry, columns padded to their widest cell. Cells
 * are shown printable(): most hold what users or the API wrote.
 */
export function table(columns: readonly Column[], rows: readonly string[][]): string {
  const shown = [columns.map((column) => column.header), ...rows].map((cells) => cells.map(printable));
  const widths = columns.map((_, i) => Math.max(...shown.map((cells) => cells[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i].align === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return shown.map(line).join("\n");
}
