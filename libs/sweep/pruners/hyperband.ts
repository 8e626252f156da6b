import { crc32 } from "./crc32.ts";
import { SuccessiveHalvingPruner } from "./successive-halving.ts";
import type { PruneDecision, Pruner, PrunerTrial, StudyHistory } from "./types.ts";

export interface HyperbandOptions {
  minEpochs: number;
  maxEpochs: number;
  reductionFactor: number;
  /** The sweep's seed: with the trial id it picks the bracket, so another seed spreads trials differently. */
  seed: number;
}

/**
 * Optuna's HyperbandPruner: brackets of successive halving, bracket b first judging at
 * minEpochs x reductionFactor^b. A trial's bracket is crc32("<seed>_<trial id>") modulo the total
 * budget, walked through the brackets' budgets ceil(n x rf^s / (s + 1)) (s = n - 1 - b), as Optuna
 * does with "<study name>_<trial number>". A trial is compared only with trials of its own bracket.
 */
export class HyperbandPruner implements Pruner {
  private readonly brackets: SuccessiveHalvingPruner[];
  private readonly budgets: number[];

  constructor(private readonly options: HyperbandOptions) {
    const { minEpochs, reductionFactor } = options;
    const count = bracketCount(options);
    this.budgets = Array.from({ length: count }, (_, bracket) => {
      const s = count - 1 - bracket;
      return Math.ceil((count * reductionFactor ** s) / (s + 1));
    });
    this.brackets = this.budgets.map(
      (_, bracket) => new SuccessiveHalvingPruner({ minEpochs, reductionFactor, minEarlyStoppingRate: bracket }, `hyperband bracket ${bracket}`),
    );
  }

  bracketOf(trialId: string): number {
    const point = crc32(`${this.options.seed}_${trialId}`) % this.budgets.reduce((sum, budget) => sum + budget, 0);
    let end = 0;
    return this.budgets.findIndex((budget) => point < (end += budget));
  }

  prune(trial: PrunerTrial, history: StudyHistory): PruneDecision {
    const bracket = this.bracketOf(trial.id);
    const sameBracket = history.trials.filter((other) => this.bracketOf(other.id) === bracket);
    return this.brackets[bracket].prune(trial, { ...history, trials: sameBracket });
  }
}

/**
 * How many s >= 0 have minEpochs x rf^s <= maxEpochs: Optuna's floor(log_rf(max / min)) + 1, counted
 * in integers, so that 243 epochs with factor 3 give 6 brackets (Python's math.log(243, 3) is 4.999...).
 */
function bracketCount({ minEpochs, maxEpochs, reductionFactor }: HyperbandOptions): number {
  let count = 0;
  for (let at = minEpochs; at <= maxEpochs; at *= reductionFactor) count++;
  return count;
}
