// The improved-gan architecture's layers against autograd of their plain formulas, and the
// fixed-fake-logit class head against values computed by hand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { createRng } from "../../libs/random/index.ts";
import { fixedFakeLogit } from "../../libs/sgan/class-head.ts";
import { gaussianNoise, weightNormDense } from "../../libs/sgan/dense-layers.ts";
import { batchNormShift, type ForwardContext } from "../../libs/sgan/layers.ts";
import { improvedLosses } from "../../libs/sgan/losses.ts";
import { addBatchNormShift, addWeightNormDense, ParamStore } from "../../libs/sgan/params.ts";
import { discriminatorCriterion } from "../../libs/sgan/training-step.ts";
import { compare, randomValues, sizeOf } from "../backends/helpers.ts";

function tensor(shape: number[], seed: number, offset = 0): tf.Tensor {
  return tf.tensor(randomValues(sizeOf(shape), seed).map((v) => v + offset), shape);
}

/** Value and gradients (w.r.t. every input) of sum(f(inputs) * probe), through tfjs autograd. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], probe: tf.Tensor) {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe)) as tf.Scalar)(inputs);
    return { value: value.dataSync()[0]!, grads: grads.map((g) => Float32Array.from(g.dataSync())) };
  });
}

function assertSame(got: ReturnType<typeof valueAndGrads>, want: ReturnType<typeof valueAndGrads>, tolerance: number): void {
  assert.ok(Math.abs(got.value - want.value) <= tolerance * Math.max(1, Math.abs(want.value)), `value ${got.value} vs ${want.value}`);
  got.grads.forEach((grad, i) => {
    const d = compare(grad, want.grads[i]!);
    assert.ok(d.maxRel < tolerance, `gradient ${i}: max abs ${d.maxAbs}, rel ${d.maxRel}`);
  });
}

/** A context whose layers read the given tensors as their weights (so tf.grads can differentiate through them). */
function contextOver(store: ParamStore, weights: Record<string, tf.Tensor>, training: boolean, seed = 1): ForwardContext & { retired: tf.Tensor[] } {
  return { store, training, retired: [], rng: createRng(seed), weight: (key) => weights[key] ?? store.weight(key) };
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`improved-gan layers match autograd of the plain formulas (${backend})`, () => {
    for (const trainScale of [true, false]) {
      it(`weight-normalised dense, ${trainScale ? "trained" : "untrained"} scale: x (g v / ||v||) + b and d(x, v, g, b)`, async () => {
        await initBackend(backend);
        const [n, inputs, outputs] = [6, 9, 5];
        const store = new ParamStore();
        addWeightNormDense(store, "l", new Float32Array(inputs * outputs), inputs, outputs, trainScale);
        const x = tensor([n, inputs], 1);
        const v = tensor([inputs, outputs], 2);
        const g = tensor([outputs], 3, 1);
        const b = tensor([outputs], 4);
        if (!trainScale) {
          const replaced: tf.Tensor[] = [];
          store.replaceState("l.g", g.clone(), replaced);
          tf.dispose(replaced);
        }
        const probe = tensor([n, outputs], 5);
        const plain = (xs: tf.Tensor, vs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) =>
          tf.add(tf.matMul(xs, tf.mul(gs, tf.div(vs, tf.sqrt(tf.add(tf.sum(tf.square(vs), 0, true), 1e-6))))), bs);
        if (trainScale) {
          const got = valueAndGrads((xs, vs, gs, bs) => weightNormDense(contextOver(store, { "l.v": vs!, "l.g": gs!, "l.b": bs! }, true), "l", xs as tf.Tensor2D), [x, v, g, b], probe);
          assertSame(got, valueAndGrads((xs, vs, gs, bs) => plain(xs!, vs!, gs!, bs!), [x, v, g, b], probe), 1e-5);
        } else {
          const got = valueAndGrads((xs, vs, bs) => weightNormDense(contextOver(store, { "l.v": vs!, "l.b": bs! }, true), "l", xs as tf.Tensor2D), [x, v, b], probe);
          assertSame(got, valueAndGrads((xs, vs, bs) => plain(xs!, vs!, g, bs!), [x, v, b], probe), 1e-5);
        }
        tf.dispose([x, v, g, b, probe]);
        store.dispose();
        assert.equal(tf.memory().numTensors, 0);
      });
    }

    it("batch norm with a shift and no scale on [n, c]: output and d(x, beta); running statistics updated", async () => {
      await initBackend(backend);
      const store = new ParamStore();
      addBatchNormShift(store, "bn", 7);
      const x = tensor([10, 7], 6, 0.5);
      const beta = tensor([7], 7);
      const probe = tensor([10, 7], 8);
      const ctx = contextOver(store, {}, true);
      const got = valueAndGrads((xs, bs) => batchNormShift({ ...ctx, weight: (key) => (key === "bn.beta" ? bs! : store.weight(key)) }, "bn", xs as tf.Tensor2D, 1e-6), [x, beta], probe);
      const want = valueAndGrads((xs, bs) => {
        const { mean, variance } = tf.moments(xs!, 0);
        return tf.add(tf.div(tf.sub(xs!, mean), tf.sqrt(tf.add(variance, 1e-6))), bs!);
      }, [x, beta], probe);
      assertSame(got, want, 1e-4);
      tf.tidy(() => {
        const { mean, variance } = tf.moments(x, 0);
        const runningMean = tf.mul(mean, 0.1);
        const runningVar = tf.add(0.9, tf.mul(variance, (0.1 * 10) / 9));
        assert.ok(compare(store.stateOf("bn.runningMean").dataSync() as Float32Array, runningMean.dataSync() as Float32Array).maxAbs < 1e-6);
        assert.ok(compare(store.stateOf("bn.runningVar").dataSync() as Float32Array, runningVar.dataSync() as Float32Array).maxAbs < 1e-5);
        const evaluated = batchNormShift(contextOver(store, {}, false), "bn", x as tf.Tensor2D, 1e-6);
        const plainEval = tf.add(tf.div(tf.sub(x, store.stateOf("bn.runningMean")), tf.sqrt(tf.add(store.stateOf("bn.runningVar"), 1e-6))), store.weight("bn.beta"));
        assert.ok(compare(evaluated.dataSync() as Float32Array, plainEval.dataSync() as Float32Array).maxAbs < 1e-5, "evaluation uses the running statistics");
      });
      tf.dispose([x, beta, probe, ...ctx.retired]);
      store.dispose();
      assert.equal(tf.memory().numTensors, 0);
    });

    it("gaussian noise: x + std N(0, 1) while training, its gradient the identity; nothing in evaluation", async () => {
      await initBackend(backend);
      const store = new ParamStore();
      const shape = [200, 500];
      const x = tensor(shape, 9);
      const probe = tensor(shape, 10);
      const seed = createRng(11).seed();
      const got = valueAndGrads((xs) => gaussianNoise(contextOver(store, {}, true, 11), xs!, 0.5), [x], probe);
      const want = valueAndGrads((xs) => tf.add(xs!, tf.randomNormal(shape, 0, 0.5, "float32", seed)), [x], probe);
      assert.deepEqual(got.grads, want.grads, "the gradient passes dy through");
      // Without the fused kernel the noise is tf.randomNormal's for the same seed; the native one draws its own.
      if (backend === "cpu") assert.equal(got.value, want.value);
      const noise = tf.tidy(() => Float32Array.from(tf.sub(gaussianNoise(contextOver(store, {}, true, 11), x, 0.5), x).dataSync()));
      const mean = noise.reduce((sum, value) => sum + value, 0) / noise.length;
      const std = Math.sqrt(noise.reduce((sum, value) => sum + (value - mean) ** 2, 0) / noise.length);
      assert.ok(Math.abs(mean) < 0.005 && Math.abs(std - 0.5) < 0.005, `noise mean ${mean}, std ${std}`);
      const again = tf.tidy(() => Float32Array.from(tf.sub(gaussianNoise(contextOver(store, {}, true, 11), x, 0.5), x).dataSync()));
      assert.deepEqual(again, noise, "the same seed draws the same noise");
      const other = tf.tidy(() => Float32Array.from(tf.sub(gaussianNoise(contextOver(store, {}, true, 12), x, 0.5), x).dataSync()));
      assert.notDeepEqual(other, noise, "another seed draws other noise");
      assert.equal(gaussianNoise(contextOver(store, {}, false), x, 0.5), x, "the identity in evaluation");
      tf.dispose([x, probe]);
      assert.equal(tf.memory().numTensors, 0);
    });
  });
}

