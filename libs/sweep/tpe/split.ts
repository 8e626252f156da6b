import type { StudyDirection } from "../pruners/types.ts";
import type { Trial } from "../sampler.ts";

/** Optuna's default_gamma: the good group is the best 10% of finished trials (rounded up), at most 25. */
export function defaultGamma(finished: number): number {
  return Math.min(Math.ceil(0.1 * finished), 25);
}

/** A trial with the number it was asked as, for the model's chronological weights. */
export interface NumberedTrial {
  number: number;
  trial: Trial;
}

export interface TrialSplit {
  /** Complete and pruned trials, the count the start-up phase and gamma go by (running ones never count). */
  finished: number;
  /** The best gamma(finished), in the order asked: l(x) is fitted to them. */
  below: NumberedTrial[];
  /** The rest, in the order asked: g(x) is fitted to them. */
  above: NumberedTrial[];
}

/**
 * How a trial ranks, lower first, as Optuna's _get_observation_pairs scores it: complete trials by
 * value; then pruned ones, those that got further first, by the last value they reported (a pruned
 * trial that reported nothing after them all); under the constant liar, running trials last of all,
 * as if they had come back with the worst value. Failed trials, and complete ones whose value is not a
 * number, tell nothing and are left out.
 */
function rank(trial: Trial, sign: number, constantLiar: boolean): [number, number] | null {
  switch (trial.state) {
    case "complete":
      return Number.isNaN(trial.value) ? null : [-Infinity, sign * trial.value];
    case "pruned":
      if (trial.value === null) return [1, 0];
      return [-trial.step, Number.isNaN(trial.value) ? Infinity : sign * trial.value];
    case "running":
      return constantLiar ? [Infinity, Infinity] : null;
    case "failed":
      return null;
  }
}

/** The good/bad split of TPE: ranked trials, the first gamma(finished) below and the rest above (ties keep the order asked). */
export function splitTrials(trials: readonly Trial[], direction: StudyDirection, constantLiar: boolean): TrialSplit {
  const sign = direction === "minimize" ? 1 : -1;
  const ranked = trials
    .map((trial, number) => ({ number, trial, key: rank(trial, sign, constantLiar) }))
    .filter((entry): entry is NumberedTrial & { key: [number, number] } => entry.key !== null)
    .sort((a, b) => ascending(a.key[0], b.key[0]) || ascending(a.key[1], b.key[1]));
  const finished = ranked.filter((entry) => entry.key[0] < Infinity).length;
  const gamma = defaultGamma(finished);
  const chronological = (entries: typeof ranked) => entries.map(({ number, trial }) => ({ number, trial })).sort((a, b) => a.number - b.number);
  return { finished, below: chronological(ranked.slice(0, gamma)), above: chronological(ranked.slice(gamma)) };
}

/** Infinities included (Infinity - Infinity is NaN, not the tie it is). */
function ascending(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
