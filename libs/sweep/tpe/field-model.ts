import type { Rng } from "../../random/index.ts";
import { Continuous, isFiniteDistribution, type Distribution, type FiniteDistribution } from "../distributions.ts";
import type { Scalar } from "../parameter-schema.ts";
import type { SweepableField } from "../fields.ts";
import { CategoricalParzenEstimator, defaultWeights, NumericParzenEstimator, type ParzenEstimator } from "./parzen-estimator.ts";
import type { NumberedTrial, TrialSplit } from "./split.ts";

/** A value TPE could give one parameter, with its point on the kernel axis (a finite parameter's position) and log l(x) - log g(x). */
export interface Candidate {
  coordinate: number;
  value: Scalar;
  score: number;
}

/** One parameter's l(x) and g(x) (univariate TPE: each parameter is modelled on its own). */
export interface FieldModel {
  field: SweepableField;
  /** `count` draws from l(x), best score first; a finite parameter's repeated draws given once. */
  candidates(rng: Rng, count: number): Candidate[];
}

/** How values of one parameter map onto the axis its kernels live on. */
interface Axis {
  coordinate(value: Scalar): number | null;
  value(coordinate: number): Scalar;
  estimator(observations: number[], weights: number[]): ParzenEstimator;
  /** Whether two draws at one coordinate are the same value (finite parameters), so that each is scored once. */
  readonly discrete: boolean;
}

export function fieldModel(field: SweepableField, distribution: Distribution, split: TrialSplit): FieldModel {
  const only = singleValue(distribution);
  if (only !== null) return { field, candidates: () => [{ coordinate: 0, value: only, score: 0 }] };
  const axis = axisOf(distribution);
  const fit = (group: NumberedTrial[]) => {
    const observations = group.flatMap(({ trial }) => {
      const value = trial.assignment[field];
      const coordinate = value === undefined ? null : axis.coordinate(value);
      return coordinate === null ? [] : [coordinate];
    });
    return axis.estimator(observations, defaultWeights(observations.length));
  };
  const below = fit(split.below);
  const above = fit(split.above);
  return {
    field,
    candidates(rng, count) {
      const drawn = Array.from({ length: count }, () => below.sample(rng));
      const distinct = axis.discrete ? [...new Set(drawn)] : drawn;
      return distinct
        .map((coordinate) => ({ coordinate, value: axis.value(coordinate), score: below.logPdf(coordinate) - above.logPdf(coordinate) }))
        .sort((a, b) => b.score - a.score);
    },
  };
}

/** A parameter with one value needs no model. */
function singleValue(distribution: Distribution): Scalar | null {
  if (isFiniteDistribution(distribution)) return distribution.size === 1 ? distribution.at(0) : null;
  return distribution instanceof Continuous && distribution.low === distribution.high ? distribution.low : null;
}

/**
 * choice: categorical over its positions; int, log2int and points: discrete kernels over their
 * positions, which are evenly spaced on their axis (linear, or log for log2int and loguniform points);
 * uniform and loguniform: kernels on the range, in log space for loguniform.
 */
function axisOf(distribution: Distribution): Axis {
  if (isFiniteDistribution(distribution)) return distribution.ordered ? positionAxis(distribution) : choiceAxis(distribution);
  if (!(distribution instanceof Continuous)) throw new Error("TPE models choice, int, log2int, uniform and loguniform parameters only");
  return rangeAxis(distribution);
}

function positionOf(distribution: FiniteDistribution, value: Scalar): number | null {
  const position = distribution.indexOf(value);
  return position < 0 ? null : position;
}

function choiceAxis(distribution: FiniteDistribution): Axis {
  return {
    discrete: true,
    coordinate: (value) => positionOf(distribution, value),
    value: (position) => distribution.at(position),
    estimator: (observations, weights) => new CategoricalParzenEstimator(observations, weights, distribution.size),
  };
}

/** Position i owns [i - 0.5, i + 0.5]: Optuna's IntDistribution(step) scaled to step 1. */
function positionAxis(distribution: FiniteDistribution): Axis {
  const axis = { low: -0.5, high: distribution.size - 0.5, step: 1 };
  return {
    discrete: true,
    coordinate: (value) => positionOf(distribution, value),
    value: (position) => distribution.at(position),
    estimator: (observations, weights) => new NumericParzenEstimator(observations, weights, axis),
  };
}

function rangeAxis({ low, high, log }: Continuous): Axis {
  const toAxis = (value: number) => (log ? Math.log(value) : value);
  const axis = { low: toAxis(low), high: toAxis(high), step: null };
  return {
    discrete: false,
    coordinate: (value) => (typeof value === "number" && value >= low && value <= high ? toAxis(value) : null),
    // exp(log x) can land an ulp outside the range.
    value: (coordinate) => Math.min(high, Math.max(low, log ? Math.exp(coordinate) : coordinate)),
    estimator: (observations, weights) => new NumericParzenEstimator(observations, weights, axis),
  };
}
