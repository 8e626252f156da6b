// The memory estimate's architecture walk agrees with the real model, and the estimate covers what
// small real trainings used (measured with test/bench/run-memory.bench.ts, table in docs/sweeps.md).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { estimateRunMemory, modelSize, type RunShape } from "../../libs/feasibility/index.ts";
import { parseTrainingConfig, SganModel } from "../../libs/sgan/index.ts";

const MB = 2 ** 20;
const shape = (batchSize: number, latentDim: number, imgSize: 28 | 32, labeled: RunShape["labeled"] = "all"): RunShape => ({
  batchSize,
  latentDim,
  imgSize,
  labeled,
  spectralNorm: false,
});

describe("run memory estimate", () => {
  before(() => initBackend("cpu"));

  it("counts the parameters the built model has", () => {
    for (const [latentDim, imgSize] of [[100, 28], [100, 32], [1024, 32], [7, 28]] as const) {
      const model = new SganModel(parseTrainingConfig({ latentDim, imgSize }));
      const parameters = [...model.store.weights.values()].reduce((sum, weight) => sum + weight.size, 0);
      model.dispose();
      assert.equal(modelSize(latentDim, imgSize).parameters, parameters, `latentDim ${latentDim}, imgSize ${imgSize}`);
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
    const base = shape(64, 100, 28);
    assert.ok(total({ ...base, batchSize: 65 }) > total(base));
    assert.ok(total({ ...base, latentDim: 101 }) > total(base));
    assert.ok(total({ ...base, imgSize: 32 }) > total(base));
    assert.ok(total({ ...base, labeled: 100 }) > total(base));
    assert.ok(total({ ...base, spectralNorm: true }) > total(base));
  });
});
