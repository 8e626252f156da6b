// Chart.js, bundled (no CDN), with only the parts used registered. Learning curves are built for
// hundreds of runs: Chart.js lays out the axes, and one plugin strokes every series straight onto the
// canvas from its pixel coordinates (one Chart.js dataset per run costs ~1 ms each per redraw; this
// costs microseconds), with min/max-per-pixel decimation for long runs and an HTML tooltip that
// names the nearest run and its hyperparameters.
import {
  Chart,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartEvent,
  type Plugin,
  type PointStyle,
} from "chart.js";
import { sequentialColor, sequentialGradient, withAlpha, type LineStyle } from "./colors.ts";
import { h, setChildren } from "./dom.ts";
import { boundsOf, decimateColumns, nearestPoint, type Projected } from "./draw.ts";
import { figure as formatFigure } from "./format.ts";
import { ema } from "./smoothing.ts";
import { mapPositions, scalePosition, type ConfigurationPoint, type Domain, type Point } from "./stability.ts";

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 11;
Chart.defaults.color = "#3a3a3a";

export interface LineSeries {
  /** The run id, or the configKey for a repeats band. */
  id: string;
  /** Tooltip title, e.g. "run #12 (3f2a9c1e), completed". */
  label: string;
  /** Tooltip lines under the value: the hyperparameters. */
  details: string[];
  style: LineStyle;
  points: Point[];
  band: { lower: Point[]; upper: Point[] } | null;
  /** Why the run was pruned ("pruned at epoch 3: ..."): its curve ends with a cross, and the tooltip says why. */
  pruned?: string | null;
}

export interface CurveOptions {
  smoothing: number;
  showBands: boolean;
}

/** A series as drawn: smoothed, and its band when shown. */
interface Drawn {
  series: LineSeries;
  points: Point[];
  band: { lower: Point[]; upper: Point[] } | null;
}

/**
 * What every chart here shares: sized by its box, drawn at once without animation, data given as
 * ready {x, y} points (no parsing). Scatter charts also hover the point under the cursor.
 */
export const STATIC_CHART_OPTIONS = { responsive: true, maintainAspectRatio: false, animation: false, parsing: false } as const;
export const POINT_HOVER = { mode: "nearest", intersect: true } as const;

const HOVER_DISTANCE_PX = 24;
/** Above this many series, lines are drawn 1 px wide. */
const THIN_LINES_ABOVE = 24;

/** Overlaid learning curves, each optionally with a shaded band (min-max, or mean +- std). */
export class CurveChart {
  readonly element: HTMLElement;
  private readonly chart: Chart<"line", Point[]>;
  private readonly tooltip: HTMLElement;
  private drawn: Drawn[] = [];
  /** Pixel coordinates of every series' points, from the last draw, for hover. */
  private projected: Projected[] = [];
  private highlighted: string | null = null;
  private hover: { series: number; index: number } | null = null;
  private pointer: { x: number; y: number } | null = null;
  private hoverFrame: number | null = null;
  private readonly format: (value: number) => string;

