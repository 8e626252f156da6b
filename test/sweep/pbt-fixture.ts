import type { SweepConfigInput } from "../../libs/sweep/index.ts";

/** A small pbt sweep: a frozen parameter searched (batchSize), continuous and choice ones perturbed. */
export const PBT_INPUT: SweepConfigInput = {
  name: "pbt",
  strategy: "pbt",
  seed: 7,
  pbt: { population: 4, interval: 2 },
  fixed: { epochs: 6, imgSize: 28, limit: 256 },
  parameters: {
    batchSize: { choice: [32, 64] },
    lr: { loguniform: [1e-4, 1e-3] },
    b1: 0.5,
    generatorLoss: { choice: ["standard", "featureMatching"] },
    dStepsPerG: { int: [1, 3] },
  },
};
