// What the study asks next: as many trials as its free slots and its budget allow, given every run
// it has so far. Deterministic: the same runs (their statuses and figures) give the same trials, so
// asking again after a crash, before the answer was stored, asks the same.
import { adaptiveBudget, askTrials, samplerFor, searchSpace, trialRuns, type PlannedRun, type SweepConfig } from "../sweep/index.ts";
import type { Objective } from "../results/index.ts";
import { samplerTrials, trialGroups, type StudyRun } from "./study-runs.ts";

/** Trials in flight at once: tpe's parallelism; a static plan (grid, random) runs all of them at once. */
export function parallelismOf(config: SweepConfig): number {
  return config.strategy === "tpe" ? adaptiveBudget(config).parallelism : Number.POSITIVE_INFINITY;
}

/** The runs of the next trials (numbered on from the sweep's runs); none when no slot or no budget is left, or the space is used up. */
export function nextTrials(config: SweepConfig, objective: Objective, runs: readonly StudyRun[], trialBudget: number): PlannedRun[] {
  const groups = trialGroups(runs);
  // Slots and budget first, from the statuses alone: scoring every trial for the sampler is needed only when one will be asked.
  const inFlight = groups.filter((repeats) => repeats.some((run) => run.status === "queued" || run.status === "running")).length;
  const free = Math.min(parallelismOf(config) - inFlight, trialBudget - groups.length);
  if (free <= 0) return [];
  const space = searchSpace(config.parameters);
  const trials = samplerTrials(runs, space, objective);
  const assignments = askTrials(samplerFor(config), { space, trials, direction: objective.direction }, free);
  const nextIndex = runs.reduce((next, run) => Math.max(next, run.index + 1), 0);
  return trialRuns(config, assignments, { index: nextIndex, trial: groups.length });
}
