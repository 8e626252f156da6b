import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

/** The compiled sgan_native.cc (see build.ts). Arrays are views over the wasm heap; the addon checks their lengths. */
export interface NativeAddon {
  /** The SGEMM library found at load time: "oneDNN" or "OpenBLAS"; undefined when none was. */
  readonly blas?: string;
  readonly loadError?: string;
  conv2d(geometry: Int32Array, x: Float32Array, filter: Float32Array, y: Float32Array): void;
  conv2dBackpropFilter(geometry: Int32Array, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  conv2dBackpropInput(geometry: Int32Array, dy: Float32Array, filter: Float32Array, dx: Float32Array): void;
  /** out[b] = a[b] x b[b]; dims = [batchA, batchB, m, n, k, transposeA, transposeB], a batch of 1 broadcasts. */
  matMul(a: Float32Array, b: Float32Array, out: Float32Array, dims: Int32Array): void;
  /** Sums x over the reduced axis groups (pairs of size, reduced; the innermost kept) times `scale`. */
  sum(x: Float32Array, out: Float32Array, axisGroups: Int32Array, scale: number): void;
  /**
   * spec = [op (0 add, 1 sub, 2 mul, 3 div, 4 greater), aMode, bMode, n, inner, groupRows]; modes: 0 full,
   * 1 scalar, 2 vector: rows of `inner`, each repeated for `groupRows` output rows.
   */
  binaryOp(a: Float32Array, b: Float32Array, out: Float32Array | Uint8Array, spec: Int32Array): void;
  select(condition: Uint8Array, t: Float32Array, e: Float32Array, out: Float32Array): void;
  leakyRelu(x: Float32Array, out: Float32Array, alpha: number): void;
  /** The third argument is unused (one signature for the unary ops). */
  square(x: Float32Array, out: Float32Array, unused: number): void;
  relu(x: Float32Array, out: Float32Array, unused: number): void;
  /** out = x + std * N(0, 1); each value a function of (seed, index) alone, whatever the threads. */
  gaussianNoise(x: Float32Array, out: Float32Array, std: number, seed: number): void;
  /** Training-mode batch norm over all axes but the innermost: y and the batch mean and (biased) variance. */
  batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): void;
  batchNormBackward(
    dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array,
    dx: Float32Array, dGamma: Float32Array, dBeta: Float32Array, eps: number,
  ): void;
  /** One Adam step; hyper = [b1, 1 - b1, b2, 1 - b2, stepSize, secondCorrection, eps]. */
  adamUpdate(
    param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array,
    newParam: Float32Array, newM: Float32Array, newV: Float32Array, hyper: Float64Array,
  ): void;
  /** Convolutions through oneDNN's primitives (on by default) or the SGEMM routes; false: not built in. */
  setConvPrimitives(enabled: boolean): boolean;
  setThreads(threads: number): void;
}

export const ADDON_PATH = resolve(import.meta.dirname, "build/sgan_native.node");

export type AddonLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

let loaded: AddonLoad | undefined;

/**
 * Loads the native conv addon once per process. Never throws: a machine without a
 * compiler or a BLAS still trains, on the wasm kernels, and the reason says how to fix it.
 */
export function loadNativeAddon(): AddonLoad {
  loaded ??= load();
  return loaded;
}

function load(): AddonLoad {
  if (!existsSync(ADDON_PATH)) return { ok: false, reason: `${ADDON_PATH} is not built (npm run native:build)` };
  // libgomp reads this once, when the addon pulls it in: idle OpenMP threads must sleep,
  // not spin, or they take the cores from the wasm threads that run the other ops.
  process.env.OMP_WAIT_POLICY ??= "PASSIVE";
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    if (addon.blas === undefined) return { ok: false, reason: addon.loadError ?? "no SGEMM library found" };
    return { ok: true, addon };
  } catch (error) {
    return { ok: false, reason: `${ADDON_PATH} failed to load: ${(error as Error).message}` };
  }
}
