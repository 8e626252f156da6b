import { isFiniteDistribution } from "./distributions.ts";
import { FiniteSpace } from "./finite-space.ts";
import type { Assignment, Sampler, SearchSpace, Study } from "./sampler.ts";

/** Every combination of every parameter's values, in order: trial i is combination i, the last field in the space varying fastest. */
export class GridSampler implements Sampler {
  ask({ space, trials }: Study): Assignment | null {
    const grid = finite(space);
    return trials.length < grid.size ? grid.at(trials.length) : null;
  }
}

/** The config schema requires points on continuous ranges under grid; this only catches configs built around it. */
function finite(space: SearchSpace): FiniteSpace {
  const grid = FiniteSpace.of(space);
  if (grid === null) {
    const [field] = space.find(([, distribution]) => !isFiniteDistribution(distribution))!;
    throw new Error(`grid cannot enumerate the continuous range of ${field}: give it points`);
  }
  return grid;
}
