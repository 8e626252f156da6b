import * as tf from "@tensorflow/tfjs-core";

/** Deterministic N(0,1)-ish values (mulberry32 + Box-Muller), so both backends get identical inputs. */
export function randomValues(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  }
  return out;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs a kernel by name on the active backend and returns its values (tensors disposed). */
export function runKernel(
  name: string,
  inputs: Record<string, { shape: number[]; values: Float32Array }>,
  attrs: Record<string, unknown>,
): { shape: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape);
    const out = tf.engine().runKernel(name, tensors as never, attrs as never) as tf.Tensor;
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

export interface Difference {
  maxAbs: number;
  /** maxAbs relative to the largest reference magnitude. */
  maxRel: number;
}

export function compare(got: Float32Array, want: Float32Array): Difference {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!Number.isFinite(g)) return { maxAbs: Infinity, maxRel: Infinity };
    maxAbs = Math.max(maxAbs, Math.abs(g - w));
    scale = Math.max(scale, Math.abs(w));
  }
  return { maxAbs, maxRel: maxAbs / Math.max(scale, 1e-30) };
}
