import * as tf from "@tensorflow/tfjs";
import { CONV2D_BIAS_KERNEL, FUSED_KERNELS, LEAKY_RELU_DROPOUT_GRAD_KERNEL, LEAKY_RELU_DROPOUT_KERNEL, LEAKY_RELU_GRAD_KERNEL, MATMUL_BIAS_KERNEL, RUNNING_STATISTICS_KERNEL } from "../backends/index.ts";
import type { Rng } from "../random/index.ts";
import type { ParamStore } from "./params.ts";

/** PyTorch BatchNorm momentum 0.1 (weight of the new batch statistic). */
const BN_MOMENTUM = 0.1;
const LEAKY_SLOPE = 0.2;

/** What a forward pass needs besides its input: the weights, the mode, and where replaced state goes. */
export interface ForwardContext {
  readonly store: ParamStore;
  readonly training: boolean;
  /** State tensors replaced during this pass, disposed by the trainer once the step is over. */
  readonly retired: tf.Tensor[];
  /** Seeds for dropout masks; required while training. */
  readonly rng?: Rng;
  /** The weight a layer computes with: the variable itself, or its spectrally normalised form. */
  readonly weight: (key: string) => tf.Tensor;
}

export function linear(ctx: ForwardContext, key: string, x: tf.Tensor2D): tf.Tensor2D {
  return denseWithBias(x, ctx.weight(`${key}.w`) as tf.Tensor2D, ctx.weight(`${key}.b`) as tf.Tensor1D);
}

export function conv3x3(ctx: ForwardContext, key: string, x: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  return convWithBias(x, ctx.weight(`${key}.w`) as tf.Tensor4D, ctx.weight(`${key}.b`) as tf.Tensor1D, stride);
}

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

/** x w + b; in one dispatch where the backend has the kernel (webgpu). */
export function denseWithBias(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (!hasKernel(MATMUL_BIAS_KERNEL)) return tf.add(tf.matMul(x, w), b);
  const [n, k] = x.shape;
  const product = tf.engine().runKernel(MATMUL_BIAS_KERNEL, { a: tf.reshape(x, [1, n, k]), b: tf.reshape(w, [1, k, w.shape[1]]), bias: b }) as tf.Tensor3D;
  return tf.reshape(product, [n, w.shape[1]]);
}

/**
 * conv2d(x, w) + b with explicit padding 1 on every side, like nn.Conv2d(..., padding=1) (tf's 'same'
 * pads asymmetrically at stride 2); in one dispatch where the backend has the kernel (webgpu).
 */
export function convWithBias(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, stride: 1 | 2): tf.Tensor4D {
  if (!hasKernel(CONV2D_BIAS_KERNEL)) return tf.add(tf.conv2d(x, w, stride, 1), b);
  return tf.engine().runKernel(CONV2D_BIAS_KERNEL, { x, filter: w, bias: b }, { strides: [stride, stride], pad: 1 }) as tf.Tensor4D;
}

/**
 * BatchNorm2d in PyTorch's semantics: batch statistics (biased variance) while training, with the
 * running statistics updated from the unbiased variance; running statistics in evaluation.
 */
export function batchNorm(ctx: ForwardContext, key: string, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return normalizeBatch(ctx, key, x, eps, ctx.weight(`${key}.gamma`));
}

/**
 * Batch norm of dense features [n, c] with a learnt shift and no scale: improved-gan's
 * nn.batch_norm(..., g=None), whose variance eps it takes; otherwise the same semantics as batchNorm.
 */
export function batchNormShift(ctx: ForwardContext, key: string, x: tf.Tensor2D, eps: number): tf.Tensor2D {
  const [n, c] = x.shape;
  return tf.reshape(normalizeBatch(ctx, key, tf.reshape(x, [n, 1, 1, c]), eps, null), [n, c]);
}

