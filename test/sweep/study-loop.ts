import { createRng, deriveSeed, permutation } from "../../libs/random/index.ts";
import type { Assignment, Sampler, SearchSpace, StudyDirection, Trial } from "../../libs/sweep/index.ts";

export interface StudyRun {
  trials: Trial[];
  /** The best value found, by the study's direction. */
  best: number;
}

/**
 * The study loop in miniature, as the samplers' tests drive it: keep `parallelism` trials in flight,
 * finish one (the oldest, or in an order shuffled by `orderSeed`), tell its value by asking again.
 */
export function runStudy(
  sampler: Sampler,
  space: SearchSpace,
  objective: (assignment: Assignment) => number,
  options: { budget: number; parallelism?: number; direction: StudyDirection; orderSeed?: number },
): StudyRun {
  const { budget, parallelism = 1, direction, orderSeed } = options;
  const trials: Trial[] = [];
  const inFlight: number[] = [];
  const order = orderSeed === undefined ? null : createRng(deriveSeed(orderSeed, "completion"));
  while (trials.length < budget || inFlight.length > 0) {
    while (inFlight.length < parallelism && trials.length < budget) {
      const assignment = sampler.ask({ space, trials, direction });
      if (assignment === null) break;
      inFlight.push(trials.length);
      trials.push({ assignment, state: "running" });
    }
    if (inFlight.length === 0) break;
    const [done] = inFlight.splice(order === null ? 0 : permutation(inFlight.length, order)[0], 1);
    trials[done] = { assignment: trials[done].assignment, state: "complete", value: objective(trials[done].assignment) };
  }
  const values = trials.flatMap((trial) => (trial.state === "complete" ? [trial.value] : []));
  return { trials, best: direction === "minimize" ? Math.min(...values) : Math.max(...values) };
}
