import * as tf from "@tensorflow/tfjs";
import { EpochBatches, gatherBatch, labeledMask, type Batch, type DataSplit, type ImageSet } from "../data/index.ts";
import { createRng, deriveSeed, permutation, type Rng } from "../random/index.ts";
import { Adam } from "./adam.ts";
import { decodeCheckpoint, encodeCheckpoint, CheckpointError, type CheckpointTensor, type EpochProgress } from "./checkpoint.ts";
import type { TrainingConfig } from "./config.ts";
import { FAKE_CLASS, NUM_CLASSES } from "./discriminator.ts";
import { classAccuracy, lossesFor, type Losses } from "./losses.ts";
import { SganModel, type PassMode } from "./model.ts";
import { encodeSampleGrid } from "./sample-grid.ts";
import { summarize, type Summary } from "./summary.ts";

/** Per-batch losses are read back from the device every this many batches, not after each one. */
const READBACK_INTERVAL = 10;
const SAMPLE_GRID_SIZE = 25;
const EVAL_CHUNK = 500;

export interface EpochMetrics {
  /** 1-based: the first epoch is epoch 1. */
  epoch: number;
  batches: number;
  dLoss: Summary;
  gLoss: Summary;
  dAcc: Summary;
  /** 10-way accuracy of the class head (argmax over the 10 real classes) on the held-out split. */
  testAccuracy: number;
  /** Mean cross-entropy of that 10-way classifier (softmax over the 10 real classes) on the held-out split. */
  testClassLoss: number;
  samplesPerSec: number;
  wallSeconds: number;
}

export type EpochOutcome =
  | { kind: "completed"; metrics: EpochMetrics }
  | { kind: "diverged"; epoch: number; batch: number; reason: string }
  | { kind: "stopped"; epoch: number; batch: number };

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
}

export interface EpochHooks {
  onProgress?: (progress: BatchProgress) => void;
  /** Checked between batches: an aborted signal stops the epoch after the current batch. */
  signal?: AbortSignal;
}

export interface Evaluation {
  accuracy: number;
  classLoss: number;
}

/**
 * Trains the seed's SGAN one epoch at a time: the G step, then the D step on the same generated
 * batch (the seed's gen_imgs.detach()), with the seed's losses and d_acc.
 */
export class SganTrainer {
  private readonly model: SganModel;
  private readonly losses: Losses;
  private readonly generatorOptimizer: Adam;
  private readonly discriminatorOptimizer: Adam;
  private readonly batches: EpochBatches;
  private readonly labeledIndices: Int32Array | null;
  private readonly sampleNoise: Float32Array;
  private completedEpochs = 0;
  /** The epoch in progress, when one was stopped between batches. */
  private partial: EpochProgress | null = null;

  private constructor(
    readonly config: TrainingConfig,
    private readonly data: DataSplit,
  ) {
    if (data.train.imgSize !== config.imgSize) {
      throw new Error(`data has ${data.train.imgSize}px images but the config asks for imgSize ${config.imgSize}`);
    }
    this.model = new SganModel(config);
    this.losses = lossesFor(config.variant);
    const adam = { lr: config.lr, b1: config.b1, b2: config.b2 };
    this.generatorOptimizer = new Adam(this.model.generatorWeights(), adam);
    this.discriminatorOptimizer = new Adam(this.model.discriminatorWeights(), adam);
    this.batches = new EpochBatches(data.train, config.batchSize, config.seed);
    this.labeledIndices = labeledSubset(data.train, config);
    this.sampleNoise = this.model.sampleLatent(SAMPLE_GRID_SIZE, createRng(deriveSeed(config.seed, "sample-noise")));
  }

  static create(config: TrainingConfig, data: DataSplit): SganTrainer {
    return new SganTrainer(config, data);
  }

