// Population-based training as the study reads a sweep: its stored runs as the population, and
// libs/sweep's decision as the step libs/db stores and applies (recordPbtDecision).
import { trainingConfigSchema, type TrainingConfig } from "../sgan/index.ts";
import {
  decidePbt,
  pbtOptionsOf,
  searchSpace,
  StuckPruner,
  type Assignment,
  type PbtMember,
  type PerturbedValue,
  type SearchSpace,
  type SweepConfig,
} from "../sweep/index.ts";
import type { RunStatus } from "../results/index.ts";
import { prunerRuns, type StudyRun } from "./study-runs.ts";

/** Runs that can be ranked and copied: the others ended without a result to build on (failed, diverged, cancelled) or were stopped (pruned). */
const IN_POPULATION: readonly RunStatus[] = ["queued", "running", "completed"];

export type PbtRunStep =
  | { action: "continue"; reason: string }
  | {
      action: "exploit";
      fromRunId: string;
      fromEpoch: number;
      changes: PerturbedValue[];
      /** The run's config from then on: the donor's (its seed included, so that a lineage trains on one stream), with explore's values. */
      run: { params: TrainingConfig; batchSize: number; lr: number; seed: number; variant: string };
      reason: string;
    };

/**
 * The sweep's runs as PBT members: the objective's metric per epoch (as the pruners read it), the
 * sweep's stuck rule when its pruner is `stuck`, and the epoch of each stored checkpoint.
 */
export function pbtMembers(config: SweepConfig, runs: readonly StudyRun[], checkpointEpochs: ReadonlyMap<string, number>): PbtMember[] {
  const population = runs.filter((run) => IN_POPULATION.includes(run.status));
  const byId = new Map(population.map((run) => [run.id, run]));
  const space = searchSpace(config.parameters);
  const stuckRule = config.pruner.kind === "stuck" ? new StuckPruner(config.pruner) : null;
  return prunerRuns(population, config.objective).map((trial): PbtMember => {
    const run = byId.get(trial.id)!;
    return {
      runId: run.id,
      index: run.index,
      assignment: assignmentOf(run.params, space),
      curve: trial.curve,
      stuck: stuckRule !== null && run.epochs.length > 0 && stuckRule.prune(trial).prune,
      checkpointEpoch: checkpointEpochs.get(run.id) ?? null,
    };
  });
}

function assignmentOf(params: TrainingConfig, space: SearchSpace): Assignment {
  return Object.fromEntries(space.map(([field]) => [field, params[field]]));
}

/** The decision about run `decided.runId`, which has just recorded `decided.epoch`, of a pbt sweep, as the step to store. */
export function pbtStep(config: SweepConfig, runs: readonly StudyRun[], checkpointEpochs: ReadonlyMap<string, number>, decided: { runId: string; epoch: number }): PbtRunStep {
  const settings = { options: pbtOptionsOf(config), space: searchSpace(config.parameters), direction: config.objective.direction, seed: config.seed, epochs: config.fixed.epochs };
  const decision = decidePbt(settings, pbtMembers(config, runs, checkpointEpochs), decided);
  if (decision.action === "continue") return decision;
  const donor = runs.find((run) => run.id === decision.fromRunId)!;
  const params = trainingConfigSchema.parse({ ...donor.params, ...decision.explore.values });
  return {
    action: "exploit",
    fromRunId: decision.fromRunId,
    fromEpoch: decision.fromEpoch,
    changes: decision.explore.changes,
    run: { params, batchSize: params.batchSize, lr: params.lr, seed: params.seed, variant: params.variant },
    reason: decision.reason,
  };
}
