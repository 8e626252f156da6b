// Shaping runs and epoch rows into what the charts draw: curves, bands, the stability map. Pure
// functions (no DOM), unit-tested in test/dashboard. The figures themselves (RunSummary) come from the
// API, computed by libs/results, so that the dashboard and the API never disagree.
import { CONFIGURATION_FIGURE, type ConfigurationSummary, type EpochRow, type PooledRunFigure, type RunRow } from "../../../libs/results/contract.ts";
import type { RankMetric } from "../../../libs/results/index.ts";

type NumericColumn = { [K in keyof EpochRow]: EpochRow[K] extends number | null ? K : never }[keyof EpochRow];

export interface CurveMetric {
  /** Same names as the API's ranking metrics. */
  key: RankMetric;
  label: string;
  /** Axis title, with its unit. */
  axis: string;
  column: NumericColumn;
  /** The within-epoch batch extremes, when the metric has them. */
  band: readonly [NumericColumn, NumericColumn] | null;
  percent: boolean;
  better: "higher" | "lower";
}

export const CURVE_METRICS: readonly CurveMetric[] = [
  { key: "testAccuracy", label: "Test accuracy", axis: "test accuracy (%)", column: "testAccuracy", band: null, percent: true, better: "higher" },
  { key: "dAcc", label: "Discriminator accuracy (d_acc)", axis: "d_acc, batch mean (%)", column: "dAccMean", band: ["dAccMin", "dAccMax"], percent: true, better: "higher" },
  { key: "dLoss", label: "Discriminator loss (d_loss)", axis: "d_loss, batch mean", column: "dLossMean", band: ["dLossMin", "dLossMax"], percent: false, better: "lower" },
  { key: "gLoss", label: "Generator loss (g_loss)", axis: "g_loss, batch mean", column: "gLossMean", band: ["gLossMin", "gLossMax"], percent: false, better: "lower" },
];

export function curveMetric(key: string): CurveMetric {
  return CURVE_METRICS.find((metric) => metric.key === key) ?? CURVE_METRICS[0];
}

export type FigureKey = PooledRunFigure;

export interface StabilityFigure {
  key: FigureKey;
  label: string;
  /** What the figure means, for tooltips. */
  help: string;
  better: "higher" | "lower";
  /** How to show it: accuracy as %, spread of accuracies as percentage points, losses plain. */
  unit: "percent" | "points" | "plain";
}

/** The run figures the table shows and the stability map can colour by (definitions: docs/sweeps.md). */
export const STABILITY_FIGURES: readonly StabilityFigure[] = [
  { key: "finalTestAccuracy", label: "final acc", help: "test accuracy of the last epoch", better: "higher", unit: "percent" },
  { key: "bestTestAccuracy", label: "best acc", help: "highest test accuracy of any epoch", better: "higher", unit: "percent" },
  { key: "lastKMeanTestAccuracy", label: "acc, last-k mean", help: "mean test accuracy over the last k epochs", better: "higher", unit: "percent" },
  { key: "testAccuracyStdLastK", label: "acc std, last k", help: "std of the test accuracy over the last k epochs: lower is steadier", better: "lower", unit: "points" },
  { key: "dAccStdLastK", label: "d_acc std, last k", help: "std of the discriminator's accuracy over the last k epochs: how much it still swings", better: "lower", unit: "points" },
  { key: "meanAbsTestAccuracyChange", label: "mean |Δacc|", help: "mean epoch-to-epoch change of the test accuracy: jitter", better: "lower", unit: "points" },
  { key: "maxGLossSpike", label: "max g_loss spike", help: "largest within-epoch g_loss maximum above that epoch's mean", better: "lower", unit: "plain" },
  { key: "maxGLoss", label: "max g_loss", help: "largest g_loss of any batch", better: "lower", unit: "plain" },
];

export function stabilityFigure(key: string): StabilityFigure {
  return STABILITY_FIGURES.find((figure) => figure.key === key) ?? STABILITY_FIGURES[0];
}

export interface Point {
  x: number;
  /** NaN where there is no finite value: Chart.js leaves a gap. */
  y: number;
}

const finite = (value: number | null | undefined): number => (typeof value === "number" && Number.isFinite(value) ? value : NaN);

/** The metric per epoch, in epoch order. */
export function seriesOf(rows: readonly EpochRow[], column: NumericColumn): Point[] {
  return inEpochOrder(rows).map((row) => ({ x: row.epoch, y: finite(row[column]) }));
}

/** The within-epoch minimum and maximum of the metric, per epoch; null when it has none. */
export function minMaxBand(rows: readonly EpochRow[], metric: CurveMetric): { lower: Point[]; upper: Point[] } | null {
  if (!metric.band) return null;
  const [low, high] = metric.band;
  const sorted = inEpochOrder(rows);
  return {
    lower: sorted.map((row) => ({ x: row.epoch, y: finite(row[low]) })),
    upper: sorted.map((row) => ({ x: row.epoch, y: finite(row[high]) })),
  };
}

export interface BandPoint {
  epoch: number;
  mean: number;
  /** Population std across the runs that have a finite value at this epoch. */
  std: number;
  /** How many runs that is. */
  n: number;
}

/**
 * Mean +- std of a metric across repeats, per epoch: at each epoch, the runs that reached it with a
 * finite value. Epochs that no run has a finite value for are left out.
 */
