import type { SweepConfig } from "./config.ts";
import { toDistribution, type Distribution } from "./distributions.ts";
import { SWEEPABLE_FIELDS, type SweepableField } from "./fields.ts";
import type { Scalar } from "./parameter-schema.ts";
import type { StudyDirection } from "./pruners/types.ts";

/** The values a sampler chose for one configuration; fields the sweep leaves out take the training defaults. */
export type Assignment = Partial<Record<SweepableField, Scalar>>;

/** A sweep's parameters as distributions, in the fixed field order so that a plan doesn't depend on key order in the file. */
export type SearchSpace = Array<[SweepableField, Distribution]>;

/**
 * One configuration a study has asked for, as a sampler sees it (its state is the pruners'
 * TrialState). A trial is a configuration: with repeats, its value is the objective over its repeats
 * (the caller computes it). `running` covers asked and not yet finished (queued or training). A pruned
 * trial carries the last value it reported and the step (epoch) of that value, as Optuna's TPE ranks
 * pruned trials by how far they got.
 */
export type Trial =
  | { assignment: Assignment; state: "running" | "failed" }
  | { assignment: Assignment; state: "complete"; value: number }
  | { assignment: Assignment; state: "pruned"; step: number; value: number | null };

/** What a sampler decides from: the space, every trial asked so far in the order asked (trial i is the i-th), and the objective's direction. */
export interface Study {
  space: SearchSpace;
  trials: readonly Trial[];
  direction: StudyDirection;
}

/**
 * Chooses a sweep's configurations (Optuna's BaseSampler), ask/tell without state: results are told by
 * passing every trial to `ask`, so a sampler holds nothing but its settings and seed, and the same
 * study (trials, their states and values) gives the same answer in any process, after any restart.
 */
export interface Sampler {
  /**
   * The configuration of the next trial (number `study.trials.length`), or null when there is none left
   * to give: a finite space whose every configuration was asked already, or a grid walked to its end.
   */
  ask(study: Study): Assignment | null;
}

/**
 * Asks up to `count` trials at once, each seeing those asked before it as running (a study filling its
 * free slots); fewer come back when the sampler runs out.
 */
export function askTrials(sampler: Sampler, study: Study, count: number): Assignment[] {
  const trials: Trial[] = [...study.trials];
  const asked: Assignment[] = [];
  while (asked.length < count) {
    const assignment = sampler.ask({ ...study, trials });
    if (assignment === null) break;
    asked.push(assignment);
    trials.push({ assignment, state: "running" });
  }
  return asked;
}

export function searchSpace(parameters: SweepConfig["parameters"]): SearchSpace {
  return SWEEPABLE_FIELDS.flatMap((field): SearchSpace => {
    const spec = parameters[field];
    return spec === undefined ? [] : [[field, toDistribution(spec)]];
  });
}
