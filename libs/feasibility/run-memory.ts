import type { TrainingConfig } from "../sgan/index.ts";

const FLOAT_BYTES = 4;
const MB = 2 ** 20;

/** The fields of a run that decide its memory. */
export type RunShape = Pick<TrainingConfig, "batchSize" | "latentDim" | "imgSize" | "labeled" | "spectralNorm" | "architecture" | "classHead">;

/** The fields that decide the networks' sizes. */
export type ModelShape = Pick<RunShape, "latentDim" | "imgSize" | "architecture" | "classHead">;

/** Trained parameters and per-image layer-output values of the generator and discriminator (libs/sgan). */
export interface ModelSize {
  parameters: number;
  /** Values of every layer output for one generated image. */
  generatorActivations: number;
  /** Values of every layer output for one image through the discriminator. */
  discriminatorActivations: number;
}

const convParams = (inputs: number, outputs: number) => 9 * inputs * outputs + outputs;
const denseParams = (inputs: number, outputs: number) => inputs * outputs + outputs;
const batchNormParams = (channels: number) => 2 * channels;
const DISCRIMINATOR_CHANNELS = [16, 32, 64, 128];
/** The output layers' units per class head: the seed's 1 + 11, or the 10 real classes' logits. */
const HEAD_UNITS = { seed: [1, 11], fixedFakeLogit: [10] } as const;
const IMPROVED_GAN_GENERATOR = [500, 500];
const IMPROVED_GAN_DISCRIMINATOR = [1000, 500, 250, 250, 250];

/**
 * Mirrors libs/sgan's layers (test/feasibility checks the parameter count against a built
 * SganModel): a layer's output counts once per image, batch-norm and activation outputs included,
 * since the gradient tape keeps them all until the backward pass.
 */
export function modelSize(shape: ModelShape): ModelSize {
  return shape.architecture === "improved-gan" ? improvedGanSize(shape) : seedSize(shape);
}

function seedSize({ latentDim, imgSize, classHead }: ModelShape): ModelSize {
  const init = imgSize / 4;
  const half = imgSize / 2;
  const generatorParams =
    latentDim * 128 * init ** 2 + 128 * init ** 2 +
    batchNormParams(128) + convParams(128, 128) + batchNormParams(128) + convParams(128, 64) + batchNormParams(64) + convParams(64, 1);
  // linear, bn0, upsample, conv1, bn1, lrelu, upsample, conv2, bn2, lrelu, conv3, tanh
  const generatorActivations =
    latentDim + 2 * 128 * init ** 2 + 128 * half ** 2 * 4 + 128 * imgSize ** 2 + 64 * imgSize ** 2 * 3 + 2 * imgSize ** 2;

  let side = imgSize;
  let inputs = 1;
  let discriminatorParams = 0;
  let discriminatorActivations = imgSize ** 2;
  DISCRIMINATOR_CHANNELS.forEach((channels, index) => {
    side = Math.floor((side - 1) / 2) + 1;
    discriminatorParams += convParams(inputs, channels) + (index > 0 ? batchNormParams(channels) : 0);
    // conv, lrelu, dropout, and batch norm after the first block
    discriminatorActivations += channels * side ** 2 * (index > 0 ? 4 : 3);
    inputs = channels;
  });
  const features = 128 * side ** 2;
  for (const units of HEAD_UNITS[classHead]) discriminatorParams += denseParams(features, units);
  discriminatorActivations += 12;
  return { parameters: generatorParams + discriminatorParams, generatorActivations, discriminatorActivations };
}

function improvedGanSize({ latentDim, imgSize, classHead }: ModelShape): ModelSize {
  const pixels = imgSize ** 2;
  let parameters = 0;
  let generatorActivations = latentDim;
  let inputs = latentDim;
  for (const units of IMPROVED_GAN_GENERATOR) {
    // dense without bias and a shift-only batch norm; matmul, batch norm, softplus
    parameters += inputs * units + units;
    generatorActivations += 3 * units;
    inputs = units;
  }
  // weight-normalised output with a trained scale; matmul, scale, bias, halving, tanh
  parameters += denseParams(inputs, pixels) + pixels;
  generatorActivations += 5 * pixels;

  // rescaling (multiply, add) and the input noise
  let discriminatorActivations = 3 * pixels;
  inputs = pixels;
  for (const units of IMPROVED_GAN_DISCRIMINATOR) {
    // weight-normalised, its scale untrained (state); matmul, scale, bias, ReLU, noise
    parameters += denseParams(inputs, units);
    discriminatorActivations += 5 * units;
    inputs = units;
  }
  for (const units of HEAD_UNITS[classHead]) {
    parameters += denseParams(inputs, units) + units;
    discriminatorActivations += 3 * units;
  }
  discriminatorActivations += 12;
  return { parameters, generatorActivations, discriminatorActivations };
}

export interface MemoryEstimate {
  /** Weights, their gradients, Adam's two moments and the update's new values. */
  parameterBytes: number;
  /** One training step's feature maps, scaled by the measured factor. */
  activationBytes: number;
  /** What every run costs whatever its shape (step scratch, evaluation chunks), measured. */
  overheadBytes: number;
  totalBytes: number;
}

// Calibrated on the wasm backend (docs/sweeps.md, "Run memory", and docs/performance.md for
// improved-gan; test/bench/run-memory.bench.ts): the seed's heap grew by 2.1-2.35x the step's
// feature maps (gradients, batch-norm intermediates and allocator slack come on top of the kept
// outputs), improved-gan's by about 1.1x (dense layers, no convolution scratch), and either by ~7
// float copies per parameter.
const ACTIVATION_FACTOR = { seed: 2.4, "improved-gan": 1.2 } as const;
const PARAMETER_COPIES = 7;
/** Evaluation chunks (500 images through the discriminator) and per-step scratch. */
const RUN_OVERHEAD_BYTES = 32 * MB;

/**
 * A run's memory from its shape alone: parameters x 7 copies, plus the step's feature maps (the
 * generator and the discriminator on fake and real images, and on the labeled batch, of at most
 * `labeled` images, when labels are limited), plus a fixed overhead. Rises with batchSize,
 * latentDim and imgSize.
 */
export function estimateRunMemory(shape: RunShape): MemoryEstimate {
  const size = modelSize(shape);
  const spectralState = shape.spectralNorm ? size.parameters : 0;
  const parameterBytes = (PARAMETER_COPIES * size.parameters + spectralState) * FLOAT_BYTES;
  const labeledBatch = shape.labeled === "all" ? 0 : Math.min(shape.batchSize, shape.labeled);
  const values =
    shape.batchSize * (size.generatorActivations + 2 * size.discriminatorActivations) + labeledBatch * size.discriminatorActivations;
  const activationBytes = ACTIVATION_FACTOR[shape.architecture] * values * FLOAT_BYTES;
  const overheadBytes = RUN_OVERHEAD_BYTES;
  return { parameterBytes, activationBytes, overheadBytes, totalBytes: parameterBytes + activationBytes + overheadBytes };
}
