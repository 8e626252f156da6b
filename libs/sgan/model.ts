import * as tf from "@tensorflow/tfjs";
import { createRng, deriveSeed, type Rng } from "../random/index.ts";
import type { TrainingConfig } from "./config.ts";
import { addDiscriminatorParams, discriminatorForward, type DiscriminatorOutput } from "./discriminator.ts";
import { addGeneratorParams, generatorForward } from "./generator.ts";
import type { ForwardContext } from "./layers.ts";
import { blockEpsFor } from "./losses.ts";
import { normalValues, ParamStore } from "./params.ts";
import { addSpectralNormState, powerIterate, spectrallyNormalized } from "./spectral-norm.ts";

/** Mode of one forward pass: training (batch statistics, dropout) or evaluation (running statistics). */
export interface PassMode {
  training: boolean;
  retired: tf.Tensor[];
  rng?: Rng;
}

/** The seed's generator and discriminator with their weights and state, as one unit. */
export class SganModel {
  readonly store = new ParamStore();
  private readonly blockEps: number;
  private readonly spectralKeys: string[];

  constructor(readonly config: TrainingConfig) {
    const rng = createRng(deriveSeed(config.seed, "init"));
    addGeneratorParams(this.store, config.latentDim, config.imgSize, rng);
    addDiscriminatorParams(this.store, config.imgSize, rng);
    this.blockEps = blockEpsFor(config.variant);
    this.spectralKeys = config.spectralNorm
      ? [...this.store.weights.keys()].filter((key) => key.startsWith("d.") && key.endsWith(".w"))
      : [];
    addSpectralNormState(this.store, this.spectralKeys, rng);
    // Gives v its first estimate, so sigma is defined before the first training step.
    const retired: tf.Tensor[] = [];
    powerIterate(this.store, this.spectralKeys, retired);
    tf.dispose(retired);
  }

  generatorWeights(): Map<string, tf.Variable> {
    return this.weightsOf("g.");
  }

  discriminatorWeights(): Map<string, tf.Variable> {
    return this.weightsOf("d.");
  }

  /** The generator's input noise for `count` images: N(0, 1), as the seed draws it. */
  sampleLatent(count: number, rng: Rng): Float32Array {
    return normalValues(count * this.config.latentDim, 0, 1, rng);
  }

  generate(z: tf.Tensor2D, mode: PassMode): tf.Tensor4D {
    return generatorForward(this.context(mode), z, this.config.imgSize, this.blockEps);
  }

  discriminate(images: tf.Tensor4D, mode: PassMode): DiscriminatorOutput {
    return discriminatorForward(this.context(mode), images, this.blockEps);
  }

  /** Advances the spectral-norm estimates once; a no-op without spectral normalisation. */
  updateSpectralNorm(retired: tf.Tensor[]): void {
    powerIterate(this.store, this.spectralKeys, retired);
  }

  dispose(): void {
    this.store.dispose();
  }

  private weightsOf(prefix: string): Map<string, tf.Variable> {
    return new Map([...this.store.weights].filter(([key]) => key.startsWith(prefix)));
  }

  private context(mode: PassMode): ForwardContext {
    const normalized = new Set(this.spectralKeys);
    return {
      store: this.store,
      ...mode,
      weight: (key) => (normalized.has(key) ? spectrallyNormalized(this.store, key) : this.store.weight(key)),
    };
  }
}
