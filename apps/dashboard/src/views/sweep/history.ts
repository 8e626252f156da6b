// The optimization history: the objective value of every trial in the order the study asked for
// it, with the best found so far, as the API values them (GET /api/sweeps/:id `trials`).
import { historyLegend, OptimizationHistory } from "../../search-charts.ts";
import { figure, percent } from "../../format.ts";
import { historySeries, isPercentMetric, objectiveLabel } from "../../search.ts";
import { h, setText } from "../../dom.ts";
import { section } from "../view.ts";
import { configurationDetails } from "../run-labels.ts";
import type { Panel, SweepState } from "./state.ts";

export interface HistoryPanel extends Panel {
  render(): void;
}

export function historyPanel(state: SweepState): HistoryPanel {
  const chart = new OptimizationHistory();
  const note = h("p", { class: "note" });

  function render(): void {
    const sweep = state.detail;
    if (!sweep) return;
    const { objective } = sweep.config;
    const series = historySeries(sweep.trials);
    const format = (value: number) => (isPercentMetric(objective) ? percent(value, 2) : figure(value, 4));
    chart.setData({
      ...series,
      trials: sweep.trials.length,
      format,
      yAxis: objectiveLabel(objective),
      describe: (trial) => configurationDetails(trial.hyperparameters, state.format),
    });
    const waiting = sweep.trials.filter((trial) => trial.state === "running").length;
    const best = series.best.at(-1);
    setText(
      note,
      `${sweep.trials.length} trials (configurations; repeats count as one), ${objective.direction === "maximize" ? "higher" : "lower"} is better` +
        (best ? `; best so far ${format(best.y)}` : "; no trial complete yet") +
        (waiting > 0 ? `; ${waiting} still training` : "") + ".",
    );
  }

  return {
    element: section(
      "Optimization history",
      "history",
      h("p", { class: "note" }, "Each trial's objective value, in the order the study asked for it: complete trials over their completed repeats (the ranking's score), pruned trials at the last value they reported. The line is the best complete trial so far."),
      chart.element,
      historyLegend(),
      note,
    ),
    render,
    destroy: () => chart.destroy(),
  };
}
