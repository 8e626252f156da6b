// PBT's explore step (Ray Tune's `_explore`): the copied run's values, each perturbed parameter
// multiplied by a factor, moved to a neighbouring value, or drawn again from the search space.
import type { Rng } from "../../random/index.ts";
import { Continuous, isFiniteDistribution, type Distribution, type FiniteDistribution } from "../distributions.ts";
import type { SweepableField } from "../fields.ts";
import type { Scalar } from "../parameter-schema.ts";
import type { Assignment, SearchSpace } from "../sampler.ts";

export interface ExploreSettings {
  resampleProbability: number;
  perturbationFactors: readonly number[];
}

/** How one value was moved: drawn again, multiplied (and clamped to the range), or shifted to a neighbour (a no-op at an end). */
export type PerturbOperation =
  | { kind: "resample" }
  | { kind: "multiply"; factor: number; clamped: boolean }
  | { kind: "shift"; direction: -1 | 1; noop: boolean };

export interface PerturbedValue {
  field: SweepableField;
  from: Scalar | undefined;
  to: Scalar;
  operation: PerturbOperation;
}

export interface Exploration {
  /** Every value of the copied run's assignment, the perturbed ones replaced. */
  values: Assignment;
  /** One entry per perturbed parameter, in the space's order, no-ops included. */
  changes: PerturbedValue[];
}

/** Perturbs the `perturbed` parameters of `assignment`, in the space's order, drawing from `rng` only. */
export function explore(assignment: Assignment, space: SearchSpace, perturbed: ReadonlySet<SweepableField>, settings: ExploreSettings, rng: Rng): Exploration {
  const values: Assignment = { ...assignment };
  const changes: PerturbedValue[] = [];
  for (const [field, distribution] of space) {
    if (!perturbed.has(field)) continue;
    const from = assignment[field];
    const { value, operation } = perturbValue(distribution, from, settings, rng);
    values[field] = value;
    changes.push({ field, from, to: value, operation });
  }
  return { values, changes };
}

/**
 * One parameter's new value. With resampleProbability, or when the value is not one the distribution
 * holds, a fresh draw; otherwise a continuous range multiplies by a factor chosen uniformly (in value
 * space, log ranges too, as Ray) and clamps to the range, and a finite one (choice, int, log2int,
 * points) moves one place left or right in its order, staying put at an end.
 */
export function perturbValue(
  distribution: Distribution,
  value: Scalar | undefined,
  settings: ExploreSettings,
  rng: Rng,
): { value: Scalar; operation: PerturbOperation } {
  const resample = rng.next() < settings.resampleProbability;
  if (isFiniteDistribution(distribution)) {
    const index = value === undefined ? -1 : distribution.indexOf(value);
    return resample || index === -1 ? resampled(distribution, rng) : shifted(distribution, index, rng);
  }
  if (!(distribution instanceof Continuous)) throw new Error("pbt perturbs continuous and finite distributions only");
  if (resample || typeof value !== "number" || !Number.isFinite(value)) return resampled(distribution, rng);
  const factor = settings.perturbationFactors[rng.int(settings.perturbationFactors.length)];
  // Twelve significant digits, as a log grid's points: 1e-4 x 1.2 reads 0.00012, not 0.00012000000000000002.
  const product = Number((value * factor).toPrecision(12));
  const clampedValue = Math.min(distribution.high, Math.max(distribution.low, product));
  return { value: clampedValue, operation: { kind: "multiply", factor, clamped: clampedValue !== product } };
}

function resampled(distribution: Distribution, rng: Rng): { value: Scalar; operation: PerturbOperation } {
  return { value: distribution.sample(rng), operation: { kind: "resample" } };
}

function shifted(distribution: FiniteDistribution, index: number, rng: Rng): { value: Scalar; operation: PerturbOperation } {
  const direction = rng.next() < 0.5 ? -1 : 1;
  const moved = Math.min(distribution.size - 1, Math.max(0, index + direction));
  return { value: distribution.at(moved), operation: { kind: "shift", direction, noop: moved === index } };
}
