import * as tf from "@tensorflow/tfjs";
import { BCE_ON_LOGITS_GRAD_KERNEL, BCE_ON_LOGITS_KERNEL, CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from "../backends/index.ts";

export type Variant = "improved" | "reference";

/** The seed's two criteria, per variant. Both return the batch mean, like PyTorch's default reduction. */
export interface Losses {
  /** nn.BCELoss(Sigmoid(logit), target) for a batch whose targets are all `target` (in [0, 1]: soft targets too). */
  adversarial(logit: tf.Tensor2D, target: number): tf.Scalar;
  /** nn.CrossEntropyLoss on the class head for integer labels 0..10. */
  auxiliary(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar;
}

/**
 * nn.BCELoss on probabilities, with PyTorch's log clamp at -100 and its backward formula
 * (p - y) / max(p (1 - p), 1e-12), so a saturated sigmoid gives a huge loss, not NaN.
 */
const bceOnProbabilities = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [p, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([p, y]);
  const logP = tf.maximum(tf.log(p), -100);
  const logNotP = tf.maximum(tf.log(tf.sub(1, p)), -100);
  const value = tf.neg(tf.mean(tf.add(tf.mul(y, logP), tf.mul(tf.sub(1, y), logNotP)))) as tf.Scalar;
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [savedP, savedY] = saved;
    const slope = tf.div(tf.sub(savedP, savedY), tf.maximum(tf.mul(savedP, tf.sub(1, savedP)), 1e-12));
    return [tf.mul(dy, tf.div(slope, savedP.size)), tf.zerosLike(savedY)];
  };
  return { value, gradFunc };
}) as (p: tf.Tensor, y: tf.Tensor) => tf.Scalar;

/** nn.CrossEntropyLoss: -mean(log_softmax(logits)[label]); one kernel each way where the backend has them (webgpu). */
export function crossEntropyOnLogits(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  if (tf.getKernel(CROSS_ENTROPY_KERNEL, tf.getBackend()) !== undefined) return fusedCrossEntropy(logits, labels);
  const oneHot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

function fusedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  // The labels are no input of the gradient's: closed over, saved with the logits.
  const loss = tf.customGrad((...args) => {
    const [input, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([input, labels]);
    return {
      value: tf.reshape(tf.engine().runKernel(CROSS_ENTROPY_KERNEL, { logits: input, labels }) as tf.Tensor, []) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [savedLogits, savedLabels]: tf.Tensor[]) =>
        tf.engine().runKernel(CROSS_ENTROPY_GRAD_KERNEL, { logits: savedLogits!, labels: savedLabels!, dy }) as tf.Tensor,
    };
  }) as (input: tf.Tensor2D) => tf.Scalar;
  return loss(logits);
}

/** The seed exactly: sigmoid + BCELoss, and CrossEntropyLoss applied to softmax outputs (a double softmax). */
export const referenceLosses: Losses = {
  adversarial: (logit, target) => bceOnProbabilities(tf.sigmoid(logit), tf.fill(logit.shape, target)),
  auxiliary: (logits, labels) => crossEntropyOnLogits(tf.softmax(logits), labels),
};

/**
 * BCE(sigmoid(x), y) from the logit: y softplus(-x) + (1 - y) softplus(x) = softplus(-x) + (1 - y) x.
 * The hard targets keep their one-term form, so the seed's targets compute exactly what they always did.
 */
export function bceOnLogits(logit: tf.Tensor2D, target: number): tf.Scalar {
  if (tf.getKernel(BCE_ON_LOGITS_KERNEL, tf.getBackend()) !== undefined) return fusedBceOnLogits(logit, target);
  if (target === 1) return tf.mean(tf.softplus(tf.neg(logit)));
  if (target === 0) return tf.mean(tf.softplus(logit));
  return tf.mean(tf.add(tf.softplus(tf.neg(logit)), tf.mul(logit, 1 - target)));
}

/** The same forms in one kernel each way (webgpu); the gradient dy * (sigmoid(x) - target) / n. */
function fusedBceOnLogits(logit: tf.Tensor2D, target: number): tf.Scalar {
  const attrs = { target };
  const loss = tf.customGrad((...args) => {
    const [input, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([input]);
    return {
      value: tf.reshape(tf.engine().runKernel(BCE_ON_LOGITS_KERNEL, { logit: input }, attrs) as tf.Tensor, []) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.engine().runKernel(BCE_ON_LOGITS_GRAD_KERNEL, { logit: saved!, dy }, attrs) as tf.Tensor,
    };
  }) as (input: tf.Tensor2D) => tf.Scalar;
  return loss(logit);
}

/** The fixed model: the same criteria computed from logits (numerically stable, no double softmax). */
export const improvedLosses: Losses = {
  adversarial: bceOnLogits,
  auxiliary: crossEntropyOnLogits,
};

export function lossesFor(variant: Variant): Losses {
  return variant === "reference" ? referenceLosses : improvedLosses;
}

/**
 * Feature matching (Salimans et al. 2016, openai/improved-gan train_mnist_feature_matching.py's
 * loss_gen): the mean over features of the squared difference between the batch means of the
 * discriminator's features on real and on generated images.
 */
export function featureMatchingLoss(realFeatures: tf.Tensor2D, generatedFeatures: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(tf.mean(realFeatures, 0), tf.mean(generatedFeatures, 0))));
}

/** The seed's d_acc: argmax of the class head over real and generated images against their labels. */
export function classAccuracy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), "float32"));
}

/** BatchNorm eps of the blocks that the seed builds as BatchNorm2d(C, 0.8). */
export function blockEpsFor(variant: Variant): number {
  return variant === "reference" ? 0.8 : 1e-5;
}
