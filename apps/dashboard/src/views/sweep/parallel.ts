// Parallel coordinates: every hyperparameter that varies and the objective, a line per trial,
// coloured by its objective value. Shows which regions of the space the study found good.
import { figure, percent } from "../../format.ts";
import { ParallelCoordinates } from "../../search-charts.ts";
import { isPercentMetric, objectiveShade, parallelAxes } from "../../search.ts";
import { h } from "../../dom.ts";
import { section } from "../view.ts";
import { configurationDetails } from "../run-labels.ts";
import type { Panel, SweepState } from "./state.ts";

export interface ParallelPanel extends Panel {
  render(): void;
}

/** onPick: a line (its configuration key) was clicked. */
export function parallelPanel(state: SweepState, onPick: (configKey: string) => void): ParallelPanel {
  const chart = new ParallelCoordinates(onPick, (trial) => configurationDetails(trial.hyperparameters, state.format));

  function render(): void {
    const sweep = state.detail;
    if (!sweep) return;
    const { objective } = sweep.config;
    const shade = objectiveShade(sweep.trials, objective);
    const format = (value: number) => (isPercentMetric(objective) ? percent(value, 2) : figure(value, 4));
    chart.setData(parallelAxes(sweep.trials, sweep.config.parameters, state.format, objective), sweep.trials.map((trial) => ({ trial, shade: shade(trial) })), format);
  }

  return {
    element: section(
      "Parallel coordinates",
      "parallel",
      h("p", { class: "note" }, "One axis per hyperparameter that varies (log scale for log-uniform and power-of-two ranges, one tick per value for choices), then the objective; one line per trial, bright for the better values. Pruned trials are dashed and end with a cross; grey lines have no value yet. Click a line to list its runs."),
      chart.element,
    ),
    render,
    destroy: () => chart.destroy(),
  };
}
