// Chart.js, bundled (no CDN), with only the parts used registered. Charts are built for hundreds of
// series: no animation, pre-parsed {x, y} data, LTTB decimation for long runs, and a tooltip that
// finds the nearest line (not band) point and shows the run and its hyperparameters.
import {
  Chart,
  Decimation,
  Filler,
  Interaction,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
  type ChartEvent,
  type InteractionItem,
  type InteractionModeFunction,
  type PointStyle,
  type TooltipItem,
} from "chart.js";
import { sequentialColor, sequentialGradient, withAlpha, type LineStyle } from "./colors.ts";
import { h, setChildren } from "./dom.ts";
import { figure as formatFigure } from "./format.ts";
import { ema } from "./smoothing.ts";
import { scalePosition, type ConfigurationPoint, type Domain, type Point } from "./stability.ts";

declare module "chart.js" {
  interface InteractionModeMap {
    nearestSeries: InteractionModeFunction;
  }
}

/** The point of a line series nearest to the pointer (within 40 px); band datasets are never picked. */
const nearestSeries: InteractionModeFunction = (chart: Chart, event: ChartEvent): InteractionItem[] => {
  if (event.x === null || event.y === null) return [];
  const kinds = (chart.options.plugins as { seriesKinds?: string[] } | undefined)?.seriesKinds;
  let best: InteractionItem | null = null;
  let bestDistance = 40 * 40;
  for (const meta of chart.getSortedVisibleDatasetMetas()) {
    if (kinds && kinds[meta.index] !== "line") continue;
    meta.data.forEach((element, index) => {
      const { x, y } = element as unknown as { x: number; y: number };
      if (!Number.isFinite(y)) return;
      const distance = (x - event.x!) ** 2 + (y - event.y!) ** 2;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = { element, datasetIndex: meta.index, index };
      }
    });
  }
  return best ? [best] : [];
};
Interaction.modes.nearestSeries = nearestSeries;

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Tooltip, Decimation);
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 11;
Chart.defaults.color = "#3a3a3a";

export interface LineSeries {
  /** The run id, or the configKey for a repeats band. */
  id: string;
  /** Tooltip title, e.g. "run #12 (3f2a9c1e)". */
  label: string;
  /** Tooltip lines under the value: the hyperparameters. */
  details: string[];
  style: LineStyle;
  points: Point[];
  band: { lower: Point[]; upper: Point[] } | null;
}

export interface CurveOptions {
  smoothing: number;
  showBands: boolean;
}

type LineDataset = ChartDataset<"line", Point[]>;

/** Overlaid learning curves, each optionally with a shaded band (min-max, or mean +- std). */
export class CurveChart {
  readonly element: HTMLElement;
  private readonly chart: Chart<"line", Point[]>;
  private series: LineSeries[] = [];
  private kinds: string[] = [];
  private owners: string[] = [];
  private highlighted: string | null = null;

  constructor(
    readonly id: string,
    private readonly config: { title: string; yAxis: string; percent: boolean; bandLabel: string; onPick?: (seriesId: string) => void },
  ) {
    const canvas = h("canvas", { aria: { label: `${config.title}: chart` }, attrs: { role: "img" } });
    this.element = h("figure", { class: "chart", dataset: { chart: id, curves: "0" } }, h("figcaption", null, config.title), h("div", { class: "chart-box" }, canvas));
    const percent = config.percent;
    const format = (value: number) => (percent ? `${(value * 100).toFixed(1)} %` : formatFigure(value, 4));
    this.chart = new Chart(canvas, {
      type: "line",
      data: { datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        normalized: true,
        spanGaps: false,
        interaction: { mode: "nearestSeries", intersect: false },
        elements: { point: { radius: 0, hitRadius: 0, hoverRadius: 4 }, line: { tension: 0 } },
        scales: {
          x: { type: "linear", title: { display: true, text: "epoch" }, ticks: { precision: 0 } },
          y: { type: "linear", title: { display: true, text: config.yAxis }, ticks: { callback: (value) => format(Number(value)) } },
        },
        onClick: (_event, items) => {
          const item = items[0];
          if (item && config.onPick) config.onPick(this.owners[item.datasetIndex]);
        },
        plugins: {
          seriesKinds: this.kinds,
          decimation: { enabled: true, algorithm: "lttb", samples: 400, threshold: 800 },
          tooltip: {
            animation: false,
            callbacks: {
              title: (items: TooltipItem<"line">[]) => this.seriesOf(items[0])?.label ?? "",
              label: (item: TooltipItem<"line">) => `epoch ${item.parsed.x}: ${format(item.parsed.y ?? NaN)}`,
              afterBody: (items: TooltipItem<"line">[]) => this.seriesOf(items[0])?.details ?? [],
            },
          },
        } as Record<string, unknown>,
      },
    });
  }

