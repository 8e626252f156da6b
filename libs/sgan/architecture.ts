import type * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random/index.ts";
import type { TrainingConfig } from "./config.ts";
import { addDiscriminatorParams, discriminatorForward, type DiscriminatorOutput } from "./discriminator.ts";
import { addGeneratorParams, generatorForward } from "./generator.ts";
import type { ForwardContext } from "./layers.ts";
import { blockEpsFor } from "./losses.ts";
import { normalValues, type ParamStore } from "./params.ts";

/** One pair of networks: how it draws the generator's noise and runs each network on its weights. */
export interface Architecture {
  /** The generator's input noise for `count` images, [count * latentDim] values. */
  sampleLatent(count: number, rng: Rng): Float32Array;
  generate(ctx: ForwardContext, z: tf.Tensor2D): tf.Tensor4D;
  discriminate(ctx: ForwardContext, images: tf.Tensor4D): DiscriminatorOutput;
  /** Sets the weights an architecture initialises from data, on a batch of real images (a training-mode pass). */
  initializeFromData(ctx: ForwardContext, images: tf.Tensor4D): void;
}

/** Adds an architecture's weights to the store, drawing its initial values from `rng`. */
export type ArchitectureBuilder = (store: ParamStore, config: TrainingConfig, rng: Rng) => Architecture;

/** The seed's networks (PyTorch-GAN sgan.py): N(0, 1) noise, initialisation independent of the data. */
export const seedArchitecture: ArchitectureBuilder = (store, config, rng) => {
  addGeneratorParams(store, config.latentDim, config.imgSize, rng);
  addDiscriminatorParams(store, config.imgSize, config.classHead, rng);
  const blockEps = blockEpsFor(config.variant);
  return {
    sampleLatent: (count, noise) => normalValues(count * config.latentDim, 0, 1, noise),
    generate: (ctx, z) => generatorForward(ctx, z, config.imgSize, blockEps),
    discriminate: (ctx, images) => discriminatorForward(ctx, images, blockEps, config.classHead),
    initializeFromData: () => {},
  };
};
