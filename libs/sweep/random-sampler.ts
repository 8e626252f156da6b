import { createRng, deriveSeed } from "../random/index.ts";
import type { Assignment, Sampler, SearchSpace } from "./sampler.ts";

/** Independent draws from every distribution, kept as drawn (no dedup), like Optuna's RandomSampler. */
export class RandomSampler implements Sampler {
  constructor(
    private readonly seed: number,
    private readonly samples: number,
  ) {}

  count(): number {
    return this.samples;
  }

  sample(space: SearchSpace): Assignment[] {
    const rng = createRng(deriveSeed(this.seed, "sampler"));
    return Array.from({ length: this.samples }, () =>
      Object.fromEntries(space.map(([field, distribution]) => [field, distribution.sample(rng)])),
    );
  }
}