  /** Replaces the series. Bands are drawn only when asked and when the series has one. */
  setSeries(series: LineSeries[], options: CurveOptions): void {
    this.series = series;
    const datasets: LineDataset[] = [];
    const kinds: string[] = [];
    const owners: string[] = [];
    const smooth = (points: Point[]) => {
      if (options.smoothing === 0) return points;
      const ys = ema(points.map((point) => point.y), options.smoothing);
      return points.map((point, i) => ({ x: point.x, y: ys[i] }));
    };
    let curves = 0;
    for (const item of series) {
      const dimmed = this.highlighted !== null && this.highlighted !== item.id;
      if (options.showBands && item.band) {
        const fillColor = withAlpha(item.style.color, dimmed ? 0.04 : 0.14);
        datasets.push({ data: smooth(item.band.lower), borderWidth: 0, pointRadius: 0, fill: false, borderColor: "transparent" });
        datasets.push({ data: smooth(item.band.upper), borderWidth: 0, pointRadius: 0, fill: "-1", backgroundColor: fillColor, borderColor: "transparent" });
        kinds.push("band", "band");
        owners.push(item.id, item.id);
      }
      datasets.push({
        data: smooth(item.points),
        borderColor: dimmed ? withAlpha(item.style.color, 0.18) : item.style.color,
        backgroundColor: item.style.color,
        borderDash: [...item.style.dash],
        borderWidth: this.highlighted === item.id ? 3 : 1.6,
        pointRadius: item.points.length === 1 ? 3 : 0,
        fill: false,
      });
      kinds.push("line");
      owners.push(item.id);
      if (item.points.some((point) => Number.isFinite(point.y))) curves++;
    }
    this.kinds.splice(0, this.kinds.length, ...kinds);
    this.owners = owners;
    this.chart.data.datasets = datasets;
    this.chart.update("none");
    this.element.dataset.curves = String(curves);
    this.element.dataset.bands = String(kinds.filter((kind) => kind === "band").length / 2);
  }

  /** Emphasises one series (or none) and fades the rest; takes effect on the next setSeries. */
  highlight(id: string | null): boolean {
    if (this.highlighted === id) return false;
    this.highlighted = id;
    return true;
  }

  destroy(): void {
    this.chart.destroy();
  }

  private seriesOf(item: TooltipItem<"line"> | undefined): LineSeries | undefined {
    if (!item) return undefined;
    const owner = this.owners[item.datasetIndex];
    return this.series.find((series) => series.id === owner);
  }
}

export interface MapOptions {
  figureLabel: string;
  better: "higher" | "lower";
  format: (value: number) => string;
  xRange: Domain;
  yRange: Domain;
  domain: Domain | null;
}

/**
 * The stability map: one point per configuration at (learning rate, batch size), on a log10 x axis
 * and a log2 y axis, coloured by a figure along viridis (bright = better), with a colour bar.
 * Configurations with a diverged or failed repeat are drawn as crosses; those without a completed
 * run as hollow grey circles.
 */
export class StabilityMap {
  readonly element: HTMLElement;
  private readonly chart: Chart<"scatter", Array<{ x: number; y: number }>>;
  private readonly colorBar: HTMLElement;
  private points: ConfigurationPoint[] = [];
  private format: (value: number) => string = String;
  private figureLabel = "";

