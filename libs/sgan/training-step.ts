import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../data/index.ts";
import type { Rng } from "../random/index.ts";
import { Adam } from "./adam.ts";
import type { TrainingConfig } from "./config.ts";
import { FAKE_CLASS, type DiscriminatorOutput } from "./discriminator.ts";
import { WeightAverage } from "./ema.ts";
import { classAccuracy, featureMatchingLoss, type Losses } from "./losses.ts";
import { scheduledLearningRate } from "./lr-schedule.ts";
import type { PassMode, SganModel } from "./model.ts";

/** One network as the loop trains it: its weights, its optimiser, and with evalEma the average of its weights. */
export interface TrainedNetwork {
  readonly weights: Map<string, tf.Variable>;
  readonly optimizer: Adam;
  readonly average: WeightAverage | null;
}

export function trainedNetwork(weights: Map<string, tf.Variable>, b1: number, config: TrainingConfig): TrainedNetwork {
  return {
    weights,
    optimizer: new Adam(weights, { b1, b2: config.b2 }),
    average: config.evalEma > 0 ? new WeightAverage(weights, config.evalEma) : null,
  };
}

export function disposeNetwork(network: TrainedNetwork): void {
  network.optimizer.dispose();
  network.average?.dispose();
}

/** What one batch's step does besides the seed's: which networks step, at which rates, with how much instance noise. */
export interface StepPlan {
  /** False on the batches where only the discriminator trains (dStepsPerG > 1). */
  trainGenerator: boolean;
  generatorLr: number;
  discriminatorLr: number;
  /** Standard deviation of the noise added to every image the discriminator sees; 0 adds none. */
  noiseStd: number;
}

/** The plan of batch `batchIndex` (0-based) of epoch `epoch` (1-based): a pure function of the run's position. */
export function planStep(config: TrainingConfig, batchesPerEpoch: number, epoch: number, batchIndex: number): StepPlan {
  // Batches trained before this one: the discriminator's optimiser step count, as checkpointed.
  const step = (epoch - 1) * batchesPerEpoch + batchIndex;
  const rate = (peak: number) => scheduledLearningRate(peak, step, batchesPerEpoch, config);
  return {
    trainGenerator: batchIndex % config.dStepsPerG === 0,
    generatorLr: rate(config.lrG ?? config.lr),
    discriminatorLr: rate(config.lrD ?? config.lr),
    noiseStd: config.instanceNoise * Math.max(0, 1 - step / (config.epochs * batchesPerEpoch)),
  };
}

/**
 * What the discriminator sees of a batch of images: the images plus fresh N(0, std^2) noise per pixel,
 * seeded from the batch's rng; the images themselves, with no draw from the rng, when std is 0.
 */
export function withInstanceNoise(images: tf.Tensor4D, std: number, rng: Rng): tf.Tensor4D {
  return std > 0 ? tf.add(images, tf.randomNormal(images.shape, 0, std, "float32", rng.seed())) : images;
}

/** The discriminator's passes of one step: on the unlabeled batch, on the labeled one (the same pass when all are labeled), on the generated one. */
export interface DiscriminatorPasses {
  real: DiscriminatorHeads;
  labeled: DiscriminatorHeads;
  fake: DiscriminatorHeads;
}

type DiscriminatorHeads = Pick<DiscriminatorOutput, "advLogit" | "auxLogits">;

/**
 * The discriminator's loss. The seed's head: the seed's mean of four criteria, ((adv(real, 1) +
 * aux(labeled)) / 2 + (adv(fake, 0) + aux(fake, "generated")) / 2) / 2. The fixed fake logit: Salimans
 * et al.'s (openai/improved-gan train_mnist_feature_matching.py, loss_lab + loss_unl), the 10-way
 * cross-entropy on the labeled batch plus (adv(real, 1) + adv(fake, 0)) / 2 with adv's logit log Z;
 * the seed's form would count the generated batch twice there, aux(fake, "generated") being adv(fake, 0).
 * One-sided smoothing moves only the real images' target, to 1 - labelSmoothing.
 */
export function discriminatorCriterion(
  losses: Losses,
  config: Pick<TrainingConfig, "classHead" | "labelSmoothing">,
  passes: DiscriminatorPasses,
  classLabels: tf.Tensor1D,
  fakeLabels: tf.Tensor1D,
): tf.Scalar {
  const realAdversarial = losses.adversarial(passes.real.advLogit, 1 - config.labelSmoothing);
  if (config.classHead === "fixedFakeLogit") {
    // Every class logit but the fixed fake one, the last.
    const classLogits = tf.slice(passes.labeled.auxLogits, [0, 0], [-1, passes.labeled.auxLogits.shape[1] - 1]) as tf.Tensor2D;
    const unlabeled = tf.div(tf.add(realAdversarial, losses.adversarial(passes.fake.advLogit, 0)), 2);
    return tf.add(losses.auxiliary(classLogits, classLabels), unlabeled) as tf.Scalar;
  }
  const realLoss = tf.div(tf.add(realAdversarial, losses.auxiliary(passes.labeled.auxLogits, classLabels)), 2);
  const fakeLoss = tf.div(tf.add(losses.adversarial(passes.fake.advLogit, 0), losses.auxiliary(passes.fake.auxLogits, fakeLabels)), 2);
  return tf.div(tf.add(realLoss, fakeLoss), 2) as tf.Scalar;
}

