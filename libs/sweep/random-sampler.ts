import { createRng, deriveSeed, type Rng } from "../random/index.ts";
import { FiniteSpace } from "./finite-space.ts";
import type { Assignment, Sampler, SearchSpace, Study } from "./sampler.ts";

/** Above this many configurations a taken draw is redrawn rather than the untaken ones listed. */
const LISTED_SPACE_LIMIT = 100_000;

/**
 * Independent draws from every distribution (Optuna's RandomSampler), except that a finite space is
 * drawn without replacement: a configuration some trial already holds is never given again, and once
 * every configuration is taken there is nothing left to ask.
 */
export class RandomSampler implements Sampler {
  constructor(private readonly seed: number) {}

  ask({ space, trials }: Study): Assignment | null {
    const number = trials.length;
    const drawn = this.draw(space, number);
    const finite = FiniteSpace.of(space);
    if (finite === null) return drawn;
    const taken = finite.taken(trials);
    if (taken.size >= finite.size) return null;
    if (!taken.has(finite.keyOf(drawn)!)) return drawn;
    return untaken(finite, space, taken, createRng(deriveSeed(this.seed, "sampler", number)));
  }

  /**
   * Trial n takes draws n·P .. n·P + P - 1 (P parameters, one number each) of the sweep's stream
   * `deriveSeed(seed, "sampler")`: a position fixed by the seed and the trial number, so trials are
   * drawn independently of one another and a plan is the one earlier versions drew from that stream.
   */
  private draw(space: SearchSpace, number: number): Assignment {
    const rng = createRng(deriveSeed(this.seed, "sampler"));
    for (let skipped = 0; skipped < number * space.length; skipped++) rng.next();
    return drawFrom(space, rng);
  }
}

function drawFrom(space: SearchSpace, rng: Rng): Assignment {
  return Object.fromEntries(space.map(([field, distribution]) => [field, distribution.sample(rng)]));
}

/** A configuration drawn uniformly from those no trial holds (at least one is left). */
function untaken(finite: FiniteSpace, space: SearchSpace, taken: Set<string>, rng: Rng): Assignment {
  if (finite.size <= LISTED_SPACE_LIMIT) {
    const free: number[] = [];
    for (let index = 0; index < finite.size; index++) if (!taken.has(finite.keyAt(index))) free.push(index);
    return finite.at(free[rng.int(free.length)]);
  }
  // One key per trial, a sweep's trials are a sliver of a space this big: a redraw is rarely taken.
  for (;;) {
    const drawn = drawFrom(space, rng);
    if (!taken.has(finite.keyOf(drawn)!)) return drawn;
  }
}
