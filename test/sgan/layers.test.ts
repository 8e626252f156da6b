import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { batchNormTraining, upsampleNearest2x } from "../../libs/sgan/layers.ts";
import { compare, randomValues, sizeOf } from "../backends/helpers.ts";

type Shape4 = [number, number, number, number];

/** Value and gradients (w.r.t. every input) of sum(f(inputs) * probe), through tfjs autograd. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], probe: tf.Tensor) {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe)) as tf.Scalar)(inputs);
    return { value: value.dataSync()[0]!, grads: grads.map((g) => Float32Array.from(g.dataSync())) };
  });
}

function tensor(shape: number[], seed: number, offset = 0): tf.Tensor {
  return tf.tensor(randomValues(sizeOf(shape), seed).map((v) => v + offset), shape);
}

/** The plain batch norm (training mode) whose gradient autograd derives: the yardstick. */
function plainBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.sub(x, mean), tf.mul(tf.rsqrt(tf.add(variance, eps)), gamma)), beta);
}

function plainUpsample(x: tf.Tensor4D): tf.Tensor {
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1])), [n, 2 * h, 2 * w, c]);
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`SGAN layers with hand-written gradients match autograd of the plain formulas (${backend})`, () => {
    for (const [shape, eps] of [[[8, 5, 5, 16], 1e-5], [[4, 7, 7, 3], 0.8], [[2, 3, 3, 128], 1e-5]] as Array<[Shape4, number]>) {
      it(`batch norm ${shape.join("x")} eps ${eps}: output and d(x, gamma, beta)`, async () => {
        await initBackend(backend);
        const inputs = [tensor(shape, 1, 0.5), tensor([shape[3]], 2, 1), tensor([shape[3]], 3)];
        const probe = tensor(shape, 4);
        const stats: number[][] = [];
        const got = valueAndGrads((x, g, b) => batchNormTraining(x as tf.Tensor4D, g!, b!, eps, (m, v) => {
          stats.push(Array.from(m.dataSync()), Array.from(v.dataSync()));
        }), inputs, probe);
        const want = valueAndGrads((x, g, b) => plainBatchNorm(x!, g!, b!, eps), inputs, probe);
        assert.ok(Math.abs(got.value - want.value) <= 1e-4 * Math.max(1, Math.abs(want.value)), `${got.value} vs ${want.value}`);
        got.grads.forEach((grad, i) => {
          const d = compare(grad, want.grads[i]!);
          assert.ok(d.maxRel < 1e-4, `gradient ${i}: max abs ${d.maxAbs}, rel ${d.maxRel}`);
        });
        const moments = tf.moments(inputs[0]!, [0, 1, 2]);
        assert.ok(compare(Float32Array.from(stats[0]!), moments.mean.dataSync() as Float32Array).maxRel < 1e-5, "batch mean reported");
        assert.ok(compare(Float32Array.from(stats[1]!), moments.variance.dataSync() as Float32Array).maxRel < 1e-5, "batch variance reported");
        tf.dispose([...inputs, probe, moments.mean, moments.variance]);
      });
    }

    it("nearest 2x upsampling: output and gradient", async () => {
      await initBackend(backend);
      const x = tensor([3, 4, 5, 6], 5);
      const probe = tensor([3, 8, 10, 6], 6);
      const got = valueAndGrads((t) => upsampleNearest2x(t as tf.Tensor4D), [x], probe);
      const want = valueAndGrads((t) => plainUpsample(t as tf.Tensor4D), [x], probe);
      assert.ok(Math.abs(got.value - want.value) < 1e-4);
      assert.ok(compare(got.grads[0]!, want.grads[0]!).maxRel < 1e-6);
      tf.dispose([x, probe]);
    });
  });
}
