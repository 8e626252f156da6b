import { HyperbandPruner } from "./hyperband.ts";
import { MedianPruner } from "./median.ts";
import type { PrunerConfig } from "./schema.ts";
import { StuckPruner } from "./stuck.ts";
import { SuccessiveHalvingPruner } from "./successive-halving.ts";
import { CONTINUE, type Pruner } from "./types.ts";

/** Never prunes: every run trains to its last epoch. */
export const NO_PRUNER: Pruner = Object.freeze({ prune: () => CONTINUE });

/** The pruner a sweep config asks for; `study` is the sweep's seed and fixed.epochs. */
export function createPruner(config: PrunerConfig, study: { seed: number; epochs: number }): Pruner {
  switch (config.kind) {
    case "none":
      return NO_PRUNER;
    case "median":
      return new MedianPruner(config);
    case "asha":
      return new SuccessiveHalvingPruner(config);
    case "hyperband":
      return new HyperbandPruner({ ...config, maxEpochs: config.maxEpochs ?? study.epochs, seed: study.seed });
    case "stuck":
      return new StuckPruner(config);
  }
}
