// A study's trials as its optimization history shows them: each trial's objective value and the best
// value found up to it. Browser-safe; the values themselves come from the study (libs/study), which
// scores with the ranking's code.
import { directionSign, type ObjectiveDirection } from "./objective.ts";

/**
 * The best value of the complete trials up to and including each trial, by the objective's direction;
 * null before the first complete one. Pruned trials stopped early: their last value is no result, as
 * in Optuna's optimization history, so they never set the best.
 */
export function bestSoFar(trials: ReadonlyArray<{ state: string; value: number | null }>, direction: ObjectiveDirection): Array<number | null> {
  const better = directionSign(direction);
  let best: number | null = null;
  return trials.map(({ state, value }) => {
    if (state === "complete" && value !== null && Number.isFinite(value) && (best === null || better * (value - best) > 0)) best = value;
    return best;
  });
}
