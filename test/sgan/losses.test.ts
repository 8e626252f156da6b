import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { classAccuracy, improvedLosses, referenceLosses } from "../../libs/sgan/index.ts";

const close = (actual: number, expected: number, tolerance = 1e-5) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

function elevenWay(hot: number[]): tf.Tensor2D {
  return tf.tensor2d(hot.map((cls) => Array.from({ length: 11 }, (_, i) => (i === cls ? 100 : 0))));
}

describe("the seed's loss and d_acc definitions", () => {
  before(async () => {
    await initBackend("cpu");
  });

  it("adversarial loss is BCE of sigmoid(logit) in both variants", () => {
    // (ln 2 + ln(1 + e^-2)) / 2 by hand.
    const expected = (Math.log(2) + Math.log(1 + Math.exp(-2))) / 2;
    const logits = tf.tensor2d([[0], [2]]);
    close(improvedLosses.adversarial(logits, 1).dataSync()[0], expected);
    close(referenceLosses.adversarial(logits, 1).dataSync()[0], expected);
    // Target 0: ln(1 + e^x) averaged.
    close(improvedLosses.adversarial(tf.tensor2d([[1], [-1]]), 0).dataSync()[0], (Math.log(1 + Math.E) + Math.log(1 + 1 / Math.E)) / 2);
  });

  it("reference BCE clamps log at -100 like PyTorch and keeps a finite gradient when the sigmoid saturates", () => {
    const logits = tf.tensor2d([[200]]);
    close(referenceLosses.adversarial(logits, 0).dataSync()[0], 100);
    const gradient = tf.grad((x: tf.Tensor) => referenceLosses.adversarial(x as tf.Tensor2D, 0))(logits).dataSync()[0];
    assert.ok(Number.isFinite(gradient), `gradient ${gradient}`);
  });

  it("improved auxiliary loss is cross-entropy on logits", () => {
    close(improvedLosses.auxiliary(tf.zeros([2, 11]) as tf.Tensor2D, tf.tensor1d([3, 10], "int32")).dataSync()[0], Math.log(11));
    close(improvedLosses.auxiliary(elevenWay([3]), tf.tensor1d([3], "int32")).dataSync()[0], 0, 1e-6);
  });

  it("reference auxiliary loss applies cross-entropy to softmax outputs (the seed's double softmax)", () => {
    // softmax is ~one-hot, so CE = -log(e^1 / (e^1 + 10 e^0)) = ln(e + 10) - 1.
    close(referenceLosses.auxiliary(elevenWay([3]), tf.tensor1d([3], "int32")).dataSync()[0], Math.log(Math.E + 10) - 1);
    // Even a perfect classifier cannot go below that: why the seed's class head barely learns.
    assert.ok(referenceLosses.auxiliary(elevenWay([3]), tf.tensor1d([3], "int32")).dataSync()[0] > 1.5);
  });

  it("d_acc is the share of argmax hits over real and generated images", () => {
    const logits = elevenWay([3, 10, 5, 10]);
    close(classAccuracy(logits, tf.tensor1d([3, 10, 4, 1], "int32")).dataSync()[0], 0.5);
  });
});
