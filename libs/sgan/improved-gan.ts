// Salimans et al. 2016, "Improved Techniques for Training GANs", on MNIST: the networks of
// openai/improved-gan mnist_svhn_cifar10/train_mnist_feature_matching.py and its nn.py.
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random/index.ts";
import type { ArchitectureBuilder } from "./architecture.ts";
import { headLayers, headOutputs, type ClassHead } from "./class-head.ts";
import type { DiscriminatorOutput } from "./discriminator.ts";
import { gaussianNoise, weightNormDense, weightNormProduct } from "./dense-layers.ts";
import { batchNormShift, type ForwardContext } from "./layers.ts";
import { addBatchNormShift, addDenseWithoutBias, addWeightNormDense, glorotValues, normalValues, type ParamStore } from "./params.ts";

const GENERATOR_UNITS = [500, 500] as const;
const DISCRIMINATOR_UNITS = [1000, 500, 250, 250, 250] as const;
/** GaussianNoiseLayer sigmas: on the input pixels (in [0, 1]) and after every hidden layer. */
const INPUT_NOISE = 0.3;
const HIDDEN_NOISE = 0.5;
/** nn.DenseLayer's theta ~ Normal(0.1). */
const DIRECTION_STD = 0.1;
/** nn.BatchNormLayer divides by sqrt(1e-6 + var). */
const BATCH_NORM_EPS = 1e-6;

/**
 * Generator: z ~ U(0, 1) -> 2 x (dense 500, no bias -> batch norm with a shift, no scale -> softplus)
 * -> weight-normalised dense to the pixels (trained scale and bias) -> the reference's sigmoid moved
 * to our [-1, 1] pixels, 2 sigmoid(a) - 1 = tanh(a / 2).
 * Discriminator: pixels back to [0, 1] -> noise 0.3 -> 5 x (weight-normalised dense 1000-500-250-250-250
 * -> ReLU -> noise 0.5) -> the class head's weight-normalised output layers (trained scale).
 * Hidden layers' scales are not trained (train_scale=False): data-dependent initialisation sets them.
 */
export const improvedGanArchitecture: ArchitectureBuilder = (store, config, rng) => {
  addGeneratorParams(store, config.latentDim, config.imgSize, rng);
  addDiscriminatorParams(store, config.imgSize, config.classHead, rng);
  return {
    sampleLatent: (count, noise) => Float32Array.from({ length: count * config.latentDim }, () => noise.next()),
    generate: (ctx, z) => generatorForward(ctx, z, config.imgSize),
    discriminate: (ctx, images) => discriminatorForward(ctx, images, config.classHead, (key, x) => weightNormDense(ctx, key, x)),
    initializeFromData: (ctx, images) => void discriminatorForward(ctx, images, config.classHead, (key, x) => initializeWeightNorm(ctx, key, x)),
  };
};

function addGeneratorParams(store: ParamStore, latentDim: number, imgSize: number, rng: Rng): void {
  let inputs = latentDim;
  GENERATOR_UNITS.forEach((units, index) => {
    addDenseWithoutBias(store, `g.dense${index}`, inputs, units, rng);
    addBatchNormShift(store, `g.bn${index}`, units);
    inputs = units;
  });
  // Lasagne's DenseLayer (Glorot-uniform W) under nn.l2normalize (trained scale, bias kept).
  addWeightNormDense(store, "g.out", glorotValues(inputs, imgSize ** 2, rng), inputs, imgSize ** 2, true);
}

function addDiscriminatorParams(store: ParamStore, imgSize: number, classHead: ClassHead, rng: Rng): void {
  let inputs = imgSize ** 2;
  const addLayer = (key: string, units: number, trainScale: boolean) =>
    addWeightNormDense(store, key, normalValues(inputs * units, 0, DIRECTION_STD, rng), inputs, units, trainScale);
  DISCRIMINATOR_UNITS.forEach((units, index) => {
    addLayer(`d.dense${index}`, units, false);
    inputs = units;
  });
  for (const [key, units] of headLayers(classHead)) addLayer(key, units, true);
}

function generatorForward(ctx: ForwardContext, z: tf.Tensor2D, imgSize: number): tf.Tensor4D {
  let x = z;
  GENERATOR_UNITS.forEach((_, index) => {
    const product = tf.matMul(x, ctx.weight(`g.dense${index}.w`)) as tf.Tensor2D;
    x = tf.softplus(batchNormShift(ctx, `g.bn${index}`, product, BATCH_NORM_EPS));
  });
  const pixels = tf.tanh(tf.mul(weightNormDense(ctx, "g.out", x), 0.5));
  return tf.reshape(pixels, [z.shape[0], imgSize, imgSize, 1]);
}

type DenseLayer = (key: string, x: tf.Tensor2D) => tf.Tensor2D;

/** `features` is the last hidden layer before its noise: the layer the reference's feature matching reads (layers[-3]). */
function discriminatorForward(ctx: ForwardContext, images: tf.Tensor4D, classHead: ClassHead, dense: DenseLayer): DiscriminatorOutput {
  const n = images.shape[0];
  // Rescaled to the reference's [0, 1] pixels, so that its input noise keeps its scale.
  let x = gaussianNoise(ctx, tf.add(tf.mul(tf.reshape(images, [n, -1]), 0.5), 0.5) as tf.Tensor2D, INPUT_NOISE);
  let features = x;
  DISCRIMINATOR_UNITS.forEach((_, index) => {
    features = tf.relu(dense(`d.dense${index}`, x));
    x = gaussianNoise(ctx, features, HIDDEN_NOISE);
  });
  return { ...headOutputs(classHead, (key) => dense(key, x)), features };
}

/**
 * nn.DenseLayer's data-dependent initialisation (its init=True pass): each unit's output on the batch
 * rescaled to mean 0 and std 1, by g <- g / std and b <- -mean / std; returns the rescaled output,
 * which the next layer initialises on.
 */
function initializeWeightNorm(ctx: ForwardContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  const product = weightNormProduct(ctx, key, x);
  const { mean, variance } = tf.moments(product, 0);
  const inverseStd = tf.rsqrt(variance);
  const scaleKey = `${key}.g`;
  const scale = ctx.store.weights.get(scaleKey);
  if (scale) scale.assign(tf.mul(scale, inverseStd));
  else ctx.store.replaceState(scaleKey, tf.mul(ctx.store.stateOf(scaleKey), inverseStd), ctx.retired);
  ctx.store.weight(`${key}.b`).assign(tf.neg(tf.mul(mean, inverseStd)));
  return tf.mul(tf.sub(product, mean), inverseStd);
}
