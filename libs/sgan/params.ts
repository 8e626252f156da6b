import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random/index.ts";

let instanceCounter = 0;

/**
 * The named tensors of one model: trainable weights (tf.Variable) and non-trainable state
 * (batch-norm running statistics, spectral-norm vectors). Keys are stable ("d.block1.conv.w") so
 * checkpoints do not depend on the process; variable names get a per-instance prefix because tfjs
 * keeps one global registry of variable names.
 */
export class ParamStore {
  readonly weights = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Tensor>();
  private readonly prefix = `sgan${++instanceCounter}`;

  addWeight(key: string, shape: number[], values: Float32Array): tf.Variable {
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `${this.prefix}/${key}`));
    this.weights.set(key, variable);
    return variable;
  }

  addState(key: string, initial: tf.Tensor): void {
    this.state.set(key, tf.keep(initial));
  }

  weight(key: string): tf.Variable {
    const variable = this.weights.get(key);
    if (!variable) throw new Error(`unknown weight ${key}`);
    return variable;
  }

  stateOf(key: string): tf.Tensor {
    const tensor = this.state.get(key);
    if (!tensor) throw new Error(`unknown state ${key}`);
    return tensor;
  }

  /** Replaces a state tensor; the old one is disposed once the current step is done with it. */
  replaceState(key: string, next: tf.Tensor, retired: tf.Tensor[]): void {
    retired.push(this.stateOf(key));
    this.state.set(key, tf.keep(next));
  }

  weightsWithPrefix(prefix: string): tf.Variable[] {
    return [...this.weights].filter(([key]) => key.startsWith(prefix)).map(([, variable]) => variable);
  }

  dispose(): void {
    for (const variable of this.weights.values()) variable.dispose();
    for (const tensor of this.state.values()) tensor.dispose();
    this.weights.clear();
    this.state.clear();
  }
}

export function normalValues(count: number, mean: number, std: number, rng: Rng): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = mean + std * rng.normal();
  return values;
}

export function uniformValues(count: number, bound: number, rng: Rng): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (rng.next() * 2 - 1) * bound;
  return values;
}

/** PyTorch's default nn.Linear init (kaiming_uniform with a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
export function addLinear(store: ParamStore, key: string, inputs: number, outputs: number, rng: Rng): void {
  const bound = 1 / Math.sqrt(inputs);
  store.addWeight(`${key}.w`, [inputs, outputs], uniformValues(inputs * outputs, bound, rng));
  store.addWeight(`${key}.b`, [outputs], uniformValues(outputs, bound, rng));
}

/** The seed's weights_init_normal for Conv weights (N(0, 0.02)); the bias keeps PyTorch's default init. */
export function addConv(store: ParamStore, key: string, inputs: number, outputs: number, rng: Rng): void {
  store.addWeight(`${key}.w`, [3, 3, inputs, outputs], normalValues(9 * inputs * outputs, 0, 0.02, rng));
  store.addWeight(`${key}.b`, [outputs], uniformValues(outputs, 1 / Math.sqrt(9 * inputs), rng));
}

/** The seed's weights_init_normal for BatchNorm: gamma N(1, 0.02), beta 0; running stats 0 and 1. */
export function addBatchNorm(store: ParamStore, key: string, channels: number, rng: Rng): void {
  store.addWeight(`${key}.gamma`, [channels], normalValues(channels, 1, 0.02, rng));
  addBatchNormShift(store, key, channels);
}

/** Lasagne's GlorotUniform (gain 1): U(-a, a) with a = sqrt(6 / (fan_in + fan_out)). */
export function glorotValues(inputs: number, outputs: number, rng: Rng): Float32Array {
  return uniformValues(inputs * outputs, Math.sqrt(6 / (inputs + outputs)), rng);
}

/** A dense layer's weight without a bias (a batch norm's shift follows it), Glorot-uniform. */
export function addDenseWithoutBias(store: ParamStore, key: string, inputs: number, outputs: number, rng: Rng): void {
  store.addWeight(`${key}.w`, [inputs, outputs], glorotValues(inputs, outputs, rng));
}

/** A batch norm with a shift and no scale: beta 0, running statistics 0 and 1. */
export function addBatchNormShift(store: ParamStore, key: string, channels: number): void {
  store.addWeight(`${key}.beta`, [channels], new Float32Array(channels));
  store.addState(`${key}.runningMean`, tf.zeros([channels]));
  store.addState(`${key}.runningVar`, tf.ones([channels]));
}

/**
 * A weight-normalised dense layer: direction v [inputs, outputs] (given), bias 0 and scale g 1 per
 * output unit. An untrained scale is state, as improved-gan's train_scale=False keeps it: what its
 * data-dependent initialisation sets.
 */
export function addWeightNormDense(store: ParamStore, key: string, direction: Float32Array, inputs: number, outputs: number, trainScale: boolean): void {
  store.addWeight(`${key}.v`, [inputs, outputs], direction);
  store.addWeight(`${key}.b`, [outputs], new Float32Array(outputs));
  const ones = new Float32Array(outputs).fill(1);
  if (trainScale) store.addWeight(`${key}.g`, [outputs], ones);
  else store.addState(`${key}.g`, tf.tensor1d(ones));
}
