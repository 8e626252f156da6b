// Across repeats: per configuration, the mean of its selected repeats per epoch, shaded ± one
// standard deviation, for the chosen metric.
import { CurveChart, type LineSeries } from "../../charts.ts";
import { PALETTE } from "../../colors.ts";
import { h, lineSwatch, setChildren, setText } from "../../dom.ts";
import { Throttle } from "../../scheduler.ts";
import { CURVE_METRICS, curveMetric, repeatBand, type CurveMetric } from "../../stability.ts";
import type { RunRow } from "../../../../../libs/results/contract.ts";
import { configurationDetails } from "../run-labels.ts";
import { onInput, select } from "../view.ts";
import { CHART_REDRAW_MS, chartSection, drawnRuns, type Panel, type SweepState } from "./state.ts";

export interface RepeatsPanel extends Panel {
  render(): void;
  /** A redraw soon (at most one per CHART_REDRAW_MS). */
  request(): void;
}

export function repeatsPanel(state: SweepState): RepeatsPanel {
  let metric = curveMetric("testAccuracy");
  // The axis title and unit depend on the metric: another metric gets a fresh chart.
  const chartFor = (shown: CurveMetric) => new CurveChart("repeats", { title: `Mean ± std across repeats: ${shown.label}`, yAxis: shown.axis, percent: shown.percent });
  let chart = chartFor(metric);
  let holder = h("div", { class: "repeats-chart" }, chart.element);
  const redraw = new Throttle(render, CHART_REDRAW_MS);
  const metricSelect = select("repeatsMetric", CURVE_METRICS.map((m) => ({ value: m.key, label: m.label })), metric.key, "metric across repeats");
  onInput(metricSelect, (value) => {
    switchMetric(curveMetric(value));
    render();
  });
  const note = h("p", { class: "note" });
  const legend = h("ul", { class: "chart-legend", aria: { label: "configurations drawn" } });

  function switchMetric(next: CurveMetric): void {
    if (next.key === metric.key) return;
    metric = next;
    chart.destroy();
    chart = chartFor(metric);
    const fresh = h("div", { class: "repeats-chart" }, chart.element);
    holder.replaceWith(fresh);
    holder = fresh;
  }

  function render(): void {
    if (!state.detail) return;
    const groups = new Map<string, RunRow[]>();
    for (const run of drawnRuns(state)) {
      const group = groups.get(run.configKey);
      if (group) group.push(run);
      else groups.set(run.configKey, [run]);
    }
    const configOrder = [...new Set(state.detail.runs.map((run) => run.configKey))];
    const series: LineSeries[] = [...groups].map(([configKey, members]) => {
      const band = repeatBand(members.map((run) => state.epochs.get(run.id)!), metric.column);
      const colorIndex = configOrder.indexOf(configKey);
      const name = state.format.label(members[0].hyperparameters) || `configuration ${configKey}`;
      return {
        id: configKey,
        label: `${name} (${members.length} repeat${members.length === 1 ? "" : "s"})`,
        details: configurationDetails(members[0].hyperparameters, state.format),
        style: { color: PALETTE[colorIndex % PALETTE.length], dash: [] },
        points: band.map((p) => ({ x: p.epoch, y: p.mean })),
        band: { lower: band.map((p) => ({ x: p.epoch, y: p.mean - p.std })), upper: band.map((p) => ({ x: p.epoch, y: p.mean + p.std })) },
      };
    });
    chart.setSeries(series, { smoothing: state.smoothing, showBands: true });
    setChildren(legend, ...series.map((item) => h("li", { dataset: { config: item.id } }, lineSwatch(item.style.color, item.style.dash), " ", item.label)));
    const single = [...groups.values()].every((members) => members.length < 2);
    setText(note, groups.size === 0 ? "No selected run has epochs yet." : single ? "Each configuration shown has one run with epochs, so there is no spread yet." : `${groups.size} configurations.`);
  }

  return {
    element: chartSection(
      "Across repeats",
      "repeats",
      "Per configuration: the mean of its repeats per epoch, shaded ± one standard deviation.",
      { label: "Metric ", element: metricSelect },
      holder,
      legend,
      note,
    ),
    render,
    request: () => redraw.request(),
    destroy() {
      redraw.cancel();
      chart.destroy();
    },
  };
}
