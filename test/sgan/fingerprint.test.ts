import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { initBackend } from "../../libs/backends/index.ts";
import { disableNativeKernels } from "../../libs/backends/native/index.ts";
import { loadDataSplit, type DataSplit } from "../../libs/data/index.ts";
import { parseTrainingConfig, type TrainingConfigInput } from "../../libs/sgan/index.ts";
import { trainingFingerprint } from "./helpers.ts";

/**
 * Recorded at 08ff4a5, before the recipe fields did anything: with every recipe field at its default
 * the training must stay what it was, bit for bit (the same random draws in the same order, the same
 * kernels). wasm without the native kernels: exact on any machine, and fast.
 */
const RECORDED: Array<[string, TrainingConfigInput, { perBatch: number[][]; tensors: string }]> = [
  ["improved", { seed: 3 }, {
    perBatch: [[0.6096187829971313, 0.5721715092658997, 0.5295115113258362], [1.6657447814941406, 1.5444154739379883, 1.590004324913025], [0.1875, 0.0625, 0.0625]],
    tensors: "a55d8453abbc143ed70d10607924e7d5d41c646fc0cca4ca5729acb12179e420",
  }],
  ["reference", { seed: 3, variant: "reference" }, {
    perBatch: [[0.6752174496650696, 0.6754909753799438, 0.6756335496902466], [1.5457266569137573, 1.5459203720092773, 1.5456812381744385], [0.0625, 0, 0]],
    tensors: "93598de48837b25952693f8b33e1519d585f36ef5b1fd443f3bd3b0804f1a20f",
  }],
  ["improved, 10 labels, spectral norm", { seed: 4, labeled: 10, spectralNorm: true }, {
    perBatch: [[0.5794671177864075, 0.6541991829872131, 1.0169618129730225], [1.7504743337631226, 1.8804898262023926, 1.711970567703247], [0.0625, 0.0625, 0.0625]],
    tensors: "380e754be80db09c673d39c6675cd254881b9efef5803ca88caf5b711fc8d9b5",
  }],
  ["reference, 10 labels, spectral norm", { seed: 4, variant: "reference", labeled: 10, spectralNorm: true }, {
    perBatch: [[0.6803436279296875, 0.6818190813064575, 0.6861594915390015], [1.5426592826843262, 1.548959493637085, 1.5439491271972656], [0.1875, 0.1875, 0.25]],
    tensors: "e5c0f4da694da48c46fcb209dc9030756b237d3b53e718f354600b9c5a46e5b3",
  }],
];

describe("training fingerprint: the recipe fields at their defaults train exactly as before them (wasm kernels)", () => {
  let data: DataSplit;

  before(async () => {
    await initBackend("wasm");
    disableNativeKernels();
    data = await loadDataSplit({ imgSize: 28, limit: 32 });
  });

  for (const [name, input, recorded] of RECORDED) {
    it(`${name}: the per-batch losses of 3 steps and every checkpointed tensor are the recorded ones`, async () => {
      const config = parseTrainingConfig({ imgSize: 28, batchSize: 8, epochs: 2, ...input });
      assert.deepEqual(await trainingFingerprint(data, config, 3), recorded);
    });
  }
});
