import * as tf from "@tensorflow/tfjs";
import { EpochBatches, gatherBatch, labeledMask, type Batch, type DataSplit, type ImageSet } from "../data/index.ts";
import { createRng, deriveSeed, permutation } from "../random/index.ts";
import { decodeCheckpoint, encodeCheckpoint, type EpochProgress } from "./checkpoint.ts";
import { confusionCounts } from "./confusion.ts";
import type { TrainingConfig } from "./config.ts";
import { NUM_CLASSES } from "./discriminator.ts";
import type { WeightAverage } from "./ema.ts";
import { lossesFor } from "./losses.ts";
import { SganModel } from "./model.ts";
import { encodeSampleGrid } from "./sample-grid.ts";
import { summarize, type Summary } from "./summary.ts";
import { loadStateTensors, stateTensors, type Networks } from "./trainer-state.ts";
import { disposeNetwork, planStep, SganStep, trainedNetwork } from "./training-step.ts";

/** Per-batch losses are read back from the device every this many batches, not after each one. */
const READBACK_INTERVAL = 10;
const SAMPLE_GRID_SIZE = 25;
const EVAL_CHUNK = 500;
/** Real images a new run's data-dependent initialisation sees (the reference's init_param(trainx[:500])). */
const DATA_INIT_IMAGES = 500;

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
  /** The held-out images by true class (row) and the class head's prediction (column): testAccuracy is its diagonal's share. */
  confusion: number[][];
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
  /** Held-out images by true class (row) and predicted class (column); accuracy is its diagonal over the images. */
  confusion: number[][];
}

/** Trains the SGAN one epoch at a time (libs/sgan/training-step.ts: one batch), with the seed's losses and d_acc. */
export class SganTrainer {
  private readonly model: SganModel;
  private readonly networks: Networks;
  private readonly trainingStep: SganStep;
  private readonly batches: EpochBatches;
  private readonly labeledIndices: Int32Array | null;
  private readonly sampleNoise: Float32Array;
  private completedEpochs = 0;
  /** The epoch in progress, when one was stopped between batches. */
  private partial: EpochProgress | null = null;

  /** `fresh`: a new run, whose weights an architecture may initialise from the data; else a checkpoint's weights follow. */
  private constructor(
    readonly config: TrainingConfig,
    private readonly data: DataSplit,
    fresh: boolean,
  ) {
    if (data.train.imgSize !== config.imgSize) {
      throw new Error(`data has ${data.train.imgSize}px images but the config asks for imgSize ${config.imgSize}`);
    }
    this.model = new SganModel(config);
    // Before the optimisers and the averages take the weights as their start.
    if (fresh) this.initializeFromData();
    this.networks = {
      generator: trainedNetwork(this.model.generatorWeights(), config.b1G ?? config.b1, config),
      discriminator: trainedNetwork(this.model.discriminatorWeights(), config.b1D ?? config.b1, config),
    };
    const { generator, discriminator } = this.networks;
    this.trainingStep = new SganStep(this.model, lossesFor(config.variant), config, generator, discriminator);
    this.batches = new EpochBatches(data.train, config.batchSize, config.seed);
    this.labeledIndices = labeledSubset(data.train, config);
    this.sampleNoise = this.model.sampleLatent(SAMPLE_GRID_SIZE, createRng(deriveSeed(config.seed, "sample-noise")));
  }

  static create(config: TrainingConfig, data: DataSplit): SganTrainer {
    return new SganTrainer(config, data, true);
  }

