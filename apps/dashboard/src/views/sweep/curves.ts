// Learning curves of the selected runs, one chart per metric, with smoothing, min-max bands, the
// selection shortcuts and a line saying how many runs are drawn.
import { CurveChart, type LineSeries } from "../../charts.ts";
import { seriesStyle } from "../../colors.ts";
import { h, setText } from "../../dom.ts";
import { routes } from "../../router.ts";
import { Throttle } from "../../scheduler.ts";
import { MAX_SMOOTHING } from "../../smoothing.ts";
import { CURVE_METRICS, minMaxBand, seriesOf } from "../../stability.ts";
import { prunedText, runDetails, runLabel } from "../run-labels.ts";
import { onInput, section, timed } from "../view.ts";
import { CHART_REDRAW_MS, drawnRuns, type Panel, type SweepState } from "./state.ts";

/** Above this many selected runs the min-max bands are left out: hundreds of shaded areas hide everything. */
export const BAND_LIMIT = 10;

export interface CurvesActions {
  /** Replaces the selection with these runs. */
  select(runIds: Iterable<string>): void;
  /** The runs the table's filter lets through. */
  filteredRunIds(): string[];
  /** state.smoothing changed: the other smoothed charts redraw. */
  smoothingChanged(): void;
}

export interface CurvesPanel extends Panel {
  render(): void;
  /** A redraw soon (at most one per CHART_REDRAW_MS). */
  request(): void;
  /** Picks out one run's curves (a hovered table row), or none. */
  highlight(runId: string | null): void;
  /** The "n of m runs drawn" line, after the selection or the epochs changed. */
  updateSelectionInfo(): void;
  /** Says that no run has epochs yet and how to get some (until the next redraw). */
  showWaiting(): void;
}

export function curvesPanel(state: SweepState, actions: CurvesActions): CurvesPanel {
  let showBands = true;
  let highlighted: string | null = null;
  const charts = CURVE_METRICS.map(
    (metric) => new CurveChart(`curves-${metric.key}`, { title: metric.label, yAxis: metric.axis, percent: metric.percent, onPick: (runId) => (location.hash = routes.run(runId)) }),
  );
  const redraw = new Throttle(render, CHART_REDRAW_MS);

  const smoothingLabel = h("output", { attrs: { for: "smoothing" } }, "off");
  const smoothingInput = h("input", { id: "smoothing", type: "range", attrs: { min: "0", max: String(MAX_SMOOTHING), step: "0.01" }, value: "0", aria: { label: "EMA smoothing" } });
  onInput(smoothingInput, (value) => {
    state.smoothing = Number(value);
    smoothingLabel.textContent = state.smoothing === 0 ? "off" : state.smoothing.toFixed(2);
    redraw.request();
    actions.smoothingChanged();
  });
  const bandsInput = h("input", { id: "bands", type: "checkbox" });
  bandsInput.checked = true;
  bandsInput.addEventListener("change", () => {
    showBands = bandsInput.checked;
    redraw.request();
  });
  const selectionInfo = h("span", { class: "selection-info", aria: { live: "polite" } });
  const selectButton = (label: string, pick: () => Iterable<string>) => h("button", { type: "button", on: { click: () => actions.select(pick()) } }, label);
  const controls = h("div", { class: "controls" },
    h("label", { for: "smoothing" }, "Smoothing (EMA) "), smoothingInput, smoothingLabel,
    h("label", { class: "check", title: "shade the range between the smallest and largest batch value of each epoch" }, bandsInput, " min–max band"),
    selectionInfo,
    h("span", { class: "buttons" },
      "Select: ",
      selectButton("all", () => state.detail?.runs.map((run) => run.id) ?? []),
      selectButton("none", () => []),
      selectButton("filtered", actions.filteredRunIds),
      selectButton("top 10", () => topRuns(state, 10)),
    ),
  );
  const grid = h("div", { class: "chart-grid" }, ...charts.map((chart) => chart.element));
  const note = h("p", { class: "note" });

  function updateSelectionInfo(): void {
    if (!state.detail) return;
    setText(selectionInfo, `${drawnRuns(state).length} of ${state.detail.runs.length} runs drawn (${state.selected.size} selected; runs without epochs have no curve)`);
  }

  function draw(): void {
    const runs = drawnRuns(state);
    const bands = showBands && runs.length <= BAND_LIMIT;
    for (const [i, metric] of CURVE_METRICS.entries()) {
      const series: LineSeries[] = runs.map((run) => {
        const rows = state.epochs.get(run.id)!;
        return {
          id: run.id,
          label: runLabel(run, state.format),
          details: runDetails(run, state.format),
          pruned: prunedText(run),
          style: seriesStyle(run.index),
          points: seriesOf(rows, metric.column),
          band: bands ? minMaxBand(rows, metric) : null,
        };
      });
      charts[i].setSeries(series, { smoothing: state.smoothing, showBands: bands });
    }
    grid.dataset.curves = String(runs.length);
    setText(
      note,
      showBands && !bands
        ? `Min–max bands are drawn for ${BAND_LIMIT} runs or fewer; ${runs.length} are selected. Test accuracy has no band (it is measured once per epoch).`
        : "Shaded: the smallest to largest batch value within each epoch. Test accuracy is measured once per epoch, so it has no band. A cross ends the curve of a pruned run (the tooltip says why). Hover a row to pick out its curve; click a curve to open the run.",
    );
    updateSelectionInfo();
  }

  function render(): void {
    timed("sweep:curves", draw);
  }

  return {
    element: section("Learning curves of the selected runs", "curves", controls, grid, note),
    render,
    request: () => redraw.request(),
    highlight(runId) {
      if (highlighted === runId) return;
      highlighted = runId;
      for (const chart of charts) chart.highlight(runId);
    },
    updateSelectionInfo,
    showWaiting: () => setText(note, "No epochs yet: curves appear here as workers finish epochs. Start a worker with `npx tsx apps/worker/main.ts` if none is running (see Workers)."),
    destroy() {
      redraw.cancel();
      for (const chart of charts) chart.destroy();
    },
  };
}

/** The n runs with the highest final test accuracy. */
function topRuns(state: SweepState, n: number): string[] {
  return [...(state.detail?.runs ?? [])]
    .filter((run) => typeof run.finalTestAccuracy === "number")
    .sort((a, b) => (b.finalTestAccuracy ?? 0) - (a.finalTestAccuracy ?? 0))
    .slice(0, n)
    .map((run) => run.id);
}
