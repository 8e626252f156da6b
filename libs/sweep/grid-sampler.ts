import { isFiniteDistribution, type FiniteDistribution } from "./distributions.ts";
import type { Assignment, Sampler, SearchSpace } from "./sampler.ts";

/** Every combination of every parameter's values; the last field in the space varies fastest. */
export class GridSampler implements Sampler {
  count(space: SearchSpace): number {
    return finite(space).reduce((product, [, distribution]) => product * distribution.size, 1);
  }

  sample(space: SearchSpace): Assignment[] {
    return finite(space).reduce<Assignment[]>(
      (partial, [field, distribution]) =>
        partial.flatMap((assignment) =>
          Array.from({ length: distribution.size }, (_, i) => ({ ...assignment, [field]: distribution.at(i) })),
        ),
      [{}],
    );
  }
}

/** The config schema requires points on continuous ranges under grid; this only catches configs built around it. */
function finite(space: SearchSpace): Array<[string, FiniteDistribution]> {
  return space.map(([field, distribution]) => {
    if (!isFiniteDistribution(distribution)) throw new Error(`grid cannot enumerate the continuous range of ${field}: give it points`);
    return [field, distribution];
  });
}
