import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { parseTrainingConfig, SganModel } from "../../libs/sgan/index.ts";
import { spectrallyNormalized } from "../../libs/sgan/spectral-norm.ts";

const countParams = (weights: Map<string, tf.Variable>) => [...weights.values()].reduce((sum, w) => sum + w.size, 0);

describe("generator and discriminator shapes", () => {
  before(async () => {
    await initBackend("cpu");
  });

  for (const imgSize of [28, 32] as const) {
    it(`img ${imgSize}: G maps noise to 1x${imgSize}x${imgSize} in [-1, 1]; D gives 1 validity logit and 11 class logits`, () => {
      const model = new SganModel(parseTrainingConfig({ imgSize }));
      const mode = { training: true, retired: [] as tf.Tensor[], rng: { next: Math.random, int: () => 0, normal: () => 0, seed: () => 7 } };
      tf.tidy(() => {
        const images = model.generate(tf.randomNormal([3, 100]), mode);
        assert.deepEqual(images.shape, [3, imgSize, imgSize, 1]);
        assert.ok(images.max().dataSync()[0] <= 1 && images.min().dataSync()[0] >= -1);
        const out = model.discriminate(images, mode);
        assert.deepEqual(out.advLogit.shape, [3, 1]);
        assert.deepEqual(out.auxLogits.shape, [3, 11]);
      });
      tf.dispose(mode.retired);
      model.dispose();
    });
  }

  it("parameter counts match the PyTorch seed (img 32; the seed's unused label embedding aside)", () => {
    const model = new SganModel(parseTrainingConfig({ imgSize: 32 }));
    // Linear 100->8192, BN128, conv 128->128, BN128, conv 128->64, BN64, conv 64->1.
    assert.equal(countParams(model.generatorWeights()), 827_392 + 256 + 147_584 + 256 + 73_792 + 128 + 577);
    // Convs 1->16->32->64->128 with BN on the last three, heads 512->1 and 512->11.
    assert.equal(countParams(model.discriminatorWeights()), 160 + 4_640 + 64 + 18_496 + 128 + 73_856 + 256 + 513 + 5_643);
    model.dispose();
  });

  it("initialisation follows weights_init_normal: conv weights N(0, 0.02), BN gamma N(1, 0.02), BN beta 0", () => {
    const model = new SganModel(parseTrainingConfig({ seed: 3 }));
    const stats = (key: string) => {
      const values = Array.from(model.store.weight(key).dataSync());
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      return { mean, std };
    };
    const conv = stats("g.conv1.w");
    assert.ok(Math.abs(conv.mean) < 0.002 && Math.abs(conv.std - 0.02) < 0.001, JSON.stringify(conv));
    const gamma = stats("g.bn1.gamma");
    assert.ok(Math.abs(gamma.mean - 1) < 0.01 && Math.abs(gamma.std - 0.02) < 0.01, JSON.stringify(gamma));
    assert.deepEqual([...model.store.weight("d.block2.bn.beta").dataSync()], new Array(64).fill(0));
    model.dispose();
  });

  it("spectral normalisation bounds the discriminator weights' largest singular value near 1", () => {
    const model = new SganModel(parseTrainingConfig({ spectralNorm: true }));
    const retired: tf.Tensor[] = [];
    for (let i = 0; i < 30; i++) {
      model.updateSpectralNorm(retired);
      tf.dispose(retired.splice(0));
    }
    tf.tidy(() => {
      for (const key of ["d.aux.w", "d.block3.conv.w"]) {
        assert.ok(Math.abs(spectralSigma(model.store.weight(key)).dataSync()[0] - 1) > 0.2, "the raw weight is not already normalised");
        const sigma = spectralSigma(spectrallyNormalized(model.store, key)).dataSync()[0];
        assert.ok(Math.abs(sigma - 1) < 0.05, `${key}: sigma ${sigma}`);
      }
    });
    model.dispose();
  });
});

function spectralSigma(matrix: tf.Tensor): tf.Scalar {
  const m = tf.reshape(matrix, [-1, matrix.shape[matrix.shape.length - 1]]) as tf.Tensor2D;
  let v = tf.ones([m.shape[1], 1]) as tf.Tensor2D;
  for (let i = 0; i < 100; i++) {
    const next = tf.matMul(m, tf.matMul(m, v), true, false);
    v = tf.div(next, tf.norm(next));
  }
  return tf.norm(tf.matMul(m, v)) as tf.Scalar;
}