function normalizeBatch(ctx: ForwardContext, key: string, x: tf.Tensor4D, eps: number, gamma: tf.Tensor | null): tf.Tensor4D {
  const beta = ctx.weight(`${key}.beta`);
  if (ctx.training) {
    return batchNormTraining(x, gamma ?? tf.onesLike(beta), beta, eps, (mean, variance) =>
      updateRunningStats(ctx, key, mean, variance, x.size / x.shape[3]),
    );
  }
  const mean = ctx.store.stateOf(`${key}.runningMean`);
  const variance = ctx.store.stateOf(`${key}.runningVar`);
  const inverseStd = tf.rsqrt(tf.add(variance, eps));
  const scale = gamma ? tf.mul(inverseStd, gamma) : inverseStd;
  return tf.add(tf.mul(tf.sub(x, mean), scale), beta);
}

/** Receives a training batch's mean and biased variance (for the running statistics). */
type Statistics = (mean: tf.Tensor, variance: tf.Tensor) => void;

/**
 * Training-mode batch norm over axes [0, 1, 2] with its closed-form gradient,
 *   dx = gamma / sigma * (dy - mean(dy) - x_hat * mean(dy * x_hat)),
 * instead of autograd through moments and the broadcasts (about a third of the step's kernels). On a
 * backend with the fused kernels (wasm with the native ones) each direction is one kernel.
 */
export function batchNormTraining(
  x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, eps: number,
  onStatistics: Statistics = () => {},
): tf.Tensor4D {
  const fused = hasKernel(FUSED_KERNELS.batchNormForward);
  const normalize = tf.customGrad((...args) => {
    const [input, scale, shift, save] = args as [tf.Tensor4D, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    return fused ? fusedBatchNorm(input, scale, shift, eps, save, onStatistics) : batchNormOps(input, scale, shift, eps, save, onStatistics);
  });
  return normalize(x, gamma, beta) as tf.Tensor4D;
}

function batchNormOps(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, eps: number, save: tf.GradSaveFunc, onStatistics: Statistics) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  onStatistics(mean, variance);
  const inverseStd = tf.rsqrt(tf.add(variance, eps));
  const normalized = tf.mul(tf.sub(x, mean), inverseStd);
  save([normalized, inverseStd, gamma]);
  return {
    value: tf.add(tf.mul(normalized, gamma), beta) as tf.Tensor4D,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xHat, invStd, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const count = dy.size / dy.shape[3]!;
      const dBeta = tf.sum(dy, [0, 1, 2]);
      const dGamma = tf.sum(tf.mul(dy, xHat), [0, 1, 2]);
      const centered = tf.sub(tf.sub(dy, tf.div(dBeta, count)), tf.mul(xHat, tf.div(dGamma, count)));
      return [tf.mul(centered, tf.mul(g, invStd)), dGamma, dBeta];
    },
  };
}

function fusedBatchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, eps: number, save: tf.GradSaveFunc, onStatistics: Statistics) {
  const attrs = { epsilon: eps };
  const [y, mean, variance] = tf.engine().runKernel(FUSED_KERNELS.batchNormForward, { x, gamma, beta }, attrs) as tf.Tensor[];
  onStatistics(mean!, variance!);
  save([x, mean!, variance!, gamma]);
  return {
    value: y as tf.Tensor4D,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, m, v, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      return tf.engine().runKernel(FUSED_KERNELS.batchNormBackward, { dy, x: input, mean: m, variance: v, gamma: g }, attrs) as tf.Tensor[];
    },
  };
}

function updateRunningStats(ctx: ForwardContext, key: string, mean: tf.Tensor, variance: tf.Tensor, n: number): void {
  const meanKey = `${key}.runningMean`;
  const varKey = `${key}.runningVar`;
  const inputs = { runningMean: ctx.store.stateOf(meanKey), runningVariance: ctx.store.stateOf(varKey), mean, variance };
  const attrs = { momentum: BN_MOMENTUM, unbiasing: n / Math.max(n - 1, 1) };
  // One kernel where the backend has it (webgpu), else the formula.
  const [runningMean, runningVariance] = hasKernel(RUNNING_STATISTICS_KERNEL)
    ? (tf.engine().runKernel(RUNNING_STATISTICS_KERNEL, inputs, attrs) as [tf.Tensor, tf.Tensor])
    : runningStatisticsFormula(inputs, attrs);
  ctx.store.replaceState(meanKey, runningMean, ctx.retired);
  ctx.store.replaceState(varKey, runningVariance, ctx.retired);
}

