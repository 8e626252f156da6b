// A run's networks exported from its checkpoint (tfjs weights format) and rebuilt: the discriminator
// classifies the held-out split exactly as the trainer's evaluation did, the averaged (evalEma)
// weights included, with spectral norm and for both architectures; the files leak no tensors.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { loadDataSplit, type DataSplit } from "../../libs/data/index.ts";
import { parseTrainingConfig, SganTrainer, type TrainingConfigInput } from "../../libs/sgan/index.ts";
import { classify, loadNetwork } from "../../libs/sgan/network-loader.ts";
import { MidEpochCheckpointError, networkFiles } from "../../libs/sgan/network-files.ts";

describe("exported networks", { timeout: 60_000 }, () => {
  let data: DataSplit;

  before(async () => {
    await initBackend("wasm");
    data = await loadDataSplit({ imgSize: 28, limit: 64 });
  });

  async function exportedAccuracy(input: TrainingConfigInput): Promise<{ trained: number; exported: number; averaged: boolean }> {
    const trainer = SganTrainer.create(parseTrainingConfig({ imgSize: 28, batchSize: 32, epochs: 1, seed: 3, ...input }), data);
    await trainer.trainEpoch();
    const trained = (await trainer.evaluate()).accuracy;
    const checkpoint = await trainer.checkpoint();
    trainer.dispose();
    const before = tf.memory().numTensors;
    const files = networkFiles(checkpoint, "discriminator");
    const model = loadNetwork(files, "discriminator");
    const predictions = await classify(model, data.test.images, data.test.count);
    model.dispose();
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    const hits = predictions.filter((label, i) => label === data.test.labels[i]).length;
    return { trained, exported: hits / data.test.count, averaged: files.modelJson.userDefinedMetadata.averaged };
  }

  it("the seed's discriminator with spectral norm and evalEma: the same accuracy, from the averaged weights", async () => {
    const { trained, exported, averaged } = await exportedAccuracy({ spectralNorm: true, evalEma: 0.5 });
    assert.equal(averaged, true);
    assert.equal(exported, trained);
  });

  it("improved-gan's discriminator with the fixed fake logit: the same accuracy", async () => {
    const { trained, exported, averaged } = await exportedAccuracy({ architecture: "improved-gan", classHead: "fixedFakeLogit", latentDim: 100 });
    assert.equal(averaged, false);
    assert.equal(exported, trained);
  });

  it("the generator's files hold its tensors only; a mid-epoch checkpoint is refused", async () => {
    const trainer = SganTrainer.create(parseTrainingConfig({ imgSize: 28, batchSize: 16, epochs: 1, seed: 3 }), data);
    const controller = new AbortController();
    await trainer.trainEpoch({ signal: controller.signal, onProgress: () => controller.abort() });
    const checkpoint = await trainer.checkpoint();
    trainer.dispose();
    assert.throws(() => networkFiles(checkpoint, "generator"), MidEpochCheckpointError);
    const finished = SganTrainer.create(parseTrainingConfig({ imgSize: 28, batchSize: 32, epochs: 1, seed: 3 }), data);
    await finished.trainEpoch();
    const { modelJson } = networkFiles(await finished.checkpoint(), "generator");
    finished.dispose();
    const names = modelJson.weightsManifest[0].weights.map((entry) => entry.name);
    assert.ok(names.length > 0 && names.every((name) => name.startsWith("g.")), names.join(", "));
    assert.equal(modelJson.userDefinedMetadata.epoch, 1);
  });
});
