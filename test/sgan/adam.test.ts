import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { disableNativeKernels, enableNativeKernels } from "../../libs/backends/native/index.ts";
import { Adam } from "../../libs/sgan/adam.ts";
import { compare, randomValues } from "../backends/helpers.ts";

const SHAPES = [[100, 627], [3, 3, 16, 32], [64], [1]];

/** Parameters and moments after `steps` Adam steps from the same start and the same gradients. */
async function train(steps: number): Promise<Float32Array[]> {
  // tidy frees the initial values; the variables (never disposed by tidy) keep their own copies.
  const params = new Map(SHAPES.map((shape, i) => [`p${i}`, tf.tidy(() =>
    tf.variable(tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), 10 + i), shape), true, `adam-test-${i}-${Math.random()}`))]));
  const adam = new Adam(params, { b1: 0.5, b2: 0.999 });
  for (let step = 0; step < steps; step++) {
    const gradients: tf.NamedTensorMap = {};
    [...params.values()].forEach((variable, i) => {
      gradients[variable.name] = tf.tensor(randomValues(variable.size, 100 * step + i), variable.shape);
    });
    adam.apply(gradients, 2e-4);
  }
  const { firstMoments, secondMoments } = await adam.state();
  const values = [...[...params.values()].map((t) => Float32Array.from(t.dataSync())), ...firstMoments.values(), ...secondMoments.values()];
  adam.dispose();
  tf.dispose([...params.values()]);
  return values;
}

describe("Adam's fused native kernel matches the formula", () => {
  it("parameters and both moments after 5 steps agree within float rounding", async () => {
    const info = await initBackend("wasm");
    disableNativeKernels();
    const plain = await train(5);
    const status = enableNativeKernels(info.threads ?? 1);
    assert.ok(status.enabled, status.enabled ? "" : status.reason);
    const idsBefore = tf.engine().backend.numDataIds();
    const fused = await train(5);
    assert.equal(tf.engine().backend.numDataIds(), idsBefore, "no buffers leaked");
    fused.forEach((values, i) => {
      const d = compare(values, plain[i]!);
      assert.ok(d.maxRel < 1e-5, `tensor ${i}: max abs ${d.maxAbs}, rel ${d.maxRel}`);
    });
  });
});
