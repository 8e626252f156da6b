// Recipe combinations that do not make sense, refused with the reason: for one run (parseTrainingConfig)
// and for a sweep, over every value its search space can produce (libs/sweep), so that no run of a
// submitted sweep is refused by a worker. Browser-safe: no tfjs, no zod.
import type { InputIssue } from "../validation/index.ts";

/** Possible values of a training field: one for a run, every value a sweep's space can give it. */
export type PossibleValues = (field: string) => readonly unknown[];

interface ExclusiveChoice {
  first: readonly [field: string, value: unknown];
  second: readonly [field: string, value: unknown];
  reason: string;
}

const EXCLUSIVE_CHOICES: readonly ExclusiveChoice[] = [
  {
    first: ["variant", "reference"],
    second: ["architecture", "improved-gan"],
    reason: "the reference variant reproduces the seed's network exactly; use variant improved with architecture improved-gan",
  },
  {
    first: ["variant", "reference"],
    second: ["classHead", "fixedFakeLogit"],
    reason: "the reference variant keeps the seed's 11-way head and its double softmax; use variant improved with classHead fixedFakeLogit",
  },
  {
    first: ["architecture", "improved-gan"],
    second: ["spectralNorm", true],
    reason: "improved-gan normalises its weights with weight normalisation; spectralNorm applies to the seed architecture",
  },
];

/**
 * The conflicts among the values the fields can take, each at the second field of its pair (`place`
 * turns a field into the path reported, e.g. "parameters.architecture"), plus schedule settings that
 * the run's length makes meaningless.
 */
export function recipeConflicts(possible: PossibleValues, place: (field: string) => string = (field) => field): InputIssue[] {
  const can = (field: string, value: unknown) => possible(field).includes(value);
  const issues: InputIssue[] = EXCLUSIVE_CHOICES.filter(({ first, second }) => can(...first) && can(...second)).map(({ first, second, reason }) => ({
    path: place(second[0]),
    message: `${second[0]} ${String(second[1])} cannot go with ${first[0]} ${String(first[1])}: ${reason}`,
  }));
  const epochs = Math.min(...possible("epochs").map(Number));
  const longestWarmup = Math.max(...possible("warmupEpochs").map(Number));
  if (longestWarmup >= epochs) {
    issues.push({
      path: place("warmupEpochs"),
      message: `${longestWarmup} warm-up epochs never end in a run of ${epochs} epochs: use fewer warm-up epochs than epochs`,
    });
  }
  const longestStep = Math.max(...possible("lrStepEpochs").map(Number));
  if (can("lrSchedule", "step") && longestStep >= epochs) {
    issues.push({
      path: place("lrStepEpochs"),
      message: `the step schedule decays every ${longestStep} epochs, so a run of ${epochs} epochs never decays: use lrStepEpochs below epochs`,
    });
  }
  return issues;
}