/**
 * One iteration of the seed's loop: the G step, then the D step on the same generated batch (the
 * seed's gen_imgs.detach()); on the batches where the generator rests, the D step on a fresh batch.
 */
export class SganStep {
  constructor(
    private readonly model: SganModel,
    private readonly losses: Losses,
    private readonly config: TrainingConfig,
    private readonly generator: TrainedNetwork,
    private readonly discriminator: TrainedNetwork,
  ) {}

  /** Returns [g_loss, d_loss, d_acc] still on the device. */
  run(batch: Batch, labeled: Batch | null, rng: Rng, plan: StepPlan): tf.Tensor1D {
    const retired: tf.Tensor[] = [];
    const mode: PassMode = { training: true, retired, rng };
    const { imgSize, latentDim } = this.config;
    const n = batch.labels.length;
    const real = tf.tensor4d(batch.images, [n, imgSize, imgSize, 1]);
    const labels = tf.tensor1d(batch.labels, "int32");
    const z = tf.tensor2d(this.model.sampleLatent(n, rng), [n, latentDim]);
    const fakeLabels = tf.fill([n], FAKE_CLASS, "int32") as tf.Tensor1D;
    const classImages = labeled ? tf.tensor4d(labeled.images, [labeled.labels.length, imgSize, imgSize, 1]) : real;
    const classLabels = labeled ? tf.tensor1d(labeled.labels, "int32") : labels;
    const discriminate = (images: tf.Tensor4D) => this.model.discriminate(withInstanceNoise(images, plan.noiseStd, rng), mode);

    let generated: tf.Tensor4D | undefined;
    let generatorLoss: tf.Scalar | undefined;
    if (plan.trainGenerator) {
      this.model.updateSpectralNorm(retired);
      const generatorStep = tf.variableGrads(() => {
        generated = tf.keep(this.model.generate(z, mode));
        const fakeOut = discriminate(generated);
        return this.generatorCriterion(fakeOut, () => discriminate(real));
      }, [...this.generator.weights.values()]);
      this.stepNetwork(this.generator, generatorStep.grads, plan.generatorLr);
      generatorLoss = generatorStep.value;
    } else {
      generated = tf.tidy(() => this.model.generate(z, mode));
    }

    let accuracy: tf.Scalar | undefined;
    this.model.updateSpectralNorm(retired);
    const discriminatorStep = tf.variableGrads(() => {
      const realOut = discriminate(real);
      const classOut = labeled ? discriminate(classImages) : realOut;
      const fakeOut = discriminate(generated!);
      accuracy = tf.keep(
        classAccuracy(tf.concat([classOut.auxLogits, fakeOut.auxLogits]), tf.concat([classLabels, fakeLabels])),
      );
      // A resting generator's loss is reported as the discriminator sees this batch, before its update.
      generatorLoss ??= tf.keep(this.generatorCriterion(fakeOut, () => realOut));
      return discriminatorCriterion(this.losses, this.config, { real: realOut, labeled: classOut, fake: fakeOut }, classLabels, fakeLabels);
    }, [...this.discriminator.weights.values()]);
    this.stepNetwork(this.discriminator, discriminatorStep.grads, plan.discriminatorLr);

    const result = tf.stack([generatorLoss!, discriminatorStep.value, accuracy!]) as tf.Tensor1D;
    tf.dispose([real, labels, z, fakeLabels, classImages, classLabels, generated!, accuracy!, generatorLoss!, discriminatorStep.value, ...retired]);
    return result;
  }

  /** The generator's loss: the seed's (fool the real/fake head) or feature matching against a real batch. */
  private generatorCriterion(fakeOut: DiscriminatorOutput, realOut: () => DiscriminatorOutput): tf.Scalar {
    if (this.config.generatorLoss === "featureMatching") return featureMatchingLoss(realOut().features, fakeOut.features);
    return this.losses.adversarial(fakeOut.advLogit, 1);
  }

  private stepNetwork(network: TrainedNetwork, gradients: tf.NamedTensorMap, lr: number): void {
    network.optimizer.apply(gradients, lr);
    network.average?.update();
  }
}
