import * as tf from "@tensorflow/tfjs";
import { createRng, deriveSeed, type Rng } from "../random/index.ts";
import { seedArchitecture, type Architecture, type ArchitectureBuilder } from "./architecture.ts";
import type { TrainingConfig } from "./config.ts";
import type { DiscriminatorOutput } from "./discriminator.ts";
import { improvedGanArchitecture } from "./improved-gan.ts";
import type { ForwardContext } from "./layers.ts";
import { ParamStore } from "./params.ts";
import { addSpectralNormState, powerIterate, spectrallyNormalized } from "./spectral-norm.ts";

/** Mode of one forward pass: training (batch statistics, dropout) or evaluation (running statistics). */
export interface PassMode {
  training: boolean;
  retired: tf.Tensor[];
  rng?: Rng;
}

const ARCHITECTURES: Record<TrainingConfig["architecture"], ArchitectureBuilder> = {
  seed: seedArchitecture,
  "improved-gan": improvedGanArchitecture,
};

/** The generator and discriminator of the configured architecture with their weights and state, as one unit. */
export class SganModel {
  readonly store = new ParamStore();
  private readonly architecture: Architecture;
  private readonly spectralKeys: string[];

  constructor(readonly config: TrainingConfig) {
    const rng = createRng(deriveSeed(config.seed, "init"));
    this.architecture = ARCHITECTURES[config.architecture](this.store, config, rng);
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

  /** The generator's input noise for `count` images: N(0, 1) for the seed, U(0, 1) for improved-gan. */
  sampleLatent(count: number, rng: Rng): Float32Array {
    return this.architecture.sampleLatent(count, rng);
  }

  generate(z: tf.Tensor2D, mode: PassMode): tf.Tensor4D {
    return this.architecture.generate(this.context(mode), z);
  }

  discriminate(images: tf.Tensor4D, mode: PassMode): DiscriminatorOutput {
    return this.architecture.discriminate(this.context(mode), images);
  }

  /**
   * For a new run, before its first step: improved-gan's data-dependent initialisation of its
   * weight-normalised layers on a batch of real training images (the reference uses 500); nothing
   * for the seed, whose initialisation does not depend on the data.
   */
  initializeFromData(images: tf.Tensor4D, rng: Rng): void {
    const retired: tf.Tensor[] = [];
    tf.tidy(() => this.architecture.initializeFromData(this.context({ training: true, retired, rng }), images));
    tf.dispose(retired);
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
