import { describe, it } from "node:test";
import assert from "node:assert/strict";
// The trainer imports the union package, which registers the gradients the
// tfjs-core node bundle leaves out; tf.grad reaches the kernels through them.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { compare, randomValues, sizeOf } from "./helpers.ts";

interface Layer {
  batch: number;
  size: number;
  inC: number;
  outC: number;
  stride: number;
  pad: "same" | "valid" | number;
}

/** Value and gradients of sum(conv2d(x, w) * probe): dW goes through Conv2DBackpropFilter, dx through Conv2DBackpropInput. */
function gradients(layer: Layer, seed: number): { dx: Float32Array; dw: Float32Array } {
  const xShape = [layer.batch, layer.size, layer.size, layer.inC];
  const wShape = [3, 3, layer.inC, layer.outC];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(sizeOf(xShape), seed), xShape as [number, number, number, number]);
    const w = tf.tensor4d(randomValues(sizeOf(wShape), seed + 1), wShape as [number, number, number, number]);
    const yShape = tf.conv2d(x, w, layer.stride, layer.pad).shape;
    const probe = tf.tensor(randomValues(sizeOf(yShape), seed + 2), yShape);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, layer.stride, layer.pad), probe));
    const [dx, dw] = tf.grads(f)([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

const LAYERS: Layer[] = [
  // The SGAN discriminator's first layers and a generator layer, at small batch.
  { batch: 4, size: 28, inC: 1, outC: 16, stride: 2, pad: 1 },
  { batch: 3, size: 14, inC: 16, outC: 32, stride: 2, pad: 1 },
  { batch: 2, size: 7, inC: 64, outC: 32, stride: 1, pad: 1 },
  { batch: 2, size: 7, inC: 8, outC: 16, stride: 2, pad: "same" },
  { batch: 1, size: 14, inC: 16, outC: 8, stride: 1, pad: "valid" },
];

describe("tf.grads of tf.conv2d on wasm matches cpu", () => {
  LAYERS.forEach((layer, i) => {
    it(`b${layer.batch} ${layer.size}x${layer.size} ${layer.inC}->${layer.outC} s${layer.stride} pad ${layer.pad}`, async () => {
      await initBackend("wasm");
      const before = tf.memory().numTensors;
      const got = gradients(layer, 10 * i);
      assert.equal(tf.memory().numTensors, before, "tensors leaked on wasm");
      await initBackend("cpu");
      const want = gradients(layer, 10 * i);
      for (const key of ["dx", "dw"] as const) {
        const d = compare(got[key], want[key]);
        assert.ok(d.maxRel < 1e-5, `${key}: max abs ${d.maxAbs}, rel ${d.maxRel}`);
      }
    });
  });
});
