// The charts that show a study's search: the optimization history and the parameter importance
// (Chart.js, like the other charts), and parallel coordinates (drawn straight onto a canvas: Chart.js
// has no such chart, and a plugin for one would weigh more than these hundred lines).
import { BarController, BarElement, CategoryScale, Chart, type TooltipModel } from "chart.js";
import { crossMark, POINT_HOVER, STATIC_CHART_OPTIONS } from "./charts.ts";
import { NO_VALUE_COLOR, sequentialColor, sequentialGradient, withAlpha } from "./colors.ts";
import { h, setChildren } from "./dom.ts";
import { nearestPolyline } from "./draw.ts";
import type { HistoryPoint, ParallelAxis } from "./search.ts";
import type { SweepTrial } from "../../../libs/results/contract.ts";

Chart.register(BarController, BarElement, CategoryScale);

const COMPLETE_COLOR = "#0067a5";
const PRUNED_COLOR = "#be0032";
const BEST_COLOR = "#f38400";

export interface HistoryData {
  complete: HistoryPoint[];
  pruned: HistoryPoint[];
  best: Array<{ x: number; y: number }>;
  trials: number;
  /** The value as text (with its unit). */
  format: (value: number) => string;
  yAxis: string;
  /** Tooltip lines under the value: the trial's hyperparameters. */
  describe: (trial: SweepTrial) => string[];
}

/** Objective value per trial in the order asked: complete trials as dots, pruned ones as crosses at their last value, and the best so far as steps. */
export class OptimizationHistory {
  readonly element: HTMLElement;
  private readonly chart: Chart<"scatter", Array<{ x: number; y: number }>>;
  private readonly tooltip: HTMLElement;
  private data: HistoryData | null = null;

  constructor() {
    const canvas = h("canvas", { aria: { label: "optimization history: objective value per trial" }, attrs: { role: "img" } });
    this.tooltip = h("div", { class: "chart-tooltip", role: "tooltip" });
    this.tooltip.hidden = true;
    this.element = h("figure", { class: "chart", dataset: { chart: "history", complete: "0", pruned: "0" } }, h("div", { class: "chart-box" }, canvas, this.tooltip));
    const areaPlugin = {
      id: "historyArea",
      afterDraw: (chart: Chart<"scatter", Array<{ x: number; y: number }>>) => {
        const { left, top, width, height } = chart.chartArea;
        this.element.dataset.area = [left, top, width, height].map(Math.round).join(",");
      },
    };
    this.chart = new Chart<"scatter", Array<{ x: number; y: number }>>(canvas, {
      type: "scatter",
      data: {
        datasets: [
          { label: "complete", data: [], pointRadius: 4.5, pointHoverRadius: 6, pointHitRadius: 6, backgroundColor: COMPLETE_COLOR, borderColor: "#ffffff", borderWidth: 1 },
          { label: "pruned", data: [], pointStyle: "crossRot", pointRadius: 6, pointHoverRadius: 7, pointHitRadius: 6, borderColor: PRUNED_COLOR, borderWidth: 2.5 },
          { label: "best so far", data: [], showLine: true, stepped: "after", borderColor: BEST_COLOR, borderWidth: 2, pointRadius: 0, pointHitRadius: 0 },
        ],
      },
      options: {
        ...STATIC_CHART_OPTIONS,
        interaction: POINT_HOVER,
        scales: {
          x: { type: "linear", title: { display: true, text: "trial (in the order asked)" }, ticks: { precision: 0, callback: (value) => (Number.isInteger(Number(value)) ? String(value) : "") } },
          y: { type: "linear", title: { display: true, text: "objective" }, ticks: { callback: (value) => this.data?.format(Number(value)) ?? String(value) } },
        },
        plugins: { tooltip: { enabled: false, external: ({ tooltip }) => this.showTooltip(tooltip) } },
      },
      plugins: [areaPlugin],
    });
  }

