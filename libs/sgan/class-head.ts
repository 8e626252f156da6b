import * as tf from "@tensorflow/tfjs";
import type { TrainingConfig } from "./config.ts";
import type { DiscriminatorOutput } from "./discriminator.ts";

export const NUM_CLASSES = 10;
/** The class head has one extra output: "generated". */
export const FAKE_CLASS = NUM_CLASSES;

export type ClassHead = TrainingConfig["classHead"];
type HeadOutputs = Pick<DiscriminatorOutput, "advLogit" | "auxLogits">;

/**
 * The output layers a class head puts on the discriminator's last layer, [key, units], in the order
 * they are built: the seed's real/fake unit and 11 class logits, or the 10 real classes' logits alone.
 */
export function headLayers(classHead: ClassHead): Array<[key: string, units: number]> {
  return classHead === "seed" ? [["d.adv", 1], ["d.aux", NUM_CLASSES + 1]] : [["d.classes", NUM_CLASSES]];
}

/** The heads' logits, each output layer computed by `layer` (the architecture's own dense layer). */
export function headOutputs(classHead: ClassHead, layer: (key: string) => tf.Tensor2D): HeadOutputs {
  if (classHead === "seed") return { advLogit: layer("d.adv"), auxLogits: layer("d.aux") };
  return fixedFakeLogit(layer("d.classes"));
}

/**
 * Salimans et al. 2016: K class logits l and the fake class's logit fixed at 0, so that with
 * Z = sum exp(l), p(fake) = 1 / (Z + 1) and p(real) = Z / (Z + 1) = sigmoid(log Z). The class logits
 * are [l, 0] and the real/fake logit log Z: the seed's losses on them are the K+1-class formulation.
 */
export function fixedFakeLogit(logits: tf.Tensor2D): HeadOutputs {
  const n = logits.shape[0];
  return {
    advLogit: tf.logSumExp(logits, 1, true) as tf.Tensor2D,
    auxLogits: tf.concat([logits, tf.zeros([n, 1])], 1),
  };
}
