// A sweep's results as one table (a header and rows), written as CSV (RFC 4180) or JSON. Metric
// figures are written as the shortest decimal that reads back as the same float32: the trainer
// computes them in float32 (tfjs), so digits past float32's precision are noise from the float64
// arithmetic that averaged them (0.09699999999999998 is written 0.097). Hyperparameters are float64
// values a user or a sampler chose and keep JavaScript's shortest float64 text.
import { printable } from "../terminal-text/index.ts";

export const EXPORT_FORMATS = ["csv", "json"] as const;
export const EXPORT_ROWS = ["runs", "epochs"] as const;

/** How a column's values are written; "counts" is a matrix of integers (an epoch's confusion matrix). */
export type ColumnKind = "text" | "integer" | "figure" | "parameter" | "counts";

export interface ExportColumn {
  name: string;
  kind: ColumnKind;
}

/** A matrix is a nested array in JSON and that array's JSON text in a CSV cell (one column, quoted). */
export type ExportValue = string | number | boolean | null | number[][];

export interface ExportTable {
  columns: ExportColumn[];
  /** One value per column, in the columns' order; null is an empty cell. */
  rows: ExportValue[][];
}

/** GET /api/sweeps/:id/export?format=json: the table's rows as objects keyed by column name. */
export interface SweepExportJson {
  sweepId: string;
  name: string;
  tags: string[];
  note: string | null;
  rows: (typeof EXPORT_ROWS)[number];
  columns: string[];
  data: Array<Record<string, ExportValue>>;
}

const FLOAT32_DIGITS = 9;

/** The shortest decimal text whose float32 is the float32 of `value` (at most 9 significant digits always suffice). */
export function float32Text(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const target = Math.fround(value);
  for (let digits = 1; ; digits++) {
    const text = String(Number(target.toPrecision(digits)));
    if (digits === FLOAT32_DIGITS || Math.fround(Number(text)) === target) return text;
  }
}

/** The value as the column's kind writes it; figures become the number float32Text reads. */
export function exportValue(kind: ColumnKind, value: ExportValue): ExportValue {
  if (typeof value === "number" && kind === "figure") return Number.isFinite(value) ? Number(float32Text(value)) : null;
  return value;
}

/** RFC 4180: CRLF line ends, every field with a comma, quote or line break quoted, quotes doubled. */
export function toCsv(table: ExportTable): string {
  const lines = [table.columns.map((column) => csvField(column.name)), ...table.rows.map((row) => row.map((value, i) => csvCell(table.columns[i].kind, value)))];
  return lines.map((fields) => `${fields.join(",")}\r\n`).join("");
}

export function toExportJson(table: ExportTable): Array<Record<string, ExportValue>> {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((column, i) => [column.name, exportValue(column.kind, row[i])])));
}

function csvCell(kind: ColumnKind, value: ExportValue): string {
  const written = exportValue(kind, value);
  if (written === null) return "";
  if (Array.isArray(written)) return csvField(JSON.stringify(written));
  return csvField(kind === "text" ? inertFormula(String(written)) : String(written));
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a
 * formula: user text that does is written with a leading apostrophe, as OWASP's CSV injection advice
 * has it. Numbers are not text cells, so -0.5 stays a number.
 */
function inertFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Text from users (sweep names, errors) never carries a raw control character: each is written as a visible escape. */
function csvField(text: string): string {
  const safe = printable(text);
  return /[",]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