  constructor(private readonly onPick: (configKey: string) => void) {
    const canvas = h("canvas", { aria: { label: "stability map: learning rate against batch size" }, attrs: { role: "img" } });
    this.colorBar = h("div", { class: "color-bar" });
    this.element = h("figure", { class: "chart map", dataset: { chart: "stability-map", points: "0" } }, h("div", { class: "chart-box map-box" }, canvas), this.colorBar);
    this.chart = new Chart(canvas, {
      type: "scatter",
      data: { datasets: [{ data: [] }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        interaction: { mode: "nearest", intersect: true },
        scales: {
          x: {
            type: "logarithmic",
            title: { display: true, text: "learning rate (log scale)" },
            ticks: { callback: (value) => logTick(Number(value)) },
          },
          y: {
            type: "linear",
            title: { display: true, text: "batch size (log2 scale)" },
            // One tick per power of two inside the range, labelled with the batch size itself.
            afterBuildTicks: (axis) => {
              const ticks = [];
              for (let v = Math.ceil(axis.min); v <= Math.floor(axis.max); v++) ticks.push({ value: v });
              axis.ticks = ticks;
            },
            ticks: { callback: (value) => (Number.isInteger(Number(value)) ? String(2 ** Number(value)) : "") },
          },
        },
        onClick: (_event, items) => {
          const point = items[0] ? this.points[items[0].index] : undefined;
          if (point) this.onPick(point.configKey);
        },
        plugins: {
          tooltip: {
            animation: false,
            callbacks: {
              title: (items) => {
                const point = this.points[items[0]?.dataIndex ?? -1];
                return point ? `configuration ${point.configKey}` : "";
              },
              label: (item) => {
                const point = this.points[item.dataIndex];
                if (!point) return "";
                return [
                  `lr ${point.lr.toExponential(2)}, batch size ${point.batchSize}`,
                  Number.isFinite(point.value) ? `${this.figureLabel}: ${this.format(point.value)} (mean of ${point.completed} completed)` : "no completed run yet",
                  `${point.runs} run${point.runs === 1 ? "" : "s"}${point.troubled ? `, ${point.troubled} diverged or failed` : ""}`,
                  "click: show these runs in the table",
                ];
              },
            },
          },
        },
      },
    });
  }

  setPoints(points: ConfigurationPoint[], options: MapOptions): void {
    this.points = points;
    this.format = options.format;
    this.figureLabel = options.figureLabel;
    const colors = points.map((point) => sequentialColor(scalePosition(point.value, options.domain, options.better)));
    const dataset = this.chart.data.datasets[0];
    dataset.data = points.map((point) => ({ x: point.lr, y: Math.log2(point.batchSize) }));
    dataset.pointBackgroundColor = points.map((point, i) => (Number.isFinite(point.value) ? colors[i] : "rgba(0,0,0,0)"));
    dataset.pointBorderColor = points.map((point, i) => (point.troubled ? "#be0032" : Number.isFinite(point.value) ? "#333333" : colors[i]));
    dataset.pointBorderWidth = points.map((point) => (point.troubled ? 2.5 : 1));
    dataset.pointStyle = points.map((point): PointStyle => (point.troubled ? "rectRot" : "circle"));
    dataset.pointRadius = 8;
    dataset.pointHoverRadius = 10;
    const scales = this.chart.options.scales!;
    Object.assign(scales.x!, { min: options.xRange.min, max: options.xRange.max });
    Object.assign(scales.y!, { min: options.yRange.min, max: options.yRange.max });
    this.chart.update("none");
    this.element.dataset.points = String(points.length);
    this.renderColorBar(options);
  }

  destroy(): void {
    this.chart.destroy();
  }

  private renderColorBar(options: MapOptions): void {
    const { domain, better } = options;
    // Left end is the worse value, right end the better one, whichever way the figure runs.
    const worse = domain ? (better === "higher" ? domain.min : domain.max) : NaN;
    const bestValue = domain ? (better === "higher" ? domain.max : domain.min) : NaN;
    setChildren(
      this.colorBar,
      h("div", { class: "color-bar-title" }, `colour: ${options.figureLabel} (${better} is better)`),
      h("div", { class: "color-bar-scale" },
        h("span", { class: "color-bar-end" }, domain ? options.format(worse) : "–"),
        h("span", { class: "color-bar-gradient", style: { backgroundImage: sequentialGradient() }, aria: { hidden: "true" } }),
        h("span", { class: "color-bar-end" }, domain ? options.format(bestValue) : "–"),
      ),
      h("div", { class: "color-bar-legend" },
        h("span", null, h("span", { class: "legend-mark legend-hollow", aria: { hidden: "true" } }), " no completed run yet"),
        h("span", null, h("span", { class: "legend-mark legend-troubled", aria: { hidden: "true" } }), " a repeat diverged or failed"),
      ),
    );
  }
}

/** Log-axis ticks at 1, 2 and 5 per decade, in scientific notation; others unlabelled. */
export function logTick(value: number): string {
  if (!(value > 0)) return "";
  const exponent = Math.floor(Math.log10(value) + 1e-9);
  const mantissa = Math.round((value / 10 ** exponent) * 1000) / 1000;
  return mantissa === 1 || mantissa === 2 || mantissa === 5 ? `${mantissa}e${exponent}` : "";
}