  /** A trainer that continues a checkpointed run with its next epoch. */
  static restore(checkpoint: Buffer, data: DataSplit, epochs?: number): SganTrainer {
    const contents = decodeCheckpoint(checkpoint);
    const trainer = new SganTrainer({ ...contents.config, epochs: epochs ?? contents.config.epochs }, data);
    trainer.load(contents.tensors, contents.optimizerSteps);
    trainer.completedEpochs = contents.epochsDone;
    trainer.partial = contents.partialEpoch;
    return trainer;
  }

  get epochsDone(): number {
    return this.completedEpochs;
  }

  get batchesPerEpoch(): number {
    return this.batches.batchesPerEpoch;
  }

  /**
   * Trains the next epoch, or the rest of one that was stopped (also across a checkpoint): every
   * batch's randomness derives from (seed, epoch, batch), so a resumed epoch repeats a straight one.
   */
  async trainEpoch(hooks: EpochHooks = {}): Promise<EpochOutcome> {
    const progress = (this.partial ??= emptyProgress(this.completedEpochs + 1));
    const { epoch } = progress;
    const segmentStarted = performance.now();
    const labeledOrder = this.labeledIndices
      ? permutation(this.labeledIndices.length, createRng(deriveSeed(this.config.seed, "labeled-order", epoch)))
      : null;
    let pending: tf.Tensor1D[] = [];
    const flush = async (): Promise<string | null> => {
      if (pending.length === 0) return null;
      const stacked = tf.stack(pending);
      const values = await stacked.data();
      tf.dispose([stacked, ...pending]);
      pending = [];
      for (let i = 0; i < values.length; i += 3) for (let m = 0; m < 3; m++) progress.perBatch[m].push(values[i + m]);
      const nonFinite = Array.from(values).findIndex((value, i) => i % 3 < 2 && !Number.isFinite(value));
      return nonFinite === -1 ? null : `non-finite ${nonFinite % 3 === 0 ? "g_loss" : "d_loss"} (${values[nonFinite]})`;
    };
    const batches = this.batches.batchesPerEpoch;
    for (const batch of this.batches.epoch(epoch, progress.batchesDone)) {
      if (hooks.signal?.aborted) break;
      const stepStarted = performance.now();
      const batchIndex = progress.batchesDone;
      const rng = createRng(deriveSeed(this.config.seed, "train", epoch, batchIndex));
      const labeled = labeledOrder ? this.labeledBatch(labeledOrder, batchIndex) : null;
      pending.push(this.step(batch, labeled, rng));
      progress.batchesDone += 1;
      progress.samples += batch.labels.length;
      const readNow = pending.length >= READBACK_INTERVAL || progress.batchesDone === batches;
      const problem = readNow ? await flush() : null;
      progress.trainSeconds += (performance.now() - stepStarted) / 1000;
      if (problem) {
        this.partial = null;
        return { kind: "diverged", epoch, batch: progress.batchesDone, reason: problem };
      }
      hooks.onProgress?.({ epoch, batch: progress.batchesDone, batches, samplesPerSec: progress.samples / progress.trainSeconds });
      // Synchronous kernels would otherwise starve timers (queue lock renewal, heartbeats) for many batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const problem = await flush();
    progress.wallSeconds += (performance.now() - segmentStarted) / 1000;
    if (problem) {
      this.partial = null;
      return { kind: "diverged", epoch, batch: progress.batchesDone, reason: problem };
    }
    if (progress.batchesDone < batches) return { kind: "stopped", epoch, batch: progress.batchesDone };
    return { kind: "completed", metrics: await this.finishEpoch(progress) };
  }

  private async finishEpoch(progress: EpochProgress): Promise<EpochMetrics> {
    const evaluationStarted = performance.now();
    const evaluation = await this.evaluate();
    this.completedEpochs = progress.epoch;
    this.partial = null;
    return {
      epoch: progress.epoch,
      batches: progress.batchesDone,
      gLoss: summarize(progress.perBatch[0]),
      dLoss: summarize(progress.perBatch[1]),
      dAcc: summarize(progress.perBatch[2]),
      testAccuracy: evaluation.accuracy,
      testClassLoss: evaluation.classLoss,
      samplesPerSec: progress.samples / progress.trainSeconds,
      wallSeconds: progress.wallSeconds + (performance.now() - evaluationStarted) / 1000,
    };
  }

  /** Class-head accuracy and loss on the held-out split, in evaluation mode (running BN statistics, no dropout). */
  async evaluate(set: ImageSet = this.data.test): Promise<Evaluation> {
    const side = set.imgSize;
    let correct = 0;
    let lossSum = 0;
    for (let start = 0; start < set.count; start += EVAL_CHUNK) {
      const count = Math.min(EVAL_CHUNK, set.count - start);
      const totals = tf.tidy(() => {
        const images = tf.tensor4d(set.images.subarray(start * side * side, (start + count) * side * side), [count, side, side, 1]);
        const labels = tf.tensor1d(set.labels.subarray(start, start + count), "int32");
        const { auxLogits } = this.model.discriminate(images, { training: false, retired: [] });
        const realClasses = tf.slice(auxLogits, [0, 0], [count, NUM_CLASSES]);
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(realClasses, 1), labels), "float32"));
        const loss = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, NUM_CLASSES), tf.logSoftmax(realClasses))));
        return tf.stack([hits, loss]);
      });
      const [hits, loss] = await totals.data();
      totals.dispose();
      correct += hits;
      lossSum += loss;
    }
    return { accuracy: correct / set.count, classLoss: lossSum / set.count };
  }

  /** A 5x5 grid from fixed noise, generator in evaluation mode, so grids of different epochs compare. */
  async sampleGrid(): Promise<Buffer> {
    const images = tf.tidy(() => {
      const z = tf.tensor2d(this.sampleNoise, [SAMPLE_GRID_SIZE, this.config.latentDim]);
      return this.model.generate(z, { training: false, retired: [] });
    });
    const pixels = (await images.data()) as Float32Array;
    images.dispose();
    return encodeSampleGrid(pixels, SAMPLE_GRID_SIZE, this.config.imgSize);
  }

  async checkpoint(): Promise<Buffer> {
    const tensors = new Map<string, CheckpointTensor>();
    const add = async (key: string, tensor: tf.Tensor) =>
      tensors.set(key, { shape: tensor.shape, values: new Float32Array(await tensor.data()) });
    for (const [key, variable] of this.model.store.weights) await add(key, variable);
    for (const [key, tensor] of this.model.store.state) await add(key, tensor);
    const optimizers = { generator: this.generatorOptimizer, discriminator: this.discriminatorOptimizer };
    for (const [name, optimizer] of Object.entries(optimizers)) {
      const state = optimizer.state();
      for (const [key, tensor] of state.firstMoments) await add(`adam.${name}.m.${key}`, tensor);
      for (const [key, tensor] of state.secondMoments) await add(`adam.${name}.v.${key}`, tensor);
    }
    return encodeCheckpoint({
      config: this.config,
      epochsDone: this.completedEpochs,
      partialEpoch: this.partial,
      optimizerSteps: {
        generator: this.generatorOptimizer.state().step,
        discriminator: this.discriminatorOptimizer.state().step,
      },
      tensors,
    });
  }

  dispose(): void {
    this.model.dispose();
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
  }

  /** One iteration of the seed's loop; returns [g_loss, d_loss, d_acc] still on the device. */
  private step(batch: Batch, labeled: Batch | null, rng: Rng): tf.Tensor1D {
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

    let generated: tf.Tensor4D | undefined;
    this.model.updateSpectralNorm(retired);
    const generatorStep = tf.variableGrads(() => {
      generated = tf.keep(this.model.generate(z, mode));
      return this.losses.adversarial(this.model.discriminate(generated, mode).advLogit, 1);
    }, [...this.model.generatorWeights().values()]);
    this.generatorOptimizer.apply(generatorStep.grads);

    let accuracy: tf.Scalar | undefined;
    this.model.updateSpectralNorm(retired);
    const discriminatorStep = tf.variableGrads(() => {
      const realOut = this.model.discriminate(real, mode);
      const classOut = labeled ? this.model.discriminate(classImages, mode) : realOut;
      const fakeOut = this.model.discriminate(generated!, mode);
      const realLoss = tf.div(tf.add(this.losses.adversarial(realOut.advLogit, 1), this.losses.auxiliary(classOut.auxLogits, classLabels)), 2);
      const fakeLoss = tf.div(tf.add(this.losses.adversarial(fakeOut.advLogit, 0), this.losses.auxiliary(fakeOut.auxLogits, fakeLabels)), 2);
      accuracy = tf.keep(
        classAccuracy(tf.concat([classOut.auxLogits, fakeOut.auxLogits]), tf.concat([classLabels, fakeLabels])),
      );
      return tf.div(tf.add(realLoss, fakeLoss), 2) as tf.Scalar;
    }, [...this.model.discriminatorWeights().values()]);
    this.discriminatorOptimizer.apply(discriminatorStep.grads);

    const result = tf.stack([generatorStep.value, discriminatorStep.value, accuracy!]) as tf.Tensor1D;
    tf.dispose([real, labels, z, fakeLabels, classImages, classLabels, generated!, accuracy!, generatorStep.value, discriminatorStep.value, ...retired]);
    return result;
  }

  private labeledBatch(order: Int32Array, batchIndex: number): Batch {
    const indices = this.labeledIndices!;
    const size = Math.min(this.config.batchSize, indices.length);
    const picked = new Int32Array(size);
    for (let i = 0; i < size; i++) picked[i] = indices[order[(batchIndex * size + i) % indices.length]];
    return gatherBatch(this.data.train, picked);
  }

  private load(tensors: Map<string, CheckpointTensor>, steps: { generator: number; discriminator: number }): void {
    const take = (key: string): CheckpointTensor => {
      const entry = tensors.get(key);
      if (!entry) throw new CheckpointError(`checkpoint has no tensor ${key}`);
      return entry;
    };
    tf.tidy(() => {
      for (const [key, variable] of this.model.store.weights) variable.assign(tf.tensor(take(key).values, variable.shape));
    });
    const retired: tf.Tensor[] = [];
    for (const [key, tensor] of [...this.model.store.state]) {
      this.model.store.replaceState(key, tf.tensor(take(key).values, tensor.shape), retired);
    }
    tf.dispose(retired);
    const optimizerState = (name: string, step: number, weights: Map<string, tf.Variable>) => {
      const keys = [...weights.keys()];
      return {
        step,
        firstMoments: new Map(keys.map((key) => [key, take(`adam.${name}.m.${key}`).values])),
        secondMoments: new Map(keys.map((key) => [key, take(`adam.${name}.v.${key}`).values])),
      };
    };
    this.generatorOptimizer.load(optimizerState("generator", steps.generator, this.model.generatorWeights()));
    this.discriminatorOptimizer.load(optimizerState("discriminator", steps.discriminator, this.model.discriminatorWeights()));
  }
}

function emptyProgress(epoch: number): EpochProgress {
  return { epoch, batchesDone: 0, samples: 0, trainSeconds: 0, wallSeconds: 0, perBatch: [[], [], []] };
}

/** Indices of the training images whose labels the discriminator may see, or null for all of them. */
function labeledSubset(train: ImageSet, config: TrainingConfig): Int32Array | null {
  if (config.labeled === "all") return null;
  const mask = labeledMask(train.labels, config.labeled, deriveSeed(config.seed, "labeled"));
  const indices: number[] = [];
  mask.forEach((visible, index) => visible && indices.push(index));
  return Int32Array.from(indices);
}
