import { isWorse, judgedCurve, otherTrials, previousEpoch, shown, valueAt } from "./curve.ts";
import { CONTINUE, pruneBecause, type PruneDecision, type Pruner, type PrunerTrial, type StudyHistory } from "./types.ts";

export interface MedianPrunerOptions {
  /** No pruning until this many other trials have completed. */
  startupTrials: number;
  /** The first this many epochs of a trial are never judged. */
  warmupEpochs: number;
  /** After the warm-up, judge every `interval`-th epoch. */
  interval: number;
}

/**
 * Optuna's MedianPruner (percentile 50, n_min_trials 1) with step = epoch - 1: a trial is pruned when
 * its best value so far is worse than the median of the completed trials' values at the same epoch.
 */
export class MedianPruner implements Pruner {
  constructor(private readonly options: MedianPrunerOptions) {}

  prune(trial: PrunerTrial, history: StudyHistory): PruneDecision {
    const { startupTrials, warmupEpochs, interval } = this.options;
    const completed = otherTrials(trial, history).filter((other) => other.state === "complete");
    // As Optuna: never before a first completed trial, even with startupTrials 0.
    if (completed.length === 0 || completed.length < startupTrials) return CONTINUE;
    const curve = judgedCurve(trial);
    const epoch = curve[curve.length - 1].epoch;
    if (epoch <= warmupEpochs || !isFirstInInterval(epoch, previousEpoch(curve), warmupEpochs, interval)) return CONTINUE;

    const finite = curve.map((point) => point.value).filter((value) => !Number.isNaN(value));
    if (finite.length === 0) return pruneBecause(`median: the objective is NaN at every epoch up to ${epoch}`);
    const best = history.direction === "maximize" ? Math.max(...finite) : Math.min(...finite);

    const atEpoch = completed.map((other) => valueAt(other, epoch)).filter((value): value is number => value !== undefined && !Number.isNaN(value));
    if (atEpoch.length === 0) return CONTINUE;
    const median = percentile50(atEpoch);
    if (!isWorse(best, median, history.direction)) return CONTINUE;
    return pruneBecause(
      `median: best objective so far ${shown(best)} is ${history.direction === "maximize" ? "below" : "above"} ` +
        `the median ${shown(median)} of ${atEpoch.length} completed trial(s) at epoch ${epoch}`,
    );
  }
}

/**
 * Optuna's _is_first_in_interval_step in epochs: judge at epochs warmup + 1, warmup + 1 + interval, ...,
 * and when a trial skipped one of those epochs, at the first epoch it reports after it.
 */
function isFirstInInterval(epoch: number, previous: number, warmupEpochs: number, interval: number): boolean {
  const step = epoch - 1;
  const nearestLowerJudgedStep = Math.floor((step - warmupEpochs) / interval) * interval + warmupEpochs;
  return previous - 1 < nearestLowerJudgedStep;
}

/** numpy's percentile(values, 50) with linear interpolation, computed as numpy's lerp does for t = 0.5. */
function percentile50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) / 2;
  const below = sorted[Math.floor(rank)];
  const above = sorted[Math.ceil(rank)];
  const t = rank - Math.floor(rank);
  return t >= 0.5 ? above - (above - below) * (1 - t) : below + (above - below) * t;
}