  /**
   * A trainer that continues a checkpointed run with its next epoch, under `config` when given (the
   * run's config now: more epochs, or PBT's perturbed values; runTraining checks what may differ),
   * else the checkpoint's.
   */
  static restore(checkpoint: Buffer, data: DataSplit, config?: TrainingConfig): SganTrainer {
    const contents = decodeCheckpoint(checkpoint);
    const trainer = new SganTrainer(config ?? contents.config, data, false);
    loadStateTensors(contents.tensors, trainer.model, trainer.networks, contents.optimizerSteps);
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
      pending.push(this.trainingStep.run(batch, labeled, rng, planStep(this.config, batches, epoch, batchIndex)));
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
      confusion: evaluation.confusion,
      samplesPerSec: progress.samples / progress.trainSeconds,
      wallSeconds: progress.wallSeconds + (performance.now() - evaluationStarted) / 1000,
    };
  }

  /**
   * Class-head accuracy and loss on the held-out split, in evaluation mode (running BN statistics, no
   * dropout), with the discriminator's averaged weights under evalEma.
   */
  async evaluate(set: ImageSet = this.data.test): Promise<Evaluation> {
    return withAverage(this.networks.discriminator.average, () => this.evaluateWeights(set));
  }

  private async evaluateWeights(set: ImageSet): Promise<Evaluation> {
    const side = set.imgSize;
    const cells = NUM_CLASSES * NUM_CLASSES;
    const counts = new Array<number>(cells).fill(0);
    let lossSum = 0;
    for (let start = 0; start < set.count; start += EVAL_CHUNK) {
      const count = Math.min(EVAL_CHUNK, set.count - start);
      // The chunk's confusion counts and loss sum in one tensor, so each chunk is read back once.
      const totals = tf.tidy(() => {
        const images = tf.tensor4d(set.images.subarray(start * side * side, (start + count) * side * side), [count, side, side, 1]);
        const labels = tf.tensor1d(set.labels.subarray(start, start + count), "int32");
        const { auxLogits } = this.model.discriminate(images, { training: false, retired: [] });
        const realClasses = tf.slice(auxLogits, [0, 0], [count, NUM_CLASSES]);
        const confusion = confusionCounts(labels, tf.argMax(realClasses, 1), NUM_CLASSES);
        const loss = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, NUM_CLASSES), tf.logSoftmax(realClasses))));
        return tf.concat([tf.reshape(confusion, [cells]), tf.reshape(loss, [1])]);
      });
      const values = await totals.data();
      totals.dispose();
      for (let cell = 0; cell < cells; cell++) counts[cell] += values[cell];
      lossSum += values[cells];
    }
    const confusion = Array.from({ length: NUM_CLASSES }, (_, trueClass) => counts.slice(trueClass * NUM_CLASSES, (trueClass + 1) * NUM_CLASSES));
    const correct = confusion.reduce((sum, row, trueClass) => sum + row[trueClass], 0);
    return { accuracy: correct / set.count, classLoss: lossSum / set.count, confusion };
  }

  /** A 5x5 grid from fixed noise, generator in evaluation mode (averaged weights under evalEma), so grids of different epochs compare. */
  async sampleGrid(): Promise<Buffer> {
    const generate = async () =>
      tf.tidy(() => {
        const z = tf.tensor2d(this.sampleNoise, [SAMPLE_GRID_SIZE, this.config.latentDim]);
        return this.model.generate(z, { training: false, retired: [] });
      });
    const images = await withAverage(this.networks.generator.average, generate);
    const pixels = (await images.data()) as Float32Array;
    images.dispose();
    return encodeSampleGrid(pixels, SAMPLE_GRID_SIZE, this.config.imgSize);
  }

  async checkpoint(): Promise<Buffer> {
    const { generator, discriminator } = this.networks;
    return encodeCheckpoint({
      config: this.config,
      epochsDone: this.completedEpochs,
      partialEpoch: this.partial,
      optimizerSteps: { generator: generator.optimizer.steps, discriminator: discriminator.optimizer.steps },
      tensors: await stateTensors(this.model, this.networks),
    });
  }

  dispose(): void {
    this.model.dispose();
    disposeNetwork(this.networks.generator);
    disposeNetwork(this.networks.discriminator);
  }

  /** The architecture's data-dependent initialisation on a seeded choice of real training images. */
  private initializeFromData(): void {
    const { train } = this.data;
    const count = Math.min(DATA_INIT_IMAGES, train.count);
    const picked = permutation(train.count, createRng(deriveSeed(this.config.seed, "data-init"))).slice(0, count);
    const images = tf.tensor4d(gatherBatch(train, picked).images, [count, train.imgSize, train.imgSize, 1]);
    this.model.initializeFromData(images, createRng(deriveSeed(this.config.seed, "data-init-noise")));
    images.dispose();
  }

  private labeledBatch(order: Int32Array, batchIndex: number): Batch {
    const indices = this.labeledIndices!;
    const size = Math.min(this.config.batchSize, indices.length);
    const picked = new Int32Array(size);
    for (let i = 0; i < size; i++) picked[i] = indices[order[(batchIndex * size + i) % indices.length]];
    return gatherBatch(this.data.train, picked);
  }
}

/** Runs `pass` with the averaged weights when there are any, else with the trained ones. */
function withAverage<T>(average: WeightAverage | null, pass: () => Promise<T>): Promise<T> {
  return average ? average.applied(pass) : pass();
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
