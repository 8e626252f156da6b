import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random/index.ts";
import { batchNorm, conv3x3, leakyRelu, linear, upsampleNearest2x, type ForwardContext } from "./layers.ts";
import { addBatchNorm, addConv, addLinear, type ParamStore } from "./params.ts";

/** The seed's Generator: Linear -> BN -> up -> conv128 -> BN -> lrelu -> up -> conv64 -> BN -> lrelu -> conv1 -> tanh. */
export function addGeneratorParams(store: ParamStore, latentDim: number, imgSize: number, rng: Rng): void {
  const initSize = imgSize / 4;
  addLinear(store, "g.l1", latentDim, 128 * initSize * initSize, rng);
  addBatchNorm(store, "g.bn0", 128, rng);
  addConv(store, "g.conv1", 128, 128, rng);
  addBatchNorm(store, "g.bn1", 128, rng);
  addConv(store, "g.conv2", 128, 64, rng);
  addBatchNorm(store, "g.bn2", 64, rng);
  addConv(store, "g.conv3", 64, 1, rng);
}

/**
 * `blockEps` is the eps of the two BatchNorm2d(C, 0.8) layers: the seed passes 0.8 positionally,
 * which PyTorch reads as eps (the `reference` quirk); the first BatchNorm2d(128) keeps eps 1e-5.
 */
export function generatorForward(ctx: ForwardContext, z: tf.Tensor2D, imgSize: number, blockEps: number): tf.Tensor4D {
  const initSize = imgSize / 4;
  let x = tf.reshape(linear(ctx, "g.l1", z), [z.shape[0], initSize, initSize, 128]) as tf.Tensor4D;
  x = batchNorm(ctx, "g.bn0", x, 1e-5);
  x = upsampleNearest2x(x);
  x = leakyRelu(batchNorm(ctx, "g.bn1", conv3x3(ctx, "g.conv1", x, 1), blockEps));
  x = upsampleNearest2x(x);
  x = leakyRelu(batchNorm(ctx, "g.bn2", conv3x3(ctx, "g.conv2", x, 1), blockEps));
  return tf.tanh(conv3x3(ctx, "g.conv3", x, 1));
}
