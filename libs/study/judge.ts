// The pruning decision after a run recorded an epoch: per configuration (the mean over its
// repeats), by the sweep's pruner, against the rest of the study as stored.
import type { Objective } from "../results/index.ts";
import { configurationStudy, createPruner, type PruneDecision, type PrunerConfig } from "../sweep/index.ts";
import { prunerRuns, type StudyRun } from "./study-runs.ts";

export interface PruningSettings {
  pruner: PrunerConfig;
  objective: Objective;
  seed: number;
  epochs: number;
}

/**
 * Whether run `runId`, which has just recorded `epoch`, trains on. A run at its last epoch is done,
 * never pruned; a repeat of a configuration already pruned is pruned with it.
 */
export function judgeEpoch(settings: PruningSettings, runs: readonly StudyRun[], judged: { runId: string; epoch: number }): PruneDecision {
  if (settings.pruner.kind === "none" || judged.epoch >= settings.epochs) return { prune: false };
  const run = runs.find((candidate) => candidate.id === judged.runId);
  if (!run) return { prune: false };
  const pruned = runs.find((other) => other.configKey === run.configKey && other.status === "pruned");
  if (pruned) return { prune: true, reason: `another repeat of this configuration (run #${pruned.index}) was pruned: the decision is per configuration` };
  const { trial, history } = configurationStudy(prunerRuns(runs, settings.objective), { configKey: run.configKey, epoch: judged.epoch }, settings.objective.direction);
  return createPruner(settings.pruner, { seed: settings.seed, epochs: settings.epochs }).prune(trial, history);
}
