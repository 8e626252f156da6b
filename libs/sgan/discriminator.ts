import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random/index.ts";
import { batchNorm, conv3x3, dropout2d, leakyRelu, linear, type ForwardContext } from "./layers.ts";
import { addBatchNorm, addConv, addLinear, type ParamStore } from "./params.ts";

export const NUM_CLASSES = 10;
/** The class head has one extra output: "generated". */
export const FAKE_CLASS = NUM_CLASSES;
const BLOCK_CHANNELS = [16, 32, 64, 128] as const;
const DROPOUT_RATE = 0.25;

/** Side of the last feature map: four stride-2 convolutions with padding 1 (28 -> 2, 32 -> 2). */
export function featureSide(imgSize: number): number {
  let side = imgSize;
  for (let i = 0; i < BLOCK_CHANNELS.length; i++) side = Math.floor((side - 1) / 2) + 1;
  return side;
}

export function addDiscriminatorParams(store: ParamStore, imgSize: number, rng: Rng): void {
  let inputs = 1;
  BLOCK_CHANNELS.forEach((channels, index) => {
    addConv(store, `d.block${index}.conv`, inputs, channels, rng);
    if (index > 0) addBatchNorm(store, `d.block${index}.bn`, channels, rng);
    inputs = channels;
  });
  const features = 128 * featureSide(imgSize) ** 2;
  addLinear(store, "d.adv", features, 1, rng);
  addLinear(store, "d.aux", features, NUM_CLASSES + 1, rng);
}

export interface DiscriminatorOutput {
  /** Real/fake logit, [n, 1]: the seed applies a sigmoid to it. */
  advLogit: tf.Tensor2D;
  /** Class logits, [n, 11]: the seed applies a softmax to them. */
  auxLogits: tf.Tensor2D;
  /** The layer both heads read, [n, features]: what feature matching compares on real and generated batches. */
  features: tf.Tensor2D;
}

/** The seed's Discriminator: per block conv(stride 2) -> LeakyReLU -> Dropout2d -> BatchNorm (not in the first block). */
export function discriminatorForward(ctx: ForwardContext, img: tf.Tensor4D, blockEps: number): DiscriminatorOutput {
  let x = img;
  BLOCK_CHANNELS.forEach((_, index) => {
    x = dropout2d(ctx, leakyRelu(conv3x3(ctx, `d.block${index}.conv`, x, 2)), DROPOUT_RATE);
    if (index > 0) x = batchNorm(ctx, `d.block${index}.bn`, x, blockEps);
  });
  const flat = tf.reshape(x, [img.shape[0], -1]) as tf.Tensor2D;
  return { advLogit: linear(ctx, "d.adv", flat), auxLogits: linear(ctx, "d.aux", flat), features: flat };
}
