import type { Rng } from "../../random/index.ts";
import { logGaussMass, logNormalPdf, truncatedNormalQuantile } from "./normal.ts";

/** Optuna's prior_weight: the prior kernel weighs as much as one observation. */
export const PRIOR_WEIGHT = 1;

/** A density over one parameter's kernel axis (a number for ranges, a position for choices), fitted to observations. */
export interface ParzenEstimator {
  sample(rng: Rng): number;
  logPdf(x: number): number;
}

/**
 * Where numeric kernels live: [low, high] on the parameter's axis (log space for log ranges); `step`
 * makes it discrete, each value owning the interval of width step around it (Optuna's q), low and high
 * being the outer edges of the first and last interval.
 */
export interface NumericAxis {
  low: number;
  high: number;
  step: number | null;
}

/**
 * Optuna's default_weights: observations weigh 1, except that beyond 25 the older ones fade linearly
 * (from 1/n up), the 25 latest keeping weight 1. Observations are in the order they were asked.
 */
export function defaultWeights(n: number): number[] {
  if (n < 25) return Array<number>(n).fill(1);
  return [...linspace(1 / n, 1, n - 25), ...Array<number>(25).fill(1)];
}

/** numpy.linspace: num values from start to stop, both included (just start when num is 1). */
function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : start + i * step));
}

/** The observations' weights with the prior's appended, summing to 1; the prior alone when nothing is observed. */
export function mixtureWeights(weights: readonly number[]): number[] {
  if (weights.length === 0) return [1];
  const all = [...weights, PRIOR_WEIGHT];
  const total = all.reduce((sum, w) => sum + w, 0);
  return all.map((w) => w / total);
}

/** The index drawn from a discrete distribution by one uniform number (first i with u < cumulative p). */
function drawIndex(probabilities: readonly number[], u: number): number {
  let cumulative = 0;
  for (let i = 0; i < probabilities.length - 1; i++) {
    cumulative += probabilities[i];
    if (u < cumulative) return i;
  }
  return probabilities.length - 1;
}

function logSumExp(values: readonly number[]): number {
  const high = Math.max(...values);
  if (high === -Infinity) return -Infinity;
  return high + Math.log(values.reduce((sum, v) => sum + Math.exp(v - high), 0));
}

/**
 * A mixture of normals truncated to the axis: one kernel at each observation and the prior at the
 * middle with the axis's width as sigma (Optuna's univariate Parzen estimator, consider_prior,
 * consider_magic_clip, not consider_endpoints).
 */
export class NumericParzenEstimator implements ParzenEstimator {
  private readonly mus: number[];
  private readonly sigmas: number[];
  private readonly weights: number[];
  private readonly logWeights: number[];
  /** log of each kernel's mass within the axis, its truncation's normaliser. */
  private readonly logMasses: number[];

  constructor(
    observations: readonly number[],
    weights: readonly number[],
    private readonly axis: NumericAxis,
  ) {
    const { low, high } = axis;
    this.mus = [...observations, 0.5 * (low + high)];
    this.sigmas = [...bandwidths(observations, low, high), high - low];
    this.weights = mixtureWeights(weights);
    this.logWeights = this.weights.map(Math.log);
    this.logMasses = this.mus.map((mu, j) => logGaussMass((low - mu) / this.sigmas[j], (high - mu) / this.sigmas[j]));
  }

  /** A kernel by weight, then a point from it (by its quantile function), rounded to the step's grid when discrete. */
  sample(rng: Rng): number {
    const j = drawIndex(this.weights, rng.next());
    const { low, high, step } = this.axis;
    const [mu, sigma] = [this.mus[j], this.sigmas[j]];
    const x = mu + sigma * truncatedNormalQuantile(rng.next(), (low - mu) / sigma, (high - mu) / sigma);
    if (step === null) return x;
    const first = low + step / 2;
    const last = high - step / 2;
    return Math.min(last, Math.max(first, first + Math.round((x - first) / step) * step));
  }

  /** The density at x, or for a discrete axis the mass of x's interval. */
  logPdf(x: number): number {
    const { low, high, step } = this.axis;
    return logSumExp(
      this.mus.map((mu, j) => {
        const sigma = this.sigmas[j];
        const kernel =
          step === null
            ? logNormalPdf((x - mu) / sigma) - Math.log(sigma)
            : logGaussMass((Math.max(x - step / 2, low) - mu) / sigma, (Math.min(x + step / 2, high) - mu) / sigma);
        return this.logWeights[j] + kernel - this.logMasses[j];
      }),
    );
  }
}

/**
 * Each observation's sigma: the larger gap to its neighbours among the observations, the prior's centre
 * and the axis ends, except that the lowest and highest take the gap inwards (consider_endpoints off);
 * clipped to [width / min(100, n + 2), width] (the magic clip), so that no kernel is a spike.
 */
function bandwidths(observations: readonly number[], low: number, high: number): number[] {
  const n = observations.length;
  if (n === 0) return [];
  const centres = [...observations, 0.5 * (low + high)];
  const order = centres.map((_, i) => i).sort((a, b) => centres[a] - centres[b]);
  const sorted = [low, ...order.map((i) => centres[i]), high];
  const sigmas = new Array<number>(centres.length);
  order.forEach((i, rank) => {
    const at = rank + 1;
    const below = sorted[at] - sorted[at - 1];
    const above = sorted[at + 1] - sorted[at];
    sigmas[i] = rank === 0 ? above : rank === order.length - 1 ? below : Math.max(below, above);
  });
  const width = high - low;
  const least = width / Math.min(100, n + 2);
  return sigmas.slice(0, n).map((sigma) => Math.min(width, Math.max(least, sigma)));
}

/**
 * Over k unordered choices: each observation's kernel puts weight 1 on its choice plus the prior's share
 * prior_weight / (n + 1) on every choice; the prior kernel is uniform (Optuna's categorical estimator).
 */
export class CategoricalParzenEstimator implements ParzenEstimator {
  private readonly probabilities: number[];

  constructor(observations: readonly number[], weights: readonly number[], choices: number) {
    const mixture = mixtureWeights(weights);
    const n = observations.length;
    this.probabilities = Array<number>(choices).fill(mixture[n] / choices);
    if (n === 0) return;
    const share = PRIOR_WEIGHT / (n + 1);
    const rowTotal = choices * share + 1;
    observations.forEach((choice, j) => {
      for (let c = 0; c < choices; c++) this.probabilities[c] += (mixture[j] * (share + (c === choice ? 1 : 0))) / rowTotal;
    });
  }

  /** From the mixture's marginal over the choices: the same law as a kernel drawn, then a choice from it. */
  sample(rng: Rng): number {
    return drawIndex(this.probabilities, rng.next());
  }

  logPdf(choice: number): number {
    return Math.log(this.probabilities[choice]);
  }
}
