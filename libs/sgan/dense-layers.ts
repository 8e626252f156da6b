// The dense layers of improved-gan besides batch norm: weight normalisation and additive Gaussian noise.
import * as tf from "@tensorflow/tfjs";
import { FUSED_KERNELS } from "../backends/index.ts";
import type { ForwardContext } from "./layers.ts";

/**
 * Under the root of weight normalisation's ||v||, as improved-gan's nn.l2normalize has it (its
 * DenseLayer has none: next to its ||v||^2 of about 1 to 8, 1e-6 is within float rounding).
 */
const WEIGHT_NORM_EPS = 1e-6;

/**
 * Weight normalisation (Salimans & Kingma 2016) of a dense layer: x w + b with w = g v / ||v||, the
 * norm per output unit (column of v). The scale is applied to x v rather than to v ([n, out] values
 * instead of [in, out]); the product is the same. g is a weight where it is trained, otherwise state.
 */
export function weightNormDense(ctx: ForwardContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(weightNormProduct(ctx, key, x), ctx.weight(`${key}.b`));
}

/** x w without the bias. */
export function weightNormProduct(ctx: ForwardContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  const direction = ctx.weight(`${key}.v`) as tf.Tensor2D;
  const scaleKey = `${key}.g`;
  const scale = ctx.store.weights.has(scaleKey) ? ctx.weight(scaleKey) : ctx.store.stateOf(scaleKey);
  return tf.mul(tf.matMul(x, direction), unitScale(direction, scale));
}

/**
 * g / ||v|| per column, with its closed-form gradient: d/dv = -v g ds / ||v||^3 (one pass over v)
 * and d/dg = ds / ||v||, instead of autograd through the square, the sum and their broadcasts (four
 * passes over v, the size of the layer's weight).
 */
const unitScale = tf.customGrad((...args) => {
  const [direction, scale, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(direction), 0), WEIGHT_NORM_EPS));
  save([direction, scale, norms]);
  return {
    value: tf.div(scale, norms),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [v, g, n] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
      const dScale = tf.div(dy, n);
      return [tf.mul(v, tf.neg(tf.div(tf.mul(dScale, g), tf.square(n)))), dScale];
    },
  };
}) as (direction: tf.Tensor2D, scale: tf.Tensor) => tf.Tensor1D;

/**
 * Additive Gaussian noise N(0, std^2) while training (improved-gan's GaussianNoiseLayer); the identity
 * in evaluation. On a backend with the fused kernel (wasm with the native ones) the noise is drawn
 * natively, other numbers than tf.randomNormal's for the same seed.
 */
export function gaussianNoise<T extends tf.Tensor>(ctx: ForwardContext, x: T, std: number): T {
  if (!ctx.training) return x;
  if (!ctx.rng) throw new Error("gaussian noise while training needs a seeded rng");
  const seed = ctx.rng.seed();
  if (tf.getKernel(FUSED_KERNELS.gaussianNoise, tf.getBackend()) === undefined) {
    return tf.add(x, tf.randomNormal(x.shape, 0, std, "float32", seed));
  }
  const noisy = tf.customGrad((...args) => {
    const input = args[0] as tf.Tensor;
    const [value] = tf.engine().runKernel(FUSED_KERNELS.gaussianNoise, { x: input }, { std, seed }) as tf.Tensor[];
    return { value: value!, gradFunc: (dy: tf.Tensor) => dy };
  });
  return noisy(x) as T;
}