  constructor(
    readonly id: string,
    private readonly config: { title: string; yAxis: string; percent: boolean; onPick?: (seriesId: string) => void },
  ) {
    const canvas = h("canvas", { aria: { label: `${config.title}: chart` }, attrs: { role: "img" } });
    this.tooltip = h("div", { class: "chart-tooltip", role: "tooltip" });
    this.tooltip.hidden = true;
    this.element = h("figure", { class: "chart", dataset: { chart: id, curves: "0", bands: "0" } }, h("figcaption", null, config.title), h("div", { class: "chart-box" }, canvas, this.tooltip));
    const percent = config.percent;
    this.format = (value: number) => (percent ? `${(value * 100).toFixed(1)} %` : formatFigure(value, 4));
    const layer: Plugin<"line"> = { id: "seriesLayer", afterDatasetsDraw: (chart) => this.drawSeries(chart as Chart<"line", Point[]>) };
    this.chart = new Chart(canvas, {
      type: "line",
      // One invisible dataset spanning the data, so that Chart.js picks the axis ranges and ticks.
      data: { datasets: [{ data: [], borderWidth: 0, pointRadius: 0, showLine: false }] },
      options: {
        ...STATIC_CHART_OPTIONS,
        normalized: true,
        events: ["mousemove", "mouseout", "click"],
        scales: {
          x: { type: "linear", title: { display: true, text: "epoch" }, ticks: { precision: 0 } },
          y: { type: "linear", title: { display: true, text: config.yAxis }, ticks: { callback: (value) => this.format(Number(value)) } },
        },
        onHover: (event: ChartEvent) => this.onPointer(event),
        onClick: () => {
          const hit = this.hover && this.drawn[this.hover.series];
          if (hit && this.config.onPick) this.config.onPick(hit.series.id);
        },
        plugins: { tooltip: { enabled: false } },
      },
      plugins: [layer],
    });
    canvas.addEventListener("mouseleave", () => this.setHover(null));
  }

  /** Replaces the series. Bands are drawn only when asked and when the series has one. */
  setSeries(series: LineSeries[], options: CurveOptions): void {
    const smooth = (points: Point[]) => {
      if (options.smoothing === 0) return points;
      const ys = ema(points.map((point) => point.y), options.smoothing);
      return points.map((point, i) => ({ x: point.x, y: ys[i] }));
    };
    this.drawn = series.map((item) => ({
      series: item,
      points: smooth(item.points),
      band: options.showBands && item.band ? { lower: smooth(item.band.lower), upper: smooth(item.band.upper) } : null,
    }));
    const bounds = boundsOf(this.drawn.flatMap((d) => (d.band ? [d.points, d.band.lower, d.band.upper] : [d.points])));
    this.chart.data.datasets[0].data = bounds ? [{ x: bounds.xMin, y: bounds.yMin }, { x: bounds.xMax, y: bounds.yMax }] : [];
    this.hover = null;
    this.tooltip.hidden = true;
    this.chart.update("none");
    this.element.dataset.curves = String(this.drawn.filter((d) => d.points.some((point) => Number.isFinite(point.y))).length);
    this.element.dataset.bands = String(this.drawn.filter((d) => d.band).length);
    this.element.dataset.pruned = String(this.drawn.filter((d) => d.series.pruned).length);
  }

  /** Emphasises one series (or none) and fades the rest. */
  highlight(id: string | null): void {
    if (this.highlighted === id) return;
    this.highlighted = id;
    this.chart.draw();
  }

  destroy(): void {
    if (this.hoverFrame !== null) cancelAnimationFrame(this.hoverFrame);
    this.chart.destroy();
  }

