import type { SweepConfig } from "./config.ts";
import { toDistribution, type Distribution } from "./distributions.ts";
import { SWEEPABLE_FIELDS, type SweepableField } from "./fields.ts";
import type { Scalar } from "./parameter-schema.ts";

/** The values a sampler chose for one configuration; fields the sweep leaves out take the training defaults. */
export type Assignment = Partial<Record<SweepableField, Scalar>>;

/** A sweep's parameters as distributions, in the fixed field order so that a plan doesn't depend on key order in the file. */
export type SearchSpace = Array<[SweepableField, Distribution]>;

/** Chooses the configurations of a sweep (Optuna's samplers). */
export interface Sampler {
  /** How many configurations `sample` returns, known without building them so that an oversized plan is refused cheaply. */
  count(space: SearchSpace): number;
  sample(space: SearchSpace): Assignment[];
}

export function searchSpace(parameters: SweepConfig["parameters"]): SearchSpace {
  return SWEEPABLE_FIELDS.flatMap((field): SearchSpace => {
    const spec = parameters[field];
    return spec === undefined ? [] : [[field, toDistribution(spec)]];
  });
}
