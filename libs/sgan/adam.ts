import * as tf from "@tensorflow/tfjs";
import { FUSED_KERNELS } from "../backends/index.ts";

/** The betas; the learning rate comes with each step (the schedule's). */
export interface AdamOptions {
  b1: number;
  b2: number;
  /** torch.optim.Adam's default; tfjs's own Adam uses 1e-7. */
  eps?: number;
}

export interface AdamState {
  step: number;
  firstMoments: Map<string, tf.Tensor>;
  secondMoments: Map<string, tf.Tensor>;
}

/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad). Written here rather than using
 * tf.train.adam so its whole state is explicit and keyed by stable parameter names for checkpoints.
 */
export class Adam {
  private step = 0;
  private readonly firstMoments = new Map<string, tf.Variable>();
  private readonly secondMoments = new Map<string, tf.Variable>();
  private readonly eps: number;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly options: AdamOptions,
  ) {
    this.eps = options.eps ?? 1e-8;
    for (const [key, variable] of params) {
      this.firstMoments.set(key, tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
      this.secondMoments.set(key, tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    }
  }

  /** Applies gradients keyed by variable name (what tf.variableGrads returns) at learning rate `lr`, and disposes them. */
  apply(gradients: tf.NamedTensorMap, lr: number): void {
    this.step += 1;
    const { b1, b2 } = this.options;
    const stepSize = lr / (1 - b1 ** this.step);
    const secondCorrection = Math.sqrt(1 - b2 ** this.step);
    // One fused kernel per parameter where the backend has it (wasm with the native kernels, webgpu), else the formula.
    const fused = tf.getKernel(FUSED_KERNELS.adamUpdate, tf.getBackend()) !== undefined;
    const hyper = [b1, 1 - b1, b2, 1 - b2, stepSize, secondCorrection, this.eps];
    tf.tidy(() => {
      for (const [key, variable] of this.params) {
        const gradient = gradients[variable.name];
        if (!gradient) throw new Error(`no gradient for ${key}`);
        const m = this.firstMoments.get(key)!;
        const v = this.secondMoments.get(key)!;
        const [param, firstMoment, secondMoment] = fused
          ? (tf.engine().runKernel(FUSED_KERNELS.adamUpdate, { param: variable, gradient, m, v }, { hyper }) as [tf.Tensor, tf.Tensor, tf.Tensor])
          : adamStepFormula(variable, gradient, m, v, hyper);
        m.assign(firstMoment);
        v.assign(secondMoment);
        variable.assign(param);
      }
    });
    tf.dispose(Object.values(gradients));
  }

  state(): AdamState {
    return { step: this.step, firstMoments: new Map(this.firstMoments), secondMoments: new Map(this.secondMoments) };
  }

  load(state: { step: number; firstMoments: Map<string, Float32Array>; secondMoments: Map<string, Float32Array> }): void {
    this.step = state.step;
    tf.tidy(() => {
      for (const [key, variable] of this.firstMoments) variable.assign(tf.tensor(requireEntry(state.firstMoments, key), variable.shape));
      for (const [key, variable] of this.secondMoments) variable.assign(tf.tensor(requireEntry(state.secondMoments, key), variable.shape));
    });
  }

  dispose(): void {
    tf.dispose([...this.firstMoments.values(), ...this.secondMoments.values()]);
  }
}

/**
 * One Adam step of one parameter as element-wise kernels, what the fused SganAdamUpdate kernels
 * compute: hyper is [b1, 1 - b1, b2, 1 - b2, stepSize, secondCorrection, eps]; returns the parameter
 * and both moments after the step.
 */
export function adamStepFormula(param: tf.Tensor, gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor, hyper: readonly number[]): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [b1, oneMinusB1, b2, oneMinusB2, stepSize, secondCorrection, eps] = hyper as [number, number, number, number, number, number, number];
  const firstMoment = tf.add(tf.mul(m, b1), tf.mul(gradient, oneMinusB1));
  const secondMoment = tf.add(tf.mul(v, b2), tf.mul(tf.square(gradient), oneMinusB2));
  const denominator = tf.add(tf.div(tf.sqrt(secondMoment), secondCorrection), eps);
  return [tf.sub(param, tf.mul(tf.div(firstMoment, denominator), stepSize)), firstMoment, secondMoment];
}

function requireEntry(entries: Map<string, Float32Array>, key: string): Float32Array {
  const values = entries.get(key);
  if (!values) throw new Error(`optimizer state for ${key} is missing from the checkpoint`);
  return values;
}