  private drawSeries(chart: Chart<"line", Point[]>): void {
    const { ctx, chartArea: area } = chart;
    const xScale = chart.scales.x;
    const yScale = chart.scales.y;
    if (!area || !xScale || !yScale) return;
    const project = (points: Point[]): Projected => {
      const px = new Float64Array(points.length);
      const py = new Float64Array(points.length);
      for (let i = 0; i < points.length; i++) {
        px[i] = xScale.getPixelForValue(points[i].x);
        py[i] = Number.isFinite(points[i].y) ? yScale.getPixelForValue(points[i].y) : NaN;
      }
      return { px, py };
    };
    this.projected = this.drawn.map((d) => project(d.points));
    // Where the plot area is, in canvas pixels (for tests and tools that point at the curves).
    const areaText = [area.left, area.top, area.width, area.height].map(Math.round).join(",");
    if (this.element.dataset.area !== areaText) this.element.dataset.area = areaText;
    const emphasis = this.highlighted === null ? -1 : this.drawn.findIndex((d) => d.series.id === this.highlighted);
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.width, area.height);
    ctx.clip();
    // Bands first, under every line.
    this.drawn.forEach((d, i) => {
      if (!d.band) return;
      const faded = emphasis >= 0 && emphasis !== i;
      ctx.fillStyle = withAlpha(d.series.style.color, faded ? 0.04 : 0.14);
      fillBand(ctx, project(d.band.lower), project(d.band.upper));
    });
    ctx.lineJoin = "round";
    // Skia rasterises 1 px lines on a fast path, several times quicker than wider ones (and without
    // a GPU, rasterising is what a redraw costs): many series get hairlines, a few get 1.6 px.
    const width = this.drawn.length > THIN_LINES_ABOVE ? 1 : 1.6;
    this.drawn.forEach((d, i) => {
      if (i === emphasis) return;
      const color = emphasis >= 0 ? withAlpha(d.series.style.color, 0.18) : d.series.style.color;
      strokeSeries(ctx, decimateColumns(this.projected[i], area.width), color, d.series.style.dash, width);
    });
    if (emphasis >= 0) strokeSeries(ctx, this.projected[emphasis], this.drawn[emphasis].series.style.color, this.drawn[emphasis].series.style.dash, 3);
    this.drawn.forEach((d, i) => {
      if (!d.series.pruned) return;
      const last = lastFinite(this.projected[i]);
      if (last) crossMark(ctx, last.x, last.y, emphasis >= 0 && emphasis !== i ? withAlpha(d.series.style.color, 0.3) : d.series.style.color);
    });
    if (this.hover) {
      const { px, py } = this.projected[this.hover.series] ?? { px: [], py: [] };
      const x = px[this.hover.index];
      const y = py[this.hover.index];
      if (Number.isFinite(x) && Number.isFinite(y)) {
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.arc(x, y, 4, 0, 2 * Math.PI);
        ctx.fillStyle = this.drawn[this.hover.series].series.style.color;
        ctx.fill();
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = "#ffffff";
        ctx.stroke();
      }
    }
    ctx.restore();
  }

  private onPointer(event: ChartEvent): void {
    if (event.type === "mouseout" || event.x === null || event.y === null) {
      this.setHover(null);
      return;
    }
    this.pointer = { x: event.x, y: event.y };
    if (this.hoverFrame !== null) return;
    this.hoverFrame = requestAnimationFrame(() => {
      this.hoverFrame = null;
      if (!this.pointer) return;
      const nearest = nearestPoint(this.projected, this.pointer.x, this.pointer.y, HOVER_DISTANCE_PX);
      this.setHover(nearest ? { series: nearest.series, index: nearest.index } : null);
    });
  }

  private setHover(hover: { series: number; index: number } | null): void {
    if (hover === null) this.pointer = null;
    if (this.hover?.series === hover?.series && this.hover?.index === hover?.index) return;
    this.hover = hover;
    this.chart.draw();
    const drawn = hover && this.drawn[hover.series];
    if (!hover || !drawn) {
      this.tooltip.hidden = true;
      return;
    }
    const point = drawn.points[hover.index];
    setChildren(
      this.tooltip,
      h("div", { class: "chart-tooltip-title" }, drawn.series.label),
      h("div", null, `epoch ${point.x}: ${this.format(point.y)}`),
      drawn.series.pruned ? h("div", { class: "chart-tooltip-pruned" }, `✕ ${drawn.series.pruned}`) : null,
      ...drawn.series.details.map((line) => h("div", { class: "chart-tooltip-detail" }, line)),
    );
    this.tooltip.hidden = false;
    const x = this.projected[hover.series].px[hover.index];
    const y = this.projected[hover.series].py[hover.index];
    const box = this.tooltip.parentElement!.getBoundingClientRect();
    const left = x + 12 + this.tooltip.offsetWidth > box.width ? x - 12 - this.tooltip.offsetWidth : x + 12;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${Math.max(0, Math.min(box.height - this.tooltip.offsetHeight, y - 10))}px`;
  }
}

/** The last point with a finite y, in pixels. */
function lastFinite({ px, py }: Projected): { x: number; y: number } | null {
  for (let i = py.length - 1; i >= 0; i--) if (!Number.isNaN(py[i])) return { x: px[i], y: py[i] };
  return null;
}

/** A cross where a pruned run stopped: white under the colour, so that it shows over other lines. */
export function crossMark(ctx: CanvasRenderingContext2D, x: number, y: number, color: string, size = 5): void {
  ctx.save();
  ctx.setLineDash([]);
  ctx.lineCap = "round";
  for (const [width, stroke] of [[4.5, "#ffffff"], [2, color]] as const) {
    ctx.lineWidth = width;
    ctx.strokeStyle = stroke;
    ctx.beginPath();
    ctx.moveTo(x - size, y - size);
    ctx.lineTo(x + size, y + size);
    ctx.moveTo(x + size, y - size);
    ctx.lineTo(x - size, y + size);
    ctx.stroke();
  }
  ctx.restore();
}

/** Strokes a polyline, breaking it at NaN; a lone point becomes a dot. */
function strokeSeries(ctx: CanvasRenderingContext2D, { px, py }: Projected, color: string, dash: readonly number[], width: number): void {
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dash as number[]);
  ctx.beginPath();
  let open = false;
  for (let i = 0; i < px.length; i++) {
    if (Number.isNaN(py[i])) {
      open = false;
      continue;
    }
    if (!open) {
      const lone = i + 1 >= px.length || Number.isNaN(py[i + 1]);
      if (lone) {
        ctx.moveTo(px[i] + 2.5, py[i]);
        ctx.arc(px[i], py[i], 2.5, 0, 2 * Math.PI);
        continue;
      }
      ctx.moveTo(px[i], py[i]);
      open = true;
    } else {
      ctx.lineTo(px[i], py[i]);
    }
  }
  ctx.stroke();
}

/** Fills the area between two polylines over the same x, segment by segment where both are finite. */
function fillBand(ctx: CanvasRenderingContext2D, lower: Projected, upper: Projected): void {
  const n = Math.min(lower.px.length, upper.px.length);
  let start = -1;
  const close = (end: number) => {
    if (start < 0 || end - start < 2) return;
    ctx.beginPath();
    ctx.moveTo(lower.px[start], lower.py[start]);
    for (let i = start + 1; i < end; i++) ctx.lineTo(lower.px[i], lower.py[i]);
    for (let i = end - 1; i >= start; i--) ctx.lineTo(upper.px[i], upper.py[i]);
    ctx.closePath();
    ctx.fill();
  };
  for (let i = 0; i < n; i++) {
    const finite = !Number.isNaN(lower.py[i]) && !Number.isNaN(upper.py[i]);
    if (finite && start < 0) start = i;
    if (!finite) {
      close(i);
      start = -1;
    }
  }
  close(n);
}

export interface MapOptions {
  figureLabel: string;
  /** The tooltip's first line for a point: its hyperparameters that vary. */
  describe: (point: ConfigurationPoint) => string;
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
  private describe: (point: ConfigurationPoint) => string = () => "";

  constructor(private readonly onPick: (configKey: string) => void) {
    const canvas = h("canvas", { aria: { label: "stability map: learning rate against batch size" }, attrs: { role: "img" } });
    this.colorBar = h("div", { class: "color-bar" });
    this.element = h("figure", { class: "chart map", dataset: { chart: "stability-map", points: "0" } }, h("div", { class: "chart-box map-box" }, canvas), this.colorBar);
    this.chart = new Chart(canvas, {
      type: "scatter",
      data: { datasets: [{ data: [] }] },
      options: {
        ...STATIC_CHART_OPTIONS,
        interaction: POINT_HOVER,
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
                  this.describe(point),
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
    this.describe = options.describe;
    const positions = mapPositions(points, options.xRange, options.yRange);
    const colors = points.map((point) => sequentialColor(scalePosition(point.value, options.domain, options.better)));
    const dataset = this.chart.data.datasets[0];
    dataset.data = positions;
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
    this.element.dataset.positions = String(new Set(positions.map((p) => `${p.x}|${p.y}`)).size);
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
