// The run table: one row per run with its varying hyperparameters, status, worker, tags, live progress
// and summary figures; a text and a status filter; a checkbox per run that picks it for the curves.
import { seriesStyle } from "../../colors.ts";
import { badge, h, lineSwatch, link, notice, progressBar, setChildren } from "../../dom.ts";
import { routes } from "../../router.ts";
import { STABILITY_FIGURES, type StabilityFigure } from "../../stability.ts";
import { DataTable, type Column } from "../../table.ts";
import { RUN_STATUSES, type RunRow } from "../../../../../libs/results/contract.ts";
import { tagChips } from "../labels.ts";
import { progressText, prunedText, runFraction } from "../run-labels.ts";
import { onInput, section, select } from "../view.ts";
import { formatFigure, hyperparameter, totalEpochs, type SweepState } from "./state.ts";

export interface RunsActions {
  /** The checkbox of a run was ticked (shown) or cleared; state.selected is already updated. */
  selectionChanged(): void;
  /** The pointer entered a row (its run id) or left the table (null). */
  hover(runId: string | null): void;
  filterChanged(): void;
}

export interface RunsPanel {
  readonly element: HTMLElement;
  /** Builds the table for state.detail's runs, once the varying keys are known. */
  show(): void;
  /** New rows for the table (after a refetch); nothing before show(). */
  setRows(runs: RunRow[]): void;
  refreshRow(runId: string): void;
  /** The ids of the runs the filter lets through. */
  visibleRunIds(): string[];
  /** Filters the table by this text (a configuration key, say) and brings it into view when asked. */
  filterTo(text: string, reveal: boolean): void;
  /** Ticks the checkboxes of the selected runs (after the selection was replaced). */
  syncCheckboxes(): void;
}

