import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { loadDataSplit, type DataSplit } from "../../libs/data/index.ts";
import { confusionAccuracy, confusionTotal } from "../../libs/results/index.ts";
import { NUM_CLASSES, parseTrainingConfig, runTraining, SganTrainer, type EpochMetrics } from "../../libs/sgan/index.ts";
import { decodePng, metricNumbers, poisoned } from "./helpers.ts";

describe("a real training run on 512 MNIST digits (wasm)", () => {
  let data: DataSplit;

  before(async () => {
    await initBackend("wasm");
    data = await loadDataSplit({ imgSize: 28, limit: 512 });
  });

  it("trains 2 epochs: finite metrics, decodable sample grids, a better class head, a confusion matrix per epoch, no tensor leaks", async () => {
    const trainer = SganTrainer.create(parseTrainingConfig({ imgSize: 28, epochs: 2, batchSize: 64, seed: 1 }), data);
    const before = await trainer.evaluate();
    const tensorsAfterEpoch: number[] = [];
    const metrics: EpochMetrics[] = [];
    for (let epoch = 1; epoch <= 2; epoch++) {
      const outcome = await trainer.trainEpoch();
      assert.equal(outcome.kind, "completed");
      if (outcome.kind !== "completed") return;
      metrics.push(outcome.metrics);
      const png = decodePng(await trainer.sampleGrid());
      assert.equal(png.width, 5 * 30 + 2);
      assert.equal(png.height, 5 * 30 + 2);
      tensorsAfterEpoch.push(tf.memory().numTensors);
    }
    const after = await trainer.evaluate();
    trainer.dispose();

    for (const epochMetrics of metrics) {
      assert.ok(metricNumbers(epochMetrics).every(Number.isFinite), JSON.stringify(epochMetrics));
      assert.equal(epochMetrics.batches, 8);
      assert.ok(epochMetrics.gLoss.min <= epochMetrics.gLoss.mean && epochMetrics.gLoss.mean <= epochMetrics.gLoss.max);
      assert.ok(epochMetrics.dAcc.std > 0, "d_acc varies over the epoch's batches");
      const { confusion } = epochMetrics;
      assert.equal(confusion.length, NUM_CLASSES);
      assert.ok(confusion.every((row) => row.length === NUM_CLASSES && row.every((count) => Number.isInteger(count) && count >= 0)));
      assert.equal(confusionTotal(confusion), data.test.count, "every held-out image counted once");
      assert.equal(confusionAccuracy(confusion), epochMetrics.testAccuracy, "the diagonal's share is the test accuracy");
      const perClass = Array.from({ length: NUM_CLASSES }, (_, c) => data.test.labels.filter((label) => label === c).length);
      assert.deepEqual(confusion.map((row) => row.reduce((a, b) => a + b, 0)), perClass, "row sums are the held-out images of each class");
    }
    assert.deepEqual(metrics.map((m) => m.epoch), [1, 2]);
    assert.ok(after.classLoss < before.classLoss, `class loss ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    assert.equal(tensorsAfterEpoch[0], tensorsAfterEpoch[1], `live tensors per epoch: ${tensorsAfterEpoch}`);
  });

  it("trains the seed's reference variant semi-supervised (20 labels) with spectral norm: finite metrics", async () => {
    const config = parseTrainingConfig({ imgSize: 28, epochs: 1, batchSize: 128, variant: "reference", labeled: 20, spectralNorm: true, seed: 2 });
    const epochs: EpochMetrics[] = [];
    const outcome = await runTraining(config, data, { onEpoch: (metrics) => void epochs.push(metrics) });
    assert.deepEqual(outcome, { status: "completed", epochsDone: 1 });
    assert.equal(epochs.length, 1);
    assert.ok(metricNumbers(epochs[0]).every(Number.isFinite), JSON.stringify(epochs[0]));
  });

  it("ends a run whose losses become NaN as diverged, with the epoch, instead of crashing", async () => {
    const outcome = await runTraining(parseTrainingConfig({ imgSize: 28, epochs: 2, seed: 1 }), poisoned(data));
    assert.equal(outcome.status, "diverged");
    if (outcome.status !== "diverged") return;
    assert.equal(outcome.divergedAt.epoch, 1);
    assert.match(outcome.divergedAt.reason, /non-finite/);
    assert.equal(outcome.epochsDone, 0);
  });
});
