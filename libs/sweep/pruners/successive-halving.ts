import { judgedCurve, otherTrials, previousEpoch, shown, valueOnReaching } from "./curve.ts";
import { CONTINUE, pruneBecause, type PruneDecision, type Pruner, type PrunerTrial, type StudyDirection, type StudyHistory } from "./types.ts";

export interface SuccessiveHalvingOptions {
  /** Epoch of the first rung, before the early-stopping rate. */
  minEpochs: number;
  reductionFactor: number;
  /** Rung k sits at minEpochs x reductionFactor^(minEarlyStoppingRate + k). */
  minEarlyStoppingRate: number;
}

/**
 * Asynchronous successive halving (Li et al. 2018, ASHA) as Optuna's SuccessiveHalvingPruner decides
 * it, with step = epoch: when a trial reaches a rung it continues only if its value there is among the
 * best max(1, floor(n / reductionFactor)) of the n trials that have reached that rung so far, itself
 * included; trials that reach the rung later are judged against everyone that reached it before them.
 *
 * Stateless: a trial's value at a rung is read from its curve (its value at the first epoch it
 * reported at or after the rung), so the decision depends on the curves alone. Every trial that
 * reached the rung competes, whatever its state now: running, complete, pruned there, or failed later.
 * `label` names the pruner in reasons (`asha`, or `hyperband bracket 1`).
 */
export class SuccessiveHalvingPruner implements Pruner {
  constructor(
    private readonly options: SuccessiveHalvingOptions,
    private readonly label = "asha",
  ) {}

  /** The rung epochs up to `epoch`, in order. */
  rungEpochs(epoch: number): number[] {
    const { minEpochs, reductionFactor, minEarlyStoppingRate } = this.options;
    const rungs: number[] = [];
    for (let at = minEpochs * reductionFactor ** minEarlyStoppingRate; at <= epoch; at *= reductionFactor) rungs.push(at);
    return rungs;
  }

  prune(trial: PrunerTrial, history: StudyHistory): PruneDecision {
    const curve = judgedCurve(trial);
    const latest = curve[curve.length - 1];
    const others = otherTrials(trial, history);
    // Like Optuna's loop over rungs: each rung crossed since the previous report is judged with the latest value.
    const previous = previousEpoch(curve);
    for (const rung of this.rungEpochs(latest.epoch).filter((at) => at > previous)) {
      if (Number.isNaN(latest.value)) return pruneBecause(`${this.label}: the objective is NaN at epoch ${latest.epoch} (rung at epoch ${rung})`);
      const competitors = others.map((other) => valueOnReaching(other, rung)).filter((value) => value !== undefined);
      const decision = this.judge(latest.value, rung, competitors, history.direction);
      if (decision.prune) return decision;
    }
    return CONTINUE;
  }

  private judge(value: number, rung: number, others: number[], direction: StudyDirection): PruneDecision {
    const bestFirst = [...others, value].sort((a, b) => betterFirst(a, b, direction));
    const kept = Math.max(1, Math.floor(bestFirst.length / this.options.reductionFactor));
    const threshold = bestFirst[kept - 1];
    if (betterFirst(value, threshold, direction) <= 0) return CONTINUE;
    return pruneBecause(
      `${this.label}: objective ${shown(value)} at the rung at epoch ${rung} is not among the best ${kept} of the ` +
        `${bestFirst.length} trial(s) that reached it (needs ${direction === "maximize" ? ">=" : "<="} ${shown(threshold)}, reduction factor ${this.options.reductionFactor})`,
    );
  }
}

/** Sort order best first, NaN (a trial that recorded no usable value) last. */
function betterFirst(a: number, b: number, direction: StudyDirection): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  if (a === b) return 0;
  return (direction === "maximize" ? a > b : a < b) ? -1 : 1;
}
