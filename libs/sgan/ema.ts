import * as tf from "@tensorflow/tfjs";

/**
 * An exponential moving average of one network's weights, ema = decay ema + (1 - decay) w after each
 * of its optimiser steps, starting from the initial weights. Evaluation swaps it into the network's
 * own variables, so every architecture's forward pass uses it unchanged.
 */
export class WeightAverage {
  private readonly averages = new Map<string, tf.Variable>();

  constructor(
    private readonly weights: ReadonlyMap<string, tf.Variable>,
    private readonly decay: number,
  ) {
    for (const [key, variable] of weights) this.averages.set(key, tf.tidy(() => tf.variable(variable.clone(), false)));
  }

  /** Folds the weights as they are now into the average. */
  update(): void {
    tf.tidy(() => {
      for (const [key, average] of this.averages) {
        average.assign(tf.add(tf.mul(average, this.decay), tf.mul(this.weights.get(key)!, 1 - this.decay)));
      }
    });
  }

  /** Runs `pass` with the averaged values in the network's variables, then puts the trained values back. */
  async applied<T>(pass: () => Promise<T>): Promise<T> {
    const trained = new Map([...this.weights].map(([key, variable]) => [key, variable.clone()]));
    for (const [key, variable] of this.weights) variable.assign(this.averages.get(key)!);
    try {
      return await pass();
    } finally {
      for (const [key, variable] of this.weights) variable.assign(trained.get(key)!);
      tf.dispose([...trained.values()]);
    }
  }

  /** The averages keyed like the weights, for checkpoints. */
  values(): ReadonlyMap<string, tf.Variable> {
    return this.averages;
  }

  load(values: (key: string) => Float32Array): void {
    tf.tidy(() => {
      for (const [key, average] of this.averages) average.assign(tf.tensor(values(key), average.shape));
    });
  }

  dispose(): void {
    tf.dispose([...this.averages.values()]);
  }
}