/**
 * PyTorch's running statistics after a training batch: each blended with the batch's at `momentum`,
 * the variance unbiased first (`unbiasing` = n / (n - 1)). What SganRunningStatistics computes.
 */
export function runningStatisticsFormula(
  { runningMean, runningVariance, mean, variance }: Record<"runningMean" | "runningVariance" | "mean" | "variance", tf.Tensor>,
  { momentum, unbiasing }: { momentum: number; unbiasing: number },
): [tf.Tensor, tf.Tensor] {
  const unbiased = tf.mul(variance, unbiasing);
  const blend = (old: tf.Tensor, batch: tf.Tensor) => tf.add(tf.mul(old, 1 - momentum), tf.mul(batch, momentum));
  return [blend(runningMean, mean), blend(runningVariance, unbiased)];
}

/** Where the backend has a fused gradient (webgpu), it takes that; elsewhere tfjs's own. */
export function leakyRelu<T extends tf.Tensor>(x: T): T {
  if (!hasKernel(LEAKY_RELU_GRAD_KERNEL)) return tf.leakyRelu(x, LEAKY_SLOPE);
  return leakyReluFusedGradient(x) as T;
}

const leakyReluFusedGradient = tf.customGrad((...args) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.leakyRelu(x, LEAKY_SLOPE),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy, x: saved[0]! }, { alpha: LEAKY_SLOPE }) as tf.Tensor,
  };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * nn.Upsample(scale_factor=2), nearest: columns doubled, then rows, each a multiply by ones broadcast
 * over one middle axis (one pass on every backend); the gradient sums each 2x2 block in one reduction.
 */
export const upsampleNearest2x = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor4D;
  const [n, h, w, c] = x.shape;
  const columns = tf.mul(tf.reshape(x, [n * h * w, 1, c]), tf.ones([1, 2, 1]));
  const rows = tf.mul(tf.reshape(columns, [n * h, 1, 2 * w * c]), tf.ones([1, 2, 1]));
  return {
    value: tf.reshape(rows, [n, 2 * h, 2 * w, c]),
    gradFunc: (dy: tf.Tensor) => tf.sum(tf.reshape(dy, [n, h, 2, w, 2, c]), [2, 4]),
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;

/**
 * LeakyReLU(0.2) then nn.Dropout2d: the latter zeroes whole channels per sample while training, scaling
 * the rest by 1/(1-rate).
 */
export function leakyReluDropout2d(ctx: ForwardContext, x: tf.Tensor4D, rate: number): tf.Tensor4D {
  if (!ctx.training) return leakyRelu(x);
  if (!ctx.rng) throw new Error("dropout while training needs a seeded rng");
  return leakyReluChannelDropout(x, rate, ctx.rng.seed());
}

/**
 * leakyRelu, then tf.dropout with one draw per sample and channel; where the backend has the fused
 * kernels (webgpu) the same draws, activation and mask in one kernel each way.
 */
export function leakyReluChannelDropout(x: tf.Tensor4D, rate: number, seed: number): tf.Tensor4D {
  const [n, , , c] = x.shape;
  if (!hasKernel(LEAKY_RELU_DROPOUT_KERNEL)) return tf.dropout(leakyRelu(x), rate, [n, 1, 1, c], seed) as tf.Tensor4D;
  const attrs = { keepProbability: 1 - rate, alpha: LEAKY_SLOPE };
  const fused = tf.customGrad((...args) => {
    const [input, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const noise = tf.randomUniform([n, 1, 1, c], 0, 1, "float32", seed);
    save([input, noise]);
    return {
      value: tf.engine().runKernel(LEAKY_RELU_DROPOUT_KERNEL, { x: input, noise }, attrs) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, [savedX, savedNoise]: tf.Tensor[]) =>
        tf.engine().runKernel(LEAKY_RELU_DROPOUT_GRAD_KERNEL, { dy, x: savedX!, noise: savedNoise! }, attrs) as tf.Tensor,
    };
  }) as (input: tf.Tensor4D) => tf.Tensor4D;
  return fused(x);
}
