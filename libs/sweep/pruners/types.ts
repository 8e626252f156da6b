/** Which way the objective improves. */
export type StudyDirection = "maximize" | "minimize";

/**
 * A trial's state as the pruners see it. Run statuses map onto it: queued and running are `running`,
 * completed is `complete`, pruned is `pruned`, and failed, diverged and cancelled are `failed`.
 */
export type TrialState = "running" | "complete" | "pruned" | "failed";

/** The objective's value after `epoch` (1-based: epoch 1 is the first trained epoch). */
export interface CurvePoint {
  epoch: number;
  value: number;
}

/**
 * The raw figures of one epoch that `stuck` reads: means and within-epoch (across batches) standard
 * deviations. Database epoch rows carry these columns and can be passed as they are.
 */
export interface EpochStats {
  epoch: number;
  dAccMean: number;
  dAccStd: number;
  dLossMean: number;
  dLossStd: number;
  gLossMean: number;
  gLossStd: number;
  gLossMax: number;
}

/**
 * One trial of a study: a run, or a configuration whose curve is the mean over its repeats
 * (configurationStudy). `curve` holds the objective per epoch; `stats` the raw epoch figures, which
 * only `stuck` needs (and only for the trial it judges).
 */
export interface PrunerTrial {
  id: string;
  state: TrialState;
  curve: readonly CurvePoint[];
  stats?: readonly EpochStats[];
}

/** Everything a pruner compares against: the other trials of the study, as they stand now. */
export interface StudyHistory {
  direction: StudyDirection;
  trials: readonly PrunerTrial[];
}

export type PruneDecision = { prune: false } | { prune: true; reason: string };

/**
 * Decides, after the latest epoch of `trial.curve` was recorded, whether the trial trains on.
 * Deterministic: the same trial and history give the same decision. The trial itself may be in
 * `history.trials` (matched by id); it is never compared with itself.
 */
export interface Pruner {
  prune(trial: PrunerTrial, history: StudyHistory): PruneDecision;
}

export const CONTINUE: PruneDecision = Object.freeze({ prune: false });

export function pruneBecause(reason: string): PruneDecision {
  return { prune: true, reason };
}
