import { createRng, deriveSeed } from "../../random/index.ts";
import { FiniteSpace } from "../finite-space.ts";
import { RandomSampler } from "../random-sampler.ts";
import type { Assignment, Sampler, Study } from "../sampler.ts";
import { bestAcceptedCombination } from "./best-combination.ts";
import { fieldModel, type Candidate } from "./field-model.ts";
import { splitTrials } from "./split.ts";

export interface TpeOptions {
  /** Random trials before the model takes over (Optuna's n_startup_trials), counted over complete and pruned ones. */
  startupTrials: number;
  /** Draws from l(x) per parameter, of which the best l(x)/g(x) is taken (n_ei_candidates). */
  candidates: number;
  /** Count running trials as the worst (in g(x)), so that parallel asks spread out (constant_liar). */
  constantLiar: boolean;
}

/** Candidate sets drawn anew when a finite space has every combination of one set taken, before a random untaken one is given. */
const ATTEMPTS = 4;

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) as Optuna's TPESampler with its defaults,
 * univariate: each parameter's values in the good trials (below, the best gamma(n)) and in the rest
 * (above) give Parzen estimators l(x) and g(x); candidates drawn from l(x) are scored log l(x) - log g(x)
 * and the best kept. Start-up trials are the RandomSampler's draws for the same seed and trial number.
 * Trial n's candidates come from its own stream, deriveSeed(seed, "tpe", n, attempt), so the answer
 * depends on the trials told, never on what was asked before in the process.
 *
 * On a finite space a configuration is given once (no trial, whatever its state, is handed out again):
 * the best-scoring combination of the candidates that no trial holds.
 */
export class TpeSampler implements Sampler {
  private readonly random: RandomSampler;

  constructor(
    private readonly seed: number,
    private readonly options: TpeOptions,
  ) {
    this.random = new RandomSampler(seed);
  }

  ask(study: Study): Assignment | null {
    const { space, trials, direction } = study;
    const split = splitTrials(trials, direction, this.options.constantLiar);
    if (split.finished < this.options.startupTrials) return this.random.ask(study);
    const finite = FiniteSpace.of(space);
    const taken = finite?.taken(trials) ?? new Set<string>();
    if (finite !== null && taken.size >= finite.size) return null;
    const models = space.map(([field, distribution]) => fieldModel(field, distribution, split));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const rng = createRng(deriveSeed(this.seed, "tpe", trials.length, attempt));
      const candidates = models.map((model) => model.candidates(rng, this.options.candidates));
      const assignment = (chosen: readonly number[]): Assignment =>
        Object.fromEntries(models.map((model, i) => [model.field, candidates[i][chosen[i]].value]));
      if (finite === null) return assignment(candidates.map(() => 0));
      const key = (chosen: readonly number[]) => chosen.map((c, i) => candidates[i][c].coordinate).join(",");
      const best = bestAcceptedCombination(candidates.map(scores), (chosen) => !taken.has(key(chosen)));
      if (best !== null) return assignment(best);
    }
    return this.random.ask(study);
  }
}

function scores(candidates: Candidate[]): number[] {
  return candidates.map((candidate) => candidate.score);
}
