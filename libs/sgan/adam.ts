import * as tf from "@tensorflow/tfjs";
import { ADAM_PACKED_PARAM_KERNEL, FUSED_KERNELS, updatePackedMoments, type PackedGradient } from "../backends/index.ts";

/** The betas; the learning rate comes with each step (the schedule's). */
export interface AdamOptions {
  b1: number;
  b2: number;
  /** torch.optim.Adam's default; tfjs's own Adam uses 1e-7. */
  eps?: number;
}

/** The step count and both moments per parameter key, as a checkpoint stores them. */
export interface AdamState {
  step: number;
  firstMoments: Map<string, Float32Array>;
  secondMoments: Map<string, Float32Array>;
}

/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad). Written here rather than using
 * tf.train.adam so its whole state is explicit and keyed by stable parameter names for checkpoints.
 */
export class Adam {
  private step = 0;
  private readonly moments: Moments;
  private readonly eps: number;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly options: AdamOptions,
  ) {
    this.eps = options.eps ?? 1e-8;
    // Packed where the backend's kernel takes them so (webgpu: one output per dispatch), else apart.
    this.moments = tf.getKernel(ADAM_PACKED_PARAM_KERNEL, tf.getBackend()) !== undefined ? new PackedMoments(params) : new SeparateMoments(params);
  }

  /** Applies gradients keyed by variable name (what tf.variableGrads returns) at learning rate `lr`, and disposes them. */
  apply(gradients: tf.NamedTensorMap, lr: number): void {
    this.step += 1;
    const { b1, b2 } = this.options;
    const stepSize = lr / (1 - b1 ** this.step);
    const secondCorrection = Math.sqrt(1 - b2 ** this.step);
    const hyper = [b1, 1 - b1, b2, 1 - b2, stepSize, secondCorrection, this.eps];
    const steps = [...this.params].map(([key, param]) => {
      const gradient = gradients[param.name];
      if (!gradient) throw new Error(`no gradient for ${key}`);
      return { key, param, gradient };
    });
    tf.tidy(() => {
      const updated = this.moments.step(steps, hyper);
      steps.forEach(({ param }, i) => param.assign(updated[i]!));
    });
    tf.dispose(Object.values(gradients));
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.step;
  }

  async state(): Promise<AdamState> {
    return { step: this.step, ...(await this.moments.read()) };
  }

  load(state: AdamState): void {
    this.step = state.step;
    this.moments.load(state.firstMoments, state.secondMoments);
  }

  dispose(): void {
    this.moments.dispose();
  }
}

/** One parameter's part of a step. */
interface ParamStep {
  key: string;
  param: tf.Variable;
  gradient: tf.Tensor;
}

/** Where the moments of every parameter live, and the step that updates them with it. */
interface Moments {
  /** Updates the moments of every parameter, returning each parameter after the step, in order (inside the caller's tidy). */
  step(steps: readonly ParamStep[], hyper: number[]): tf.Tensor[];
  read(): Promise<Pick<AdamState, "firstMoments" | "secondMoments">>;
  load(first: Map<string, Float32Array>, second: Map<string, Float32Array>): void;
  dispose(): void;
}

/** A variable per moment and parameter: FUSED_KERNELS.adamUpdate's layout (wasm), or the formula's. */
class SeparateMoments implements Moments {
  private readonly first = new Map<string, tf.Variable>();
  private readonly second = new Map<string, tf.Variable>();
  private readonly fused = tf.getKernel(FUSED_KERNELS.adamUpdate, tf.getBackend()) !== undefined;

  constructor(params: ReadonlyMap<string, tf.Variable>) {
    for (const [key, variable] of params) {
      this.first.set(key, tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
      this.second.set(key, tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    }
  }

  step(steps: readonly ParamStep[], hyper: number[]): tf.Tensor[] {
    return steps.map(({ key, param, gradient }) => {
      const m = this.first.get(key)!;
      const v = this.second.get(key)!;
      const [updated, firstMoment, secondMoment] = this.fused
        ? (tf.engine().runKernel(FUSED_KERNELS.adamUpdate, { param, gradient, m, v }, { hyper }) as [tf.Tensor, tf.Tensor, tf.Tensor])
        : adamStepFormula(param, gradient, m, v, hyper);
      m.assign(firstMoment);
      v.assign(secondMoment);
      return updated;
    });
  }

  async read() {
    const values = async (moments: Map<string, tf.Variable>) =>
      new Map(await Promise.all([...moments].map(async ([key, t]) => [key, Float32Array.from(await t.data())] as const)));
    return { firstMoments: await values(this.first), secondMoments: await values(this.second) };
  }

  load(first: Map<string, Float32Array>, second: Map<string, Float32Array>): void {
    tf.tidy(() => {
      for (const [key, variable] of this.first) variable.assign(tf.tensor(requireEntry(first, key), variable.shape));
      for (const [key, variable] of this.second) variable.assign(tf.tensor(requireEntry(second, key), variable.shape));
    });
  }

  dispose(): void {
    tf.dispose([...this.first.values(), ...this.second.values()]);
  }
}

/**
 * Every parameter's moments in one variable, packed (all first moments, then all second ones, each
 * parameter at its offset): updatePackedMoments and ADAM_PACKED_PARAM_KERNEL's layout (webgpu).
 */
class PackedMoments implements Moments {
  private readonly offsets = new Map<string, { offset: number; size: number }>();
  private readonly total: number;
  private readonly packed: tf.Variable;

  constructor(params: ReadonlyMap<string, tf.Variable>) {
    let offset = 0;
    for (const [key, variable] of params) {
      this.offsets.set(key, { offset, size: variable.size });
      offset += variable.size;
    }
    this.total = offset;
    this.packed = tf.tidy(() => tf.variable(tf.zeros([2 * offset]), false));
  }

  step(steps: readonly ParamStep[], hyper: number[]): tf.Tensor[] {
    const gradients: PackedGradient[] = steps.map(({ key, gradient }) => ({ gradient, offset: this.offsets.get(key)!.offset }));
    updatePackedMoments(tf.backend() as never, this.packed, gradients, hyper);
    return steps.map(({ key, param }) =>
      tf.engine().runKernel(ADAM_PACKED_PARAM_KERNEL, { param, moments: this.packed }, { offset: this.offsets.get(key)!.offset, total: this.total, hyper }) as tf.Tensor,
    );
  }

  async read() {
    const values = (await this.packed.data()) as Float32Array;
    const firstMoments = new Map<string, Float32Array>();
    const secondMoments = new Map<string, Float32Array>();
    for (const [key, { offset, size }] of this.offsets) {
      firstMoments.set(key, values.slice(offset, offset + size));
      secondMoments.set(key, values.slice(this.total + offset, this.total + offset + size));
    }
    return { firstMoments, secondMoments };
  }

  load(first: Map<string, Float32Array>, second: Map<string, Float32Array>): void {
    const values = new Float32Array(2 * this.total);
    for (const [key, { offset, size }] of this.offsets) {
      for (const [half, entries] of [[0, first], [this.total, second]] as const) {
        const entry = requireEntry(entries, key);
        if (entry.length !== size) throw new Error(`optimizer state for ${key} holds ${entry.length} values, not its parameter's ${size}`);
        values.set(entry, half + offset);
      }
    }
    tf.tidy(() => this.packed.assign(tf.tensor(values, [2 * this.total])));
  }

  dispose(): void {
    this.packed.dispose();
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
