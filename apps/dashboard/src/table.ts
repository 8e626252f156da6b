// A sortable, filterable table keyed by row id. Rows are rebuilt only when asked (setRows, refresh);
// a live update re-renders the one row it concerns.
import { h, type Child } from "./dom.ts";

export type SortValue = number | string | null;

export interface Column<T> {
  key: string;
  label: string;
  /** Header tooltip: what the column means, with its unit. */
  help?: string;
  /** The value sorted by; null sorts last either way. Omit for an unsortable column. */
  sort?: (row: T) => SortValue;
  render: (row: T) => Child | Child[];
  numeric?: boolean;
  className?: string;
}

export interface TableOptions<T> {
  id: string;
  caption?: string;
  columns: Column<T>[];
  rowId: (row: T) => string;
  initialSort?: { key: string; direction: "asc" | "desc" };
  onRowHover?: (id: string | null) => void;
  rowClass?: (row: T) => string;
}

export class DataTable<T> {
  readonly element: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly headers = new Map<string, HTMLTableCellElement>();
  private readonly rowElements = new Map<string, HTMLTableRowElement>();
  private rows: T[] = [];
  private filter: (row: T) => boolean = () => true;
  private sort: { key: string; direction: "asc" | "desc" } | null;
  private visible: T[] = [];

  constructor(private readonly options: TableOptions<T>) {
    this.sort = options.initialSort ?? null;
    this.body = h("tbody");
    const headRow = h("tr");
    for (const column of options.columns) {
      const th = h("th", { attrs: { scope: "col" }, class: [column.numeric ? "num" : "", column.className ?? ""].join(" ").trim(), title: column.help });
      if (column.sort) {
        th.appendChild(h("button", { type: "button", class: "sort", on: { click: () => this.toggleSort(column.key) } }, column.label));
      } else {
        th.textContent = column.label;
      }
      this.headers.set(column.key, th);
      headRow.appendChild(th);
    }
    this.element = h("table", { id: options.id, class: "data-table" }, options.caption ? h("caption", null, options.caption) : null, h("thead", null, headRow), this.body);
    if (options.onRowHover) {
      const hover = options.onRowHover;
      this.body.addEventListener("mouseover", (event) => {
        const row = (event.target as Element).closest("tr");
        hover(row?.dataset.id ?? null);
      });
      this.body.addEventListener("mouseleave", () => hover(null));
    }
    this.updateHeaders();
  }

  setRows(rows: T[]): void {
    this.rows = rows;
    this.render();
  }

  setFilter(filter: (row: T) => boolean): void {
    this.filter = filter;
    this.render();
  }

  /** The rows that pass the filter, in display order. */
  visibleRows(): T[] {
    return this.visible;
  }

  /** Re-renders one row in place (after a live update of its data). */
  refreshRow(id: string): void {
    const element = this.rowElements.get(id);
    const row = this.rows.find((candidate) => this.options.rowId(candidate) === id);
    if (!element || !row) return;
    const fresh = this.renderRow(row);
    element.replaceWith(fresh);
    this.rowElements.set(id, fresh);
  }

  render(): void {
    this.visible = this.rows.filter(this.filter);
    const column = this.sort ? this.options.columns.find((candidate) => candidate.key === this.sort!.key) : undefined;
    if (column?.sort) {
      const value = column.sort;
      const sign = this.sort!.direction === "asc" ? 1 : -1;
      this.visible = this.visible
        .map((row, i) => ({ row, i, v: value(row) }))
        .sort((a, b) => compare(a.v, b.v, sign) || a.i - b.i)
        .map(({ row }) => row);
    }
    this.rowElements.clear();
    const fragment = document.createDocumentFragment();
    for (const row of this.visible) {
      const element = this.renderRow(row);
      this.rowElements.set(this.options.rowId(row), element);
      fragment.appendChild(element);
    }
    this.body.replaceChildren(fragment);
    this.element.dataset.rows = String(this.visible.length);
  }

  private renderRow(row: T): HTMLTableRowElement {
    const tr = h("tr", { dataset: { id: this.options.rowId(row) }, class: this.options.rowClass?.(row) });
    for (const column of this.options.columns) {
      const rendered = column.render(row);
      const td = h("td", { class: [column.numeric ? "num" : "", column.className ?? ""].join(" ").trim() || undefined }, ...(Array.isArray(rendered) ? rendered : [rendered]));
      tr.appendChild(td);
    }
    return tr;
  }

  private toggleSort(key: string): void {
    if (this.sort?.key === key) this.sort = { key, direction: this.sort.direction === "asc" ? "desc" : "asc" };
    else this.sort = { key, direction: this.options.columns.find((column) => column.key === key)?.numeric ? "desc" : "asc" };
    this.updateHeaders();
    this.render();
  }

  private updateHeaders(): void {
    for (const [key, th] of this.headers) {
      if (this.sort?.key === key) th.setAttribute("aria-sort", this.sort.direction === "asc" ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
  }
}

/** Nulls and NaN last in either direction; numbers numerically, strings naturally. */
export function compare(a: SortValue, b: SortValue, sign: 1 | -1): number {
  const missingA = a === null || (typeof a === "number" && Number.isNaN(a));
  const missingB = b === null || (typeof b === "number" && Number.isNaN(b));
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return (a - b) * sign;
  return String(a).localeCompare(String(b), undefined, { numeric: true }) * sign;
}
