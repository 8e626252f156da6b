// Parameter importance as Optuna's default FanovaImportanceEvaluator computes it: a random forest
// fitted to the finished trials (64 trees, max depth 64, min_samples_split 2, min_samples_leaf 1,
// bootstrap samples, every feature at every split), fANOVA over each tree, each parameter's share of
// the tree's variance averaged over the trees with any, the averages normalised to sum to 1.
// docs/sweeps.md "Parameter importance" says where this differs from Optuna.
import { createRng, type Rng } from "../random/index.ts";
import { treeVariances, type Bounds } from "./fanova.ts";
import { growTree } from "./regression-tree.ts";

/**
 * A parameter as the forest sees it. Numeric ones in the scale the sweep samples them in (log: the
 * logarithm of the value), over the configured range; a categorical one as the index of its value,
 * each category an interval of width 1, so that averaging over the axis weighs every category alike.
 */
export type ImportanceParameter =
  | { name: string; scale: "linear" | "log"; low: number; high: number }
  | { name: string; scale: "categorical"; categories: readonly unknown[] };

export interface ImportanceTrial {
  params: Readonly<Record<string, unknown>>;
  value: number;
}

export interface ForestSettings {
  trees: number;
  maxDepth: number;
  minSamplesSplit: number;
  seed: number;
}

/** Optuna's FanovaImportanceEvaluator defaults (its seed is None; ours is fixed, so numbers repeat). */
export const FANOVA_SETTINGS: ForestSettings = { trees: 64, maxDepth: 64, minSamplesSplit: 2, seed: 0 };

export interface ParameterImportance {
  name: string;
  scale: ImportanceParameter["scale"];
  /** Its share of what the parameters explain on their own; the shares sum to 1. */
  importance: number;
  /** The mean over the trees of the fraction of the tree's variance its marginal has (fANOVA's main effect). */
  varianceFraction: number;
}

export type ImportanceResult =
  | { assessed: true; trials: number; parameters: ParameterImportance[] }
  | { assessed: false; trials: number; reason: string };

/**
 * How much of the variance of the trials' values each parameter explains, best first. Trials whose
 * value is not finite or whose parameters fall outside the space are left out, as Optuna leaves out
 * trials with a non-finite value. Not assessed, with the reason: no parameter, fewer than 2 trials,
 * one value for all, or a forest whose variance lies in interactions alone.
 */
export function parameterImportance(parameters: readonly ImportanceParameter[], trials: readonly ImportanceTrial[], settings: ForestSettings = FANOVA_SETTINGS): ImportanceResult {
  const rows = trials.flatMap((trial) => {
    const x = parameters.map((parameter) => axisPosition(parameter, trial.params[parameter.name]));
    return Number.isFinite(trial.value) && x.every(Number.isFinite) ? [{ x, y: trial.value }] : [];
  });
  const count = rows.length;
  if (parameters.length === 0) return { assessed: false, trials: count, reason: "no parameter varies in this sweep's space" };
  if (count < 2) return { assessed: false, trials: count, reason: `not enough trials: ${count} finished with a value, fANOVA needs at least 2` };
  if (rows.every((row) => row.y === rows[0].y)) return { assessed: false, trials: count, reason: `not enough trials: all ${count} finished trials have the same value` };
  const fractions = forestFractions(rows.map((row) => row.x), rows.map((row) => row.y), parameters.map(axisBounds), settings);
  const explained = fractions.reduce((sum, fraction) => sum + fraction, 0);
  if (!(explained > 0)) return { assessed: false, trials: count, reason: "no parameter explains any variance on its own: the forest finds interactions only" };
  const assessed = parameters.map((parameter, i) => ({ name: parameter.name, scale: parameter.scale, importance: fractions[i] / explained, varianceFraction: fractions[i] }));
  return { assessed: true, trials: count, parameters: assessed.sort((a, b) => b.importance - a.importance) };
}

/** Per feature, the mean over the trees (those with variance) of its marginal's fraction of the tree's variance. */
function forestFractions(x: number[][], y: number[], bounds: Bounds, settings: ForestSettings): number[] {
  const rng = createRng(settings.seed);
  const sums = new Array<number>(bounds.length).fill(0);
  let counted = 0;
  for (let t = 0; t < settings.trees; t++) {
    const tree = growTree({ x, y, weight: bootstrap(y.length, rng) }, settings, rng);
    const { total, marginal } = treeVariances(tree, bounds);
    if (!(total > 0)) continue;
    counted++;
    for (const [f, variance] of marginal.entries()) sums[f] += variance / total;
  }
  return sums.map((sum) => (counted === 0 ? 0 : sum / counted));
}

/** n draws with replacement, as counts per sample (scikit-learn's bootstrap, as sample weights). */
function bootstrap(n: number, rng: Rng): number[] {
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) counts[rng.int(n)]++;
  return counts;
}

function axisBounds(parameter: ImportanceParameter): [number, number] {
  if (parameter.scale === "categorical") return [-0.5, parameter.categories.length - 0.5];
  return parameter.scale === "log" ? [Math.log(parameter.low), Math.log(parameter.high)] : [parameter.low, parameter.high];
}

/** Where a value sits on the parameter's axis; NaN for one the space cannot produce. */
function axisPosition(parameter: ImportanceParameter, value: unknown): number {
  if (parameter.scale === "categorical") {
    const index = parameter.categories.indexOf(value);
    return index < 0 ? NaN : index;
  }
  if (typeof value !== "number" || value < parameter.low || value > parameter.high) return NaN;
  return parameter.scale === "log" ? Math.log(value) : value;
}