  setData(data: HistoryData): void {
    this.data = data;
    const [complete, pruned, best] = this.chart.data.datasets;
    complete.data = data.complete.map(({ x, y }) => ({ x, y }));
    pruned.data = data.pruned.map(({ x, y }) => ({ x, y }));
    // The last best holds to the end of the axis.
    best.data = data.best.length > 0 ? [...data.best, { x: data.trials - 0.5, y: data.best[data.best.length - 1].y }] : [];
    const scales = this.chart.options.scales!;
    Object.assign(scales.x!, { min: -0.5, max: Math.max(0.5, data.trials - 0.5) });
    Object.assign(scales.y!, { title: { display: true, text: data.yAxis } });
    this.tooltip.hidden = true;
    this.chart.update("none");
    this.element.dataset.trials = String(data.trials);
    this.element.dataset.complete = String(data.complete.length);
    this.element.dataset.pruned = String(data.pruned.length);
    this.element.dataset.best = data.best.length > 0 ? String(data.best[data.best.length - 1].y) : "";
  }

  destroy(): void {
    this.chart.destroy();
  }

  private showTooltip(model: TooltipModel<"scatter">): void {
    const item = model.dataPoints?.find((point) => point.datasetIndex < 2);
    const point = item && this.data ? (item.datasetIndex === 0 ? this.data.complete : this.data.pruned)[item.dataIndex] : undefined;
    if (model.opacity === 0 || !point || !this.data) {
      this.tooltip.hidden = true;
      return;
    }
    const { trial } = point;
    const state = trial.state === "pruned" ? `pruned at epoch ${trial.step}` : trial.state;
    setChildren(
      this.tooltip,
      h("div", { class: "chart-tooltip-title" }, `trial ${trial.number}, ${state}`),
      h("div", null, `${this.data.yAxis}: ${this.data.format(point.y)}`),
      trial.prunedReason ? h("div", { class: "chart-tooltip-pruned" }, trial.prunedReason) : null,
      ...this.data.describe(trial).map((line) => h("div", { class: "chart-tooltip-detail" }, line)),
    );
    this.tooltip.hidden = false;
    const box = this.tooltip.parentElement!.getBoundingClientRect();
    const left = model.caretX + 12 + this.tooltip.offsetWidth > box.width ? model.caretX - 12 - this.tooltip.offsetWidth : model.caretX + 12;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${Math.max(0, Math.min(box.height - this.tooltip.offsetHeight, model.caretY - 10))}px`;
  }
}

const IMPORTANCE_COLOR = "#0067a5";
const IMPORTANCE_ROW_PX = 28;
/** A bar chart of a few labelled values: Chart.js parses them (the point charts hand it pixels-ready data). */
const { parsing: _prepared, ...PARSED_CHART_OPTIONS } = STATIC_CHART_OPTIONS;

/** Parameter importance as horizontal bars, most important on top: each parameter's share (0 to 1) of what the parameters explain. */
export class ImportanceBars {
  readonly element: HTMLElement;
  private readonly box: HTMLElement;
  private readonly chart: Chart<"bar", number[], string>;

  constructor() {
    const canvas = h("canvas", { aria: { label: "parameter importance: each parameter's share of the objective's variance" }, attrs: { role: "img" } });
    this.box = h("div", { class: "chart-box" }, canvas);
    this.element = h("figure", { class: "chart", dataset: { chart: "importance", parameters: "" } }, this.box);
    this.chart = new Chart<"bar", number[], string>(canvas, {
      type: "bar",
      data: { labels: [], datasets: [{ label: "importance", data: [], backgroundColor: IMPORTANCE_COLOR, barPercentage: 0.8, categoryPercentage: 0.9 }] },
      options: {
        ...PARSED_CHART_OPTIONS,
        indexAxis: "y",
        scales: {
          x: { type: "linear", min: 0, max: 1, title: { display: true, text: "share of the variance the parameters explain" }, ticks: { callback: (value) => `${Math.round(Number(value) * 100)}%` } },
          y: { type: "category" },
        },
        plugins: { tooltip: { callbacks: { label: (item) => `${(100 * (item.parsed.x ?? 0)).toPrecision(3)}%` } } },
      },
    });
  }

  setData(parameters: ReadonlyArray<{ name: string; importance: number }>): void {
    this.chart.data.labels = parameters.map((parameter) => parameter.name);
    this.chart.data.datasets[0].data = parameters.map((parameter) => parameter.importance);
    this.box.style.height = `${60 + IMPORTANCE_ROW_PX * parameters.length}px`;
    this.element.hidden = parameters.length === 0;
    this.chart.resize();
    this.chart.update("none");
    this.element.dataset.parameters = parameters.map((parameter) => parameter.name).join(",");
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** The legend under the history: what the marks mean. */
export function historyLegend(): HTMLElement {
  const mark = (className: string, text: string) => h("li", null, h("span", { class: `legend-mark ${className}`, aria: { hidden: "true" } }), ` ${text}`);
  return h("ul", { class: "chart-legend" }, mark("legend-complete", "complete trial"), mark("legend-pruned", "pruned trial (its last value)"), mark("legend-best", "best so far"));
}

export interface ParallelLine {
  trial: SweepTrial;
  /** Position along the colour scale (1 = best), NaN without a value. */
  shade: number;
}

const MARGIN = { top: 34, bottom: 22, side: 56 };

/**
 * Parallel coordinates: a vertical axis per varying hyperparameter and one for the objective, a line
 * per trial through its values, coloured by its objective value (bright = better); pruned trials
 * dashed, trials without a value grey.
 */
export class ParallelCoordinates {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly labels: HTMLElement;
  private readonly tooltip: HTMLElement;
  private axes: ParallelAxis[] = [];
  private lines: ParallelLine[] = [];
  private projected: Array<{ px: Float64Array; py: Float64Array }> = [];
  private hovered = -1;
  private readonly onResize = () => this.draw();

  constructor(private readonly onPick: (configKey: string) => void, private readonly describe: (trial: SweepTrial) => string[], private format: (value: number) => string = String) {
    this.canvas = h("canvas", { aria: { label: "parallel coordinates: every varying hyperparameter and the objective, a line per trial" }, attrs: { role: "img" } });
    this.labels = h("div", { class: "axis-labels" });
    this.tooltip = h("div", { class: "chart-tooltip", role: "tooltip" });
    this.tooltip.hidden = true;
    const colorBar = h("div", { class: "color-bar-scale" }, h("span", { class: "color-bar-end" }, "worse"), h("span", { class: "color-bar-gradient", style: { backgroundImage: sequentialGradient() }, aria: { hidden: "true" } }), h("span", { class: "color-bar-end" }, "better"));
    this.element = h("figure", { class: "chart parallel", dataset: { chart: "parallel", lines: "0", axes: "" } }, h("div", { class: "chart-box parallel-box" }, this.labels, this.canvas, this.tooltip), colorBar);
    this.canvas.addEventListener("mousemove", (event) => this.hover(event.offsetX, event.offsetY));
    this.canvas.addEventListener("mouseleave", () => this.setHovered(-1));
    this.canvas.addEventListener("click", () => {
      const line = this.lines[this.hovered];
      if (line) this.onPick(line.trial.configKey);
    });
    window.addEventListener("resize", this.onResize);
  }

  setData(axes: ParallelAxis[], lines: ParallelLine[], format: (value: number) => string): void {
    this.axes = axes;
    this.lines = lines;
    this.format = format;
    this.hovered = -1;
    this.tooltip.hidden = true;
    this.element.dataset.axes = axes.map((axis) => `${axis.key}:${axis.kind}`).join(",");
    this.element.dataset.lines = String(lines.length);
    this.draw();
  }

  destroy(): void {
    window.removeEventListener("resize", this.onResize);
  }

  private axisX(i: number, width: number): number {
    return this.axes.length < 2 ? width / 2 : MARGIN.side + (i * (width - 2 * MARGIN.side)) / (this.axes.length - 1);
  }

  private draw(): void {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (width === 0 || height === 0) return;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const plotHeight = height - MARGIN.top - MARGIN.bottom;
    const y = (at: number) => MARGIN.top + (1 - at) * plotHeight;
    this.projected = this.lines.map((line) => {
      const px = new Float64Array(this.axes.length);
      const py = new Float64Array(this.axes.length);
      this.axes.forEach((axis, i) => {
        px[i] = this.axisX(i, width);
        const value = axis.key === "objective" ? line.trial.value : (line.trial.hyperparameters as unknown as Record<string, unknown>)[axis.key];
        py[i] = y(axis.position(value));
      });
      return { px, py };
    });
    // Grey lines (no value yet) first, then the valued ones from worst to best, so the best lie on top.
    const order = this.lines.map((_, i) => i).sort((a, b) => (Number.isNaN(this.lines[a].shade) ? -1 : this.lines[a].shade) - (Number.isNaN(this.lines[b].shade) ? -1 : this.lines[b].shade));
    for (const i of order) this.stroke(ctx, i, i === this.hovered ? 3 : 1.6, this.hovered >= 0 && i !== this.hovered);
    if (this.hovered >= 0) this.stroke(ctx, this.hovered, 3, false);
    ctx.setLineDash([]);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    this.axes.forEach((axis, i) => {
      const x = this.axisX(i, width);
      ctx.strokeStyle = "#555555";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, y(0));
      ctx.lineTo(x, y(1));
      ctx.stroke();
      ctx.fillStyle = "#3a3a3a";
      ctx.textAlign = i === this.axes.length - 1 ? "right" : "left";
      for (const tick of axis.ticks) {
        if (!Number.isFinite(tick.at)) continue;
        ctx.fillRect(x - 3, y(tick.at), 6, 1);
        const text = tick.label;
        ctx.fillText(text, i === this.axes.length - 1 ? x - 6 : x + 6, y(tick.at));
      }
    });
    setChildren(this.labels, ...this.axes.map((axis, i) => h("span", { class: "axis-label", style: { left: `${this.axisX(i, width)}px` }, title: `${axis.key} (${axis.kind} axis)` }, axis.label)));
  }

  private stroke(ctx: CanvasRenderingContext2D, i: number, width: number, faded: boolean): void {
    const { trial, shade } = this.lines[i];
    const { px, py } = this.projected[i];
    const color = Number.isNaN(shade) ? NO_VALUE_COLOR : sequentialColor(shade);
    ctx.strokeStyle = faded ? withAlpha("#888888", 0.25) : color;
    ctx.lineWidth = width;
    ctx.setLineDash(trial.state === "pruned" ? [5, 3] : Number.isNaN(shade) ? [2, 3] : []);
    ctx.beginPath();
    let open = false;
    for (let k = 0; k < px.length; k++) {
      if (Number.isNaN(py[k])) {
        open = false;
        continue;
      }
      if (open) ctx.lineTo(px[k], py[k]);
      else ctx.moveTo(px[k], py[k]);
      open = true;
    }
    ctx.stroke();
    const last = px.length - 1;
    if (trial.state === "pruned" && !faded && last >= 0 && !Number.isNaN(py[last])) crossMark(ctx, px[last], py[last], color, 4);
  }

  private hover(x: number, y: number): void {
    this.setHovered(nearestPolyline(this.projected, x, y, 6));
    const line = this.lines[this.hovered];
    if (!line) return;
    const { trial } = line;
    setChildren(
      this.tooltip,
      h("div", { class: "chart-tooltip-title" }, `trial ${trial.number}, ${trial.state === "pruned" ? `pruned at epoch ${trial.step}` : trial.state}`),
      h("div", null, trial.value === null ? "no value yet" : `objective: ${this.format(trial.value)}`),
      trial.prunedReason ? h("div", { class: "chart-tooltip-pruned" }, trial.prunedReason) : null,
      ...this.describe(trial).map((text) => h("div", { class: "chart-tooltip-detail" }, text)),
      h("div", { class: "chart-tooltip-detail" }, "click: show its runs in the table"),
    );
    this.tooltip.hidden = false;
    const box = this.canvas.getBoundingClientRect();
    const left = x + 12 + this.tooltip.offsetWidth > box.width ? x - 12 - this.tooltip.offsetWidth : x + 12;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${Math.max(0, Math.min(box.height - this.tooltip.offsetHeight, y - 10))}px`;
  }

  private setHovered(i: number): void {
    if (i === this.hovered) return;
    this.hovered = i;
    if (i < 0) this.tooltip.hidden = true;
    this.draw();
  }
}