export function runsPanel(state: SweepState, actions: RunsActions): RunsPanel {
  let table: DataTable<RunRow> | null = null;
  let filterText = "";
  let filterStatus = "";
  const filterInput = h("input", { type: "search", id: "run-filter", attrs: { placeholder: "filter: status, worker, lr=2.0e-4, tag=baseline, configKey…", autocomplete: "off" }, aria: { label: "filter runs" } });
  onInput(filterInput, (value) => {
    filterText = value;
    applyFilter();
  });
  const statusFilter = select("status", [{ value: "", label: "any status" }, ...RUN_STATUSES.map((status) => ({ value: status, label: status }))], "", "filter by status");
  onInput(statusFilter, (value) => {
    filterStatus = value;
    applyFilter();
  });
  const holder = h("div", { class: "table-scroll" });

  function matches(run: RunRow): boolean {
    if (filterStatus && run.status !== filterStatus) return false;
    const terms = filterText.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length === 0) return true;
    const haystack = [
      `#${run.index}`, run.id, run.configKey, run.status, run.workerId ?? "", `repeat=${run.repeat}`, ...run.tags.map((tag) => `tag=${tag}`),
      ...Object.entries(run.hyperparameters).flatMap(([key, value]) => [`${key}=${state.format.value(key, value)}`, `${key}=${String(value)}`]),
    ].join(" ").toLowerCase();
    return terms.every((term) => haystack.includes(term));
  }

  function applyFilter(): void {
    table?.setFilter(matches);
    actions.filterChanged();
  }

  function checkbox(run: RunRow): HTMLElement {
    const box = h("input", { type: "checkbox", aria: { label: `show run #${run.index}` }, dataset: { run: run.id } });
    box.checked = state.selected.has(run.id);
    box.addEventListener("change", () => {
      if (box.checked) state.selected.add(run.id);
      else state.selected.delete(run.id);
      actions.selectionChanged();
    });
    const style = seriesStyle(run.index);
    return h("label", { class: "pick" }, box, lineSwatch(style.color, style.dash, `colour of run #${run.index}`));
  }

  function columns(): Column<RunRow>[] {
    const E = () => totalEpochs(state);
    const figureColumn = (fig: StabilityFigure): Column<RunRow> => ({
      key: fig.key,
      label: fig.label,
      help: `${fig.help} (${fig.better} is better)`,
      numeric: true,
      sort: (run) => run.summary?.[fig.key] ?? null,
      render: (run) => formatFigure(fig, run.summary?.[fig.key] ?? null),
    });
    return [
      { key: "select", label: "Show", help: "draw this run's curves", render: checkbox },
      { key: "index", label: "#", numeric: true, sort: (run) => run.index, render: (run) => link(routes.run(run.id), `#${run.index}`) },
      { key: "repeat", label: "repeat", numeric: true, sort: (run) => run.repeat, render: (run) => String(run.repeat) },
      ...state.keys.map((key): Column<RunRow> => ({
        key: `hp-${key}`,
        label: key,
        help: `hyperparameter ${key}`,
        numeric: true,
        className: `hp-${key}`,
        sort: (run) => sortable(hyperparameter(run.hyperparameters, key)),
        render: (run) => state.format.value(key, hyperparameter(run.hyperparameters, key)),
      })),
      { key: "status", label: "status", sort: (run) => run.status, render: statusCell },
      { key: "worker", label: "worker", sort: (run) => run.workerId, render: (run) => (run.workerId ? h("span", { title: `${run.backend ?? ""} ${run.device ?? ""}` }, run.workerId) : "–") },
      { key: "tags", label: "tags", help: "its tags; its note on hover (edit both on the run's page)", render: (run) => h("span", { title: run.note ?? undefined }, tagChips(run.tags)) },
      {
        key: "progress",
        label: "progress",
        help: "epochs trained; live batch progress while running",
        sort: (run) => runFraction(run, E(), state.progress.get(run.id)),
        render: (run) => {
          const live = state.progress.get(run.id);
          return [progressBar(runFraction(run, E(), live), progressText(run, E(), live)), h("div", { class: "sub" }, progressText(run, E(), live))];
        },
      },
      ...STABILITY_FIGURES.filter((fig) => fig.key !== "lastKMeanTestAccuracy" && fig.key !== "maxGLoss").map(figureColumn),
    ];
  }

  return {
    element: section("Runs", "runs", h("div", { class: "controls" }, filterInput, statusFilter), holder),
    show() {
      const runs = state.detail?.runs ?? [];
      table = new DataTable<RunRow>({
        id: "run-table",
        columns: columns(),
        rowId: (run) => run.id,
        initialSort: { key: "index", direction: "asc" },
        rowClass: (run) => `status-row-${run.status}`,
        onRowHover: actions.hover,
      });
      table.setRows(runs);
      setChildren(holder, runs.length === 0 ? notice("empty", "This sweep has no runs.") : table.element);
    },
    setRows: (runs) => table?.setRows(runs),
    refreshRow: (runId) => table?.refreshRow(runId),
    visibleRunIds: () => table?.visibleRows().map((run) => run.id) ?? [],
    filterTo(text, reveal) {
      filterText = text;
      filterInput.value = text;
      applyFilter();
      if (reveal) table?.element.scrollIntoView({ block: "nearest", behavior: "smooth" });
    },
    syncCheckboxes() {
      for (const box of holder.querySelectorAll<HTMLInputElement>("input[data-run]")) box.checked = state.selected.has(box.dataset.run!);
    },
  };
}

/** The badge, and why the run failed or was pruned. */
function statusCell(run: RunRow): Array<HTMLElement | null> {
  const pruned = prunedText(run);
  return [
    badge(run.status),
    run.error ? h("div", { class: "sub error-text", title: run.error }, run.error.slice(0, 60)) : null,
    pruned ? h("div", { class: "sub pruned-reason", title: pruned }, pruned) : null,
  ];
}

function sortable(value: unknown): number | string | null {
  if (typeof value === "number") return value;
  if (value === null || value === undefined) return null;
  return String(value);
}
