import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { loadDataSplit, type DataSplit } from "../../libs/data/index.ts";
import { decodeCheckpoint, parseTrainingConfig, SganTrainer } from "../../libs/sgan/index.ts";
import { encodeCheckpoint, type CheckpointContents } from "../../libs/sgan/checkpoint.ts";
import { WeightAverage } from "../../libs/sgan/ema.ts";
import { checkpointsPerBatch } from "./helpers.ts";

const DECAY = 0.75;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-6 + 1e-5 * Math.abs(expected[i]), `${label}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
  }
}

/** The average after folding in `history` (the weights after each step), from the initial weights, in float64. */
function expectedAverage(initial: Float32Array, history: Float32Array[]): Float64Array {
  const average = Float64Array.from(initial);
  for (const weights of history) weights.forEach((value, i) => (average[i] = DECAY * average[i] + (1 - DECAY) * value));
  return average;
}

describe("evalEma: the exponential moving average of the weights (wasm)", () => {
  let data: DataSplit;

  before(async () => {
    await initBackend("wasm");
    data = await loadDataSplit({ imgSize: 28, limit: 32 });
  });

  it("WeightAverage follows ema = d ema + (1 - d) w from the initial weights, and swaps itself in for a pass only", async () => {
    const initial = Float32Array.from([1, -2, 0.5]);
    const weight = tf.variable(tf.tensor1d(initial));
    const average = new WeightAverage(new Map([["w", weight]]), DECAY);
    const history = [[3, 0, 1], [-1, 4, 2], [0, 0, 0]].map((values) => Float32Array.from(values));
    const before = tf.memory().numTensors;
    for (const values of history) {
      tf.tidy(() => weight.assign(tf.tensor1d(values)));
      average.update();
    }
    assertClose(average.values().get("w")!.dataSync(), expectedAverage(initial, history), "average");
    const seen = await average.applied(async () => Float32Array.from(weight.dataSync()));
    assertClose(seen, expectedAverage(initial, history), "inside the pass");
    assert.deepEqual(Array.from(weight.dataSync()), [0, 0, 0], "the trained values are back");
    await assert.rejects(average.applied(async () => Promise.reject(new Error("pass failed"))), /pass failed/);
    assert.deepEqual(Array.from(weight.dataSync()), [0, 0, 0], "back after a failed pass too");
    assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    average.dispose();
    weight.dispose();
  });

  it("the trainer averages each network after each of its own steps (dStepsPerG 2: the generator on batches 1 and 3)", async () => {
    const config = parseTrainingConfig({ imgSize: 28, batchSize: 8, epochs: 2, seed: 9, evalEma: DECAY, dStepsPerG: 2 });
    const [initial, ...after] = await checkpointsPerBatch(data, config, 3);
    const last = after[2];
    const values = (contents: CheckpointContents, key: string) => contents.tensors.get(key)!.values;
    const trainable = [...initial.tensors.keys()].filter((key) => /^[gd]\./.test(key) && !key.includes(".running"));
    for (const key of trainable) {
      const network = key.startsWith("g.") ? "generator" : "discriminator";
      const stepped = network === "generator" ? [after[0], after[2]] : after;
      assertClose(values(last, `ema.${network}.${key}`), expectedAverage(values(initial, key), stepped.map((c) => values(c, key))), key);
    }
  });

  it("evaluate() and sampleGrid() use the averaged weights and the trained batch-norm statistics, then train on with the trained weights", async () => {
    const config = parseTrainingConfig({ imgSize: 28, batchSize: 8, epochs: 2, seed: 9, evalEma: 0.5 });
    const trainer = SganTrainer.create(config, data);
    const outcome = await trainer.trainEpoch();
    assert.equal(outcome.kind, "completed");
    const [evaluation, grid] = [await trainer.evaluate(), await trainer.sampleGrid()];
    const contents = decodeCheckpoint(await trainer.checkpoint());

    // The same network with the averages as its weights, and no averaging of its own.
    const averaged = new Map(contents.tensors);
    for (const [key, tensor] of contents.tensors) {
      const match = /^ema\.(generator|discriminator)\.(.+)$/.exec(key);
      if (match) averaged.set(match[2]!, tensor);
    }
    const twin = SganTrainer.restore(encodeCheckpoint({ ...contents, config: { ...config, evalEma: 0 }, tensors: averaged }), data);
    assert.deepEqual(await twin.evaluate(), evaluation);
    assert.ok((await twin.sampleGrid()).equals(grid), "the same sample grid");
    twin.dispose();

    const plain = SganTrainer.restore(encodeCheckpoint({ ...contents, config: { ...config, evalEma: 0 } }), data);
    assert.notDeepEqual(await plain.evaluate(), evaluation, "the trained weights evaluate differently");
    plain.dispose();
    trainer.dispose();
  });
});