describe("fixed fake logit (Salimans et al.): 10 class logits and a fake logit of 0", () => {
  it("class logits [l, 0] and real/fake logit log Z, so that p(real) = Z / (Z + 1)", async () => {
    await initBackend("cpu");
    tf.tidy(() => {
      // Z = 1 + 3 = 4 for the first row; Z = e + e^2 + e^3 for the second.
      const logits = tf.tensor2d([[0, Math.log(3)], [1, 2]], [2, 2]);
      const { advLogit, auxLogits } = fixedFakeLogit(logits);
      const z2 = Math.E + Math.E ** 2;
      assert.deepEqual(advLogit.shape, [2, 1]);
      assert.ok(compare(advLogit.dataSync() as Float32Array, Float32Array.of(Math.log(4), Math.log(z2))).maxAbs < 1e-6);
      assert.deepEqual(Array.from(auxLogits.dataSync()), Array.from(Float32Array.of(0, Math.log(3), 0, 1, 2, 0)));
      // The seed's losses on these outputs are the K+1-class ones: -log(Z / (Z + 1)) for a real image,
      // -log(1 / (Z + 1)) for a generated one (class 2 here), -log(e^{l_y} / (Z + 1)) for a labeled one.
      const real = improvedLosses.adversarial(advLogit, 1).dataSync()[0]!;
      assert.ok(Math.abs(real - (-(Math.log(4 / 5) + Math.log(z2 / (z2 + 1))) / 2)) < 1e-6, `real loss ${real}`);
      const fake = improvedLosses.auxiliary(auxLogits, tf.tensor1d([2, 2], "int32")).dataSync()[0]!;
      assert.ok(Math.abs(fake - (Math.log(5) + Math.log(z2 + 1)) / 2) < 1e-6, `fake loss ${fake}`);
      const labeled = improvedLosses.auxiliary(auxLogits, tf.tensor1d([1, 0], "int32")).dataSync()[0]!;
      assert.ok(Math.abs(labeled - (-Math.log(3 / 5) - Math.log(Math.E / (z2 + 1))) / 2) < 1e-6, `labeled loss ${labeled}`);
      // d log Z / d l = softmax(l): [1/4, 3/4] for the first row.
      const grad = tf.grad((l: tf.Tensor) => tf.sum(tf.slice(fixedFakeLogit(l as tf.Tensor2D).advLogit, [0, 0], [1, 1])))(logits);
      assert.ok(compare(grad.dataSync() as Float32Array, Float32Array.of(0.25, 0.75, 0, 0)).maxAbs < 1e-6);
    });
    assert.equal(tf.memory().numTensors, 0);
  });
});

