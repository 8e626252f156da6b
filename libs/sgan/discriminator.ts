import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random/index.ts";
import { headLayers, headOutputs, type ClassHead } from "./class-head.ts";
import { batchNorm, conv3x3, leakyReluDropout2d, linear, type ForwardContext } from "./layers.ts";
import { addBatchNorm, addConv, addLinear, type ParamStore } from "./params.ts";

export { NUM_CLASSES, FAKE_CLASS } from "./class-head.ts";
const BLOCK_CHANNELS = [16, 32, 64, 128] as const;
const DROPOUT_RATE = 0.25;

/** Side of the last feature map: four stride-2 convolutions with padding 1 (28 -> 2, 32 -> 2). */
export function featureSide(imgSize: number): number {
  let side = imgSize;
  for (let i = 0; i < BLOCK_CHANNELS.length; i++) side = Math.floor((side - 1) / 2) + 1;
  return side;
}

export function addDiscriminatorParams(store: ParamStore, imgSize: number, classHead: ClassHead, rng: Rng): void {
  let inputs = 1;
  BLOCK_CHANNELS.forEach((channels, index) => {
    addConv(store, `d.block${index}.conv`, inputs, channels, rng);
    if (index > 0) addBatchNorm(store, `d.block${index}.bn`, channels, rng);
    inputs = channels;
  });
  const features = 128 * featureSide(imgSize) ** 2;
  for (const [key, units] of headLayers(classHead)) addLinear(store, key, features, units, rng);
}

export interface DiscriminatorOutput {
  /** Real/fake logit, [n, 1]: the seed applies a sigmoid to it (log Z with the fixed fake logit, libs/sgan/class-head.ts). */
  advLogit: tf.Tensor2D;
  /** Class logits, [n, 11], the last one "generated": the seed applies a softmax to them. */
  auxLogits: tf.Tensor2D;
  /**
   * What feature matching compares on real and generated batches, [n, features]: the layer the heads
   * read (seed), or the last hidden layer before its noise (improved-gan, as its reference does).
   */
  features: tf.Tensor2D;
}

/** The seed's Discriminator: per block conv(stride 2) -> LeakyReLU -> Dropout2d -> BatchNorm (not in the first block). */
export function discriminatorForward(ctx: ForwardContext, img: tf.Tensor4D, blockEps: number, classHead: ClassHead): DiscriminatorOutput {
  let x = img;
  BLOCK_CHANNELS.forEach((_, index) => {
    x = leakyReluDropout2d(ctx, conv3x3(ctx, `d.block${index}.conv`, x, 2), DROPOUT_RATE);
    if (index > 0) x = batchNorm(ctx, `d.block${index}.bn`, x, blockEps);
  });
  const flat = tf.reshape(x, [img.shape[0], -1]) as tf.Tensor2D;
  return { ...headOutputs(classHead, (key) => linear(ctx, key, flat)), features: flat };
}
