// The memory estimate's architecture walk agrees with the real model, and the estimate covers what
// small real trainings used (measured with test/bench/run-memory.bench.ts, table in docs/sweeps.md).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { checkSweepFeasible, estimateRunMemory, feasibilityLimits, modelSize, type RunShape } from "../../libs/feasibility/index.ts";
import { parseTrainingConfig, SganModel } from "../../libs/sgan/index.ts";
import { parseSweepConfig, SweepConfigError } from "../../libs/sweep/index.ts";

const MB = 2 ** 20;
type Networks = Pick<RunShape, "architecture" | "classHead">;
const SEED: Networks = { architecture: "seed", classHead: "seed" };
const IMPROVED_GAN: Networks = { architecture: "improved-gan", classHead: "fixedFakeLogit" };
const shape = (batchSize: number, latentDim: number, imgSize: 28 | 32, labeled: RunShape["labeled"] = "all", networks = SEED): RunShape => ({
  batchSize,
  latentDim,
  imgSize,
  labeled,
  spectralNorm: false,
  ...networks,
});

describe("run memory estimate", () => {
  before(() => initBackend("cpu"));

  it("counts the parameters the built model has, for each architecture and class head", () => {
    const heads: Networks[] = [SEED, { architecture: "seed", classHead: "fixedFakeLogit" }, IMPROVED_GAN, { architecture: "improved-gan", classHead: "seed" }];
    for (const networks of heads) {
      for (const [latentDim, imgSize] of [[100, 28], [100, 32], [1024, 32], [7, 28]] as const) {
        const model = new SganModel(parseTrainingConfig({ latentDim, imgSize, ...networks }));
        const parameters = [...model.store.weights.values()].reduce((sum, weight) => sum + weight.size, 0);
        model.dispose();
        assert.equal(modelSize({ latentDim, imgSize, ...networks }).parameters, parameters, `${JSON.stringify(networks)}, latentDim ${latentDim}, imgSize ${imgSize}`);
      }
    }
    assert.equal(tf.memory().numTensors, 0);
  });

  it("is at least the wasm heap growth measured for small real trainings", () => {
    // shape -> heap growth in MB (docs/sweeps.md, "Run memory")
    const measured: [RunShape, number][] = [
      [shape(32, 100, 28), 106],
      [shape(128, 100, 28), 467],
      [shape(128, 100, 32), 611],
      [shape(256, 100, 32), 1140],
      [shape(512, 100, 32), 2251],
      [shape(256, 1024, 32), 1340],
      [shape(256, 100, 32, 100), 1140],
      // improved-gan (docs/performance.md, "improved-gan: run memory")
      [shape(32, 100, 28, "all", IMPROVED_GAN), 53],
      [shape(128, 100, 28, "all", IMPROVED_GAN), 67],
      [shape(512, 100, 28, "all", IMPROVED_GAN), 128],
      [shape(1024, 100, 28, "all", IMPROVED_GAN), 191],
      [shape(2048, 100, 32, "all", IMPROVED_GAN), 413],
      [shape(4096, 100, 32, "all", IMPROVED_GAN), 724],
      [shape(4096, 1024, 32, 100, IMPROVED_GAN), 761],
      [shape(1024, 100, 32, 100, { architecture: "improved-gan", classHead: "seed" }), 232],
      [shape(1024, 1024, 28, "all", IMPROVED_GAN), 232],
    ];
    for (const [runShape, heapGrowthMb] of measured) {
      const estimateMb = estimateRunMemory(runShape).totalBytes / MB;
      assert.ok(estimateMb >= heapGrowthMb, `${JSON.stringify(runShape)}: estimate ${estimateMb} MB < measured ${heapGrowthMb} MB`);
      // Not so cautious that it refuses what a worker runs well: within a quarter (and the fixed overhead).
      assert.ok(estimateMb <= heapGrowthMb * 1.25 + 100, `${JSON.stringify(runShape)}: estimate ${estimateMb} MB is far above measured ${heapGrowthMb} MB`);
    }
  });

  it("rises with batchSize, latentDim, imgSize, limited labels and spectral norm", () => {
    const total = (s: RunShape) => estimateRunMemory(s).totalBytes;
    for (const networks of [SEED, IMPROVED_GAN]) {
      const base = shape(64, 100, 28, "all", networks);
      assert.ok(total({ ...base, batchSize: 65 }) > total(base));
      assert.ok(total({ ...base, latentDim: 101 }) > total(base));
      assert.ok(total({ ...base, imgSize: 32 }) > total(base));
      assert.ok(total({ ...base, labeled: 100 }) > total(base));
    }
    assert.ok(total({ ...shape(64, 100, 28), spectralNorm: true }) > total(shape(64, 100, 28)));
  });

  it("a sweep is refused for its architecture that needs the most memory, and improved-gan's smaller runs fit", async () => {
    const limits = feasibilityLimits({});
    const sweep = (architecture: unknown) =>
      parseSweepConfig({ name: "big", samples: 2, fixed: { epochs: 1, imgSize: 32 }, parameters: { batchSize: 2048, architecture } });
    await checkSweepFeasible(sweep("improved-gan"), limits);
    await assert.rejects(checkSweepFeasible(sweep({ choice: ["improved-gan", "seed"] }), limits), (error) => {
      assert.ok(error instanceof SweepConfigError);
      assert.match(error.message, /batchSize 2048, latentDim 100, imgSize 32\) needs about \d+ MB/);
      return true;
    });
  });
});