describe("the discriminator's loss per class head", () => {
  it("fixedFakeLogit: Salimans et al.'s 10-way cross-entropy + (adv(real, 1) + adv(fake, 0)) / 2; seed: the seed's mean of four", async () => {
    await initBackend("cpu");
    tf.tidy(() => {
      const head = (rows: number[][]) => fixedFakeLogit(tf.tensor2d(rows));
      const passes = { real: head([[0, Math.log(3)]]), labeled: head([[1, 2]]), fake: head([[Math.log(2), 0]]) };
      const classLabels = tf.tensor1d([1], "int32");
      const fakeLabels = tf.tensor1d([2], "int32");
      const softplus = (x: number) => Math.log1p(Math.exp(x));
      // Z: 4 for the real row, e + e^2 for the labeled row, 3 for the generated row.
      const crossEntropy = -(2 - Math.log(Math.E + Math.E ** 2));
      const unlabeled = (softplus(-Math.log(4)) + softplus(Math.log(3))) / 2;
      const salimans = discriminatorCriterion(improvedLosses, { classHead: "fixedFakeLogit", labelSmoothing: 0 }, passes, classLabels, fakeLabels);
      assert.ok(Math.abs(salimans.dataSync()[0]! - (crossEntropy + unlabeled)) < 1e-6, `salimans ${salimans.dataSync()[0]}`);
      // The seed's form on the same outputs counts the generated row twice: aux(fake, "generated") = adv(fake, 0).
      const z = Math.E + Math.E ** 2;
      const seedForm = ((softplus(-Math.log(4)) + -Math.log(Math.E ** 2 / (z + 1))) / 2 + 2 * softplus(Math.log(3)) / 2) / 2;
      const seed = discriminatorCriterion(improvedLosses, { classHead: "seed", labelSmoothing: 0 }, passes, classLabels, fakeLabels);
      assert.ok(Math.abs(seed.dataSync()[0]! - seedForm) < 1e-6, `seed ${seed.dataSync()[0]}`);
      // One-sided smoothing s: the real term's target is 1 - s, BCE(sigmoid(log 4), 0.9).
      const smoothed = discriminatorCriterion(improvedLosses, { classHead: "fixedFakeLogit", labelSmoothing: 0.1 }, passes, classLabels, fakeLabels);
      const softReal = 0.9 * softplus(-Math.log(4)) + 0.1 * softplus(Math.log(4));
      assert.ok(Math.abs(smoothed.dataSync()[0]! - (crossEntropy + (softReal + softplus(Math.log(3))) / 2)) < 1e-6);
    });
    assert.equal(tf.memory().numTensors, 0);
  });
});