export function repeatBand(runs: ReadonlyArray<readonly EpochRow[]>, column: NumericColumn): BandPoint[] {
  const byEpoch = new Map<number, number[]>();
  for (const rows of runs) {
    for (const row of rows) {
      const value = row[column];
      if (typeof value !== "number" || !Number.isFinite(value)) continue;
      const values = byEpoch.get(row.epoch);
      if (values) values.push(value);
      else byEpoch.set(row.epoch, [value]);
    }
  }
  return [...byEpoch]
    .sort(([a], [b]) => a - b)
    .map(([epoch, values]) => {
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
      return { epoch, mean, std: Math.sqrt(variance), n: values.length };
    });
}

export interface ConfigurationPoint {
  configKey: string;
  /** Every sweepable hyperparameter of the configuration: what tells it apart from one at the same (lr, batch size). */
  params: ConfigurationSummary["params"];
  lr: number;
  batchSize: number;
  /** The API's figure for the configuration (pooled over its completed runs); NaN until one completes. */
  value: number;
  runIds: string[];
  runs: number;
  completed: number;
  /** Runs that diverged or failed: the instability the map is there to show. */
  troubled: number;
}

/**
 * One point per configuration of the API's summaries (GET /api/sweeps/:id `configurations`), with the
 * figure as the API pools it over the completed repeats: the dashboard never pools figures itself.
 */
export function configurationPoints(configurations: readonly ConfigurationSummary[], runs: readonly RunRow[], figure: FigureKey): ConfigurationPoint[] {
  return configurations.map((configuration) => {
    const members = runs.filter((run) => run.configKey === configuration.configKey);
    return {
      configKey: configuration.configKey,
      params: configuration.params,
      lr: configuration.params.lr,
      batchSize: configuration.params.batchSize,
      value: finite(configuration[CONFIGURATION_FIGURE[figure]]),
      runIds: members.map((run) => run.id),
      runs: configuration.runs,
      completed: configuration.completedRuns,
      troubled: members.filter((run) => run.status === "diverged" || run.status === "failed").length,
    };
  });
}

export interface Domain {
  min: number;
  max: number;
}

/** The range of the finite values; null when there is none. */
export function domainOf(values: readonly number[]): Domain | null {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return min <= max ? { min, max } : null;
}

/**
 * Where a value sits on the colour scale, in [0, 1], oriented so that 1 is always the better end
 * (for a lower-is-better figure the minimum maps to 1). A single-valued domain maps to 1; NaN stays NaN.
 */
export function scalePosition(value: number, domain: Domain | null, better: "higher" | "lower"): number {
  if (!Number.isFinite(value) || domain === null) return NaN;
  if (domain.max === domain.min) return 1;
  const clamped = Math.min(1, Math.max(0, (value - domain.min) / (domain.max - domain.min)));
  return better === "higher" ? clamped : 1 - clamped;
}

/** The y range of the log2 batch-size axis: whole powers of two around the values, half a step of margin. */
export function log2Range(batchSizes: readonly number[]): Domain {
  const logs = batchSizes.filter((size) => size > 0).map(Math.log2);
  if (logs.length === 0) return { min: 4, max: 8 };
  return { min: Math.floor(Math.min(...logs)) - 0.5, max: Math.ceil(Math.max(...logs)) + 0.5 };
}

/** The x range of the log learning-rate axis: the values with a margin of a fifth of a decade (x1.58). */
export function logRange(values: readonly number[]): Domain {
  const positive = values.filter((value) => value > 0);
  if (positive.length === 0) return { min: 1e-5, max: 1e-2 };
  const margin = 10 ** 0.2;
  return { min: Math.min(...positive) / margin, max: Math.max(...positive) * margin };
}

/** Points closer than this fraction of the axis span are one place; a ring around it spreads them by this fraction. */
const SHARED_PLACE = 0.03;
const RING = 0.06;

/**
 * Where each point is drawn on the map's axes (lr on a log10 axis over xRange, log2 batch size over
 * yRange): at its own place, except that configurations that would cover each other (the same batch
 * size and learning rates closer than 3 % of the axis: those that differ in another hyperparameter,
 * such as the variant, or by a hair of lr) are set on a small ring around their mean place, so that
 * each stays a point of its own.
 */
export function mapPositions(points: readonly ConfigurationPoint[], xRange: Domain, yRange: Domain): Array<{ x: number; y: number }> {
  const xSpan = Math.log10(xRange.max / xRange.min) || 1;
  const ySpan = yRange.max - yRange.min || 1;
  const order = points.map((_, i) => i).sort((a, b) => points[a].batchSize - points[b].batchSize || points[a].lr - points[b].lr);
  const places: number[][] = [];
  for (const i of order) {
    const place = places.at(-1);
    const last = place ? points[place[place.length - 1]] : undefined;
    if (place && last && last.batchSize === points[i].batchSize && Math.abs(Math.log10(points[i].lr / last.lr)) < SHARED_PLACE * xSpan) place.push(i);
    else places.push([i]);
  }
  const positions = points.map((point) => ({ x: point.lr, y: Math.log2(point.batchSize) }));
  for (const place of places) {
    if (place.length === 1) continue;
    const centre = place.reduce((sum, i) => sum + Math.log10(points[i].lr), 0) / place.length;
    place.forEach((i, k) => {
      const angle = (2 * Math.PI * k) / place.length + Math.PI / 2;
      positions[i] = { x: 10 ** (centre + RING * xSpan * Math.cos(angle)), y: Math.log2(points[i].batchSize) + RING * ySpan * Math.sin(angle) };
    });
  }
  return positions;
}

function inEpochOrder(rows: readonly EpochRow[]): EpochRow[] {
  for (let i = 1; i < rows.length; i++) if (rows[i].epoch < rows[i - 1].epoch) return [...rows].sort((a, b) => a.epoch - b.epoch);
  return rows as EpochRow[];
}
