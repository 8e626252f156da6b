import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { loadDataSplit, type DataSplit } from "../../libs/data/index.ts";
import { createRng } from "../../libs/random/index.ts";
import { decodeCheckpoint, improvedLosses, parseTrainingConfig, referenceLosses, SganTrainer, type TrainingConfigInput } from "../../libs/sgan/index.ts";
import type { CheckpointContents } from "../../libs/sgan/checkpoint.ts";
import { featureMatchingLoss } from "../../libs/sgan/losses.ts";
import { withInstanceNoise } from "../../libs/sgan/training-step.ts";
import { checkpointsPerBatch, metricNumbers } from "./helpers.ts";

const close = (actual: number, expected: number, tolerance: number, label = "") =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label} expected ${expected}, got ${actual}`);

const tinyConfig = (input: TrainingConfigInput) => parseTrainingConfig({ imgSize: 28, batchSize: 8, epochs: 2, seed: 11, ...input });

/** Each run's checkpoint after its first batch, the runs one after the other. */
async function afterOneBatch(data: DataSplit, inputs: TrainingConfigInput[]): Promise<CheckpointContents[]> {
  const results: CheckpointContents[] = [];
  for (const input of inputs) results.push((await checkpointsPerBatch(data, tinyConfig(input), 1))[1]);
  return results;
}

const tensorOf = (contents: CheckpointContents, key: string) => contents.tensors.get(key)!.values;
const keysOf = (contents: CheckpointContents, prefix: string) => [...contents.tensors.keys()].filter((key) => key.startsWith(prefix));

describe("the training techniques (wasm)", () => {
  let data: DataSplit;

  before(async () => {
    await initBackend("wasm");
    data = await loadDataSplit({ imgSize: 28, limit: 32 });
  });

  it("the adversarial loss takes a soft target in both variants: PyTorch's BCELoss(sigmoid(x), y)", () => {
    const logits = [-1.5, 0.25, 2];
    const target = 0.85;
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const expected = logits.reduce((sum, x) => sum - (target * Math.log(sigmoid(x)) + (1 - target) * Math.log(1 - sigmoid(x))), 0) / logits.length;
    for (const losses of [improvedLosses, referenceLosses]) {
      const loss = tf.tidy(() => losses.adversarial(tf.tensor2d(logits, [3, 1]), target).dataSync()[0]);
      close(loss, expected, 1e-6);
    }
  });

  it("label smoothing moves the D loss by s x mean(real logit) / 4, linearly in s, and leaves the G loss alone", async () => {
    for (const variant of ["improved", "reference"] as const) {
      const [plain, light, heavy] = await afterOneBatch(data, [0, 0.1, 0.3].map((labelSmoothing) => ({ variant, labelSmoothing })));
      const [gLoss, dLoss] = [0, 1].map((metric) => [plain, light, heavy].map((run) => run.partialEpoch!.perBatch[metric][0]));
      assert.equal(gLoss[1], gLoss[0], `${variant}: the generator's target stays 1`);
      assert.equal(gLoss[2], gLoss[0]);
      // BCE(sigmoid(x), 1 - s) = BCE(sigmoid(x), 1) + s x: the same real logits, so the shifts stand 1 : 3.
      assert.notEqual(dLoss[1], dLoss[0]);
      close((dLoss[2] - dLoss[0]) / (dLoss[1] - dLoss[0]), 3, 2e-3, `${variant}:`);
    }
  });

  it("instance noise: N(0, std^2) per pixel from the batch rng, nothing drawn when std is 0, and it changes what the D sees", async () => {
    const images = tf.zeros([64, 28, 28, 1]) as tf.Tensor4D;
    const rng = createRng(5);
    assert.equal(withInstanceNoise(images, 0, rng), images);
    assert.equal(rng.next(), createRng(5).next(), "std 0 draws nothing from the rng");
    const noisy = withInstanceNoise(images, 0.3, createRng(6));
    const { mean, variance } = tf.moments(noisy);
    close(mean.dataSync()[0], 0, 0.005, "mean");
    close(Math.sqrt(variance.dataSync()[0]), 0.3, 0.005, "std");
    assert.deepEqual(withInstanceNoise(images, 0.3, createRng(6)).dataSync(), noisy.dataSync(), "the same rng gives the same noise");
    tf.dispose([images, noisy, mean, variance]);

    const [plain, noised] = await afterOneBatch(data, [{}, { instanceNoise: 0.5 }]);
    const [gPlain, dPlain] = plain.partialEpoch!.perBatch;
    const [gNoised, dNoised] = noised.partialEpoch!.perBatch;
    assert.ok(Number.isFinite(gNoised[0]) && Number.isFinite(dNoised[0]));
    assert.notEqual(dNoised[0], dPlain[0]);
    assert.notEqual(gNoised[0], gPlain[0], "the G step's D pass sees noise too");
  });

  it("dStepsPerG 2: the discriminator steps on every batch, the generator on batches 0 and 2 only", async () => {
    const [, one, two, three] = await checkpointsPerBatch(data, tinyConfig({ dStepsPerG: 2 }), 3);
    assert.deepEqual([one, two, three].map((run) => run.optimizerSteps), [
      { generator: 1, discriminator: 1 },
      { generator: 1, discriminator: 2 },
      { generator: 2, discriminator: 3 },
    ]);
    const generatorWeights = keysOf(one, "g.").filter((key) => !key.includes(".running"));
    for (const key of generatorWeights) assert.deepEqual(tensorOf(two, key), tensorOf(one, key), `${key} unchanged on the resting batch`);
    assert.ok(generatorWeights.some((key) => tensorOf(three, key).some((value, i) => value !== tensorOf(two, key)[i])), "the generator steps on batch 2");
    assert.ok(keysOf(one, "d.").some((key) => tensorOf(two, key).some((value, i) => value !== tensorOf(one, key)[i])), "the discriminator steps on batch 1");
    assert.ok(two.partialEpoch!.perBatch.flat().every(Number.isFinite), "a resting generator's loss is still reported");
  });

  it("feature matching: the mean over features of the squared difference of the batch means, by hand", () => {
    const real = tf.tensor2d([[1, 2], [3, 4]]);
    const generated = tf.tensor2d([[0, 0], [2, 2]]);
    // Batch means [2, 3] and [1, 1]: ((2 - 1)^2 + (3 - 1)^2) / 2.
    close(featureMatchingLoss(real, generated).dataSync()[0], 2.5, 1e-6);
    // d/dg_ij = 2 (mean_g_j - mean_r_j) / (features x batch): (1 - 2) / 2 and (1 - 3) / 2 on both rows.
    const gradient = tf.grad((g: tf.Tensor) => featureMatchingLoss(real, g as tf.Tensor2D))(generated);
    assert.deepEqual(Array.from(gradient.dataSync()), [-0.5, -1, -0.5, -1]);
    tf.dispose([real, generated, gradient]);
  });

  it("each network's Adam gets its own lr and b1: after one batch each matches the run with that rate for both", async () => {
    const [split, fast, slow] = await afterOneBatch(data, [{ lrD: 4e-4, lrG: 1e-4, b1D: 0.7, b1G: 0.9 }, { lr: 4e-4 }, { lr: 1e-4 }]);
    // Adam's first step is lr g / |g| whatever b1; its first moment is (1 - b1) g.
    const compare = (network: "generator" | "discriminator", prefix: string, same: CheckpointContents, momentRatio: number) => {
      for (const key of keysOf(split, prefix).filter((k) => !k.includes(".running") && !k.includes(".sn."))) {
        const [got, want] = [tensorOf(split, key), tensorOf(same, key)];
        got.forEach((value, i) => close(value, want[i], 1e-8, `${key}[${i}]`));
        const [moment, reference] = [tensorOf(split, `adam.${network}.m.${key}`), tensorOf(same, `adam.${network}.m.${key}`)];
        moment.forEach((value, i) => close(value, momentRatio * reference[i], 1e-6 * Math.abs(reference[i]) + 1e-12, `m ${key}[${i}]`));
      }
    };
    compare("generator", "g.", slow, 0.1 / 0.5);
    compare("discriminator", "d.", fast, 0.3 / 0.5);
    assert.notDeepEqual(tensorOf(split, "g.conv1.w"), tensorOf(fast, "g.conv1.w"));
  });

  it("every technique at once trains 2 epochs with finite metrics and no tensor leaks", async () => {
    const config = parseTrainingConfig({
      imgSize: 28, batchSize: 8, epochs: 2, seed: 2, labeled: 10, spectralNorm: true, lrSchedule: "step", lrStepEpochs: 1, warmupEpochs: 0.5,
      lrD: 3e-4, b1G: 0.8, dStepsPerG: 3, labelSmoothing: 0.2, instanceNoise: 0.1, generatorLoss: "featureMatching", evalEma: 0.99,
    });
    const trainer = SganTrainer.create(config, data);
    const counts: number[] = [];
    for (let epoch = 1; epoch <= 2; epoch++) {
      const outcome = await trainer.trainEpoch();
      assert.equal(outcome.kind, "completed");
      if (outcome.kind === "completed") assert.ok(metricNumbers(outcome.metrics).every(Number.isFinite), JSON.stringify(outcome.metrics));
      await trainer.sampleGrid();
      await trainer.checkpoint();
      counts.push(tf.memory().numTensors);
    }
    await trainer.evaluate();
    counts.push(tf.memory().numTensors);
    trainer.dispose();
    assert.equal(new Set(counts).size, 1, `live tensors: ${counts}`);
  });
});
