// The stability map: one point per configuration, learning rate against batch size, coloured by the
// chosen summary figure (mean over its completed repeats); configurations that share a place are
// spread around it.
import { StabilityMap } from "../../charts.ts";
import { configurationPoints, domainOf, log2Range, logRange, STABILITY_FIGURES, stabilityFigure } from "../../stability.ts";
import { onInput, select } from "../view.ts";
import { chartSection, formatFigure, type Panel, type SweepState } from "./state.ts";

export interface StabilityMapPanel extends Panel {
  render(): void;
}

/** onPick: a point (its configuration key) was clicked. */
export function stabilityMapPanel(state: SweepState, onPick: (configKey: string) => void): StabilityMapPanel {
  let figureKey = "finalTestAccuracy";
  const map = new StabilityMap(onPick);
  const figureSelect = select("mapFigure", STABILITY_FIGURES.map((f) => ({ value: f.key, label: f.label })), figureKey, "colour the map by");
  onInput(figureSelect, (value) => {
    figureKey = value;
    render();
  });

  function render(): void {
    if (!state.detail) return;
    const fig = stabilityFigure(figureKey);
    const pts = configurationPoints(state.detail.configurations, state.detail.runs, fig.key);
    map.setPoints(pts, {
      figureLabel: fig.label,
      describe: (point) => state.format.label(point.params) || `lr ${state.format.value("lr", point.lr)}, batch size ${point.batchSize}`,
      better: fig.better,
      format: (value) => formatFigure(fig, value),
      domain: domainOf(pts.map((p) => p.value)),
      xRange: logRange(pts.map((p) => p.lr)),
      yRange: log2Range(pts.map((p) => p.batchSize)),
    });
  }

  return {
    element: chartSection(
      "Stability map",
      "stability",
      "Each point is a configuration: learning rate against batch size, coloured by the chosen figure (mean over its completed repeats). Configurations at the same learning rate and batch size (another hyperparameter tells them apart) sit on a small ring around it. Click a point to list its runs.",
      { label: "Colour by ", element: figureSelect },
      map.element,
    ),
    render,
    destroy: () => map.destroy(),
  };
}
