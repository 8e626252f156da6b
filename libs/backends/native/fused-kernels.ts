import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./addon.ts";
import { runWithOutputs } from "./native-kernel.ts";

/**
 * Kernels of their own (TensorFlow.js has none that does this), each one native pass or two where
 * the formula takes about ten element-wise kernels: training-mode batch norm over every axis but the
 * innermost and its gradient, one Adam step for one parameter, and additive Gaussian noise (drawn in
 * JavaScript otherwise). Registered for wasm only;
 * `libs/sgan` uses them where the active backend has them and the plain formula elsewhere.
 */
export const FUSED_KERNELS = {
  batchNormForward: "SganBatchNormForward",
  batchNormBackward: "SganBatchNormBackward",
  adamUpdate: "SganAdamUpdate",
  gaussianNoise: "SganGaussianNoise",
} as const;

function fusedKernel(
  kernelName: string,
  inputNames: string[],
  outShapes: (inputs: TensorInfo[]) => number[][],
  run: (views: Float32Array[], attrs: NamedAttrMap) => void,
): KernelConfig {
  return {
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const ordered = inputNames.map((name) => inputs[name] as TensorInfo);
      const outputs = outShapes(ordered).map((shape) => ({ shape }));
      return runWithOutputs(backend as BackendWasm, ordered, outputs, (views) => run(views, attrs ?? {}));
    },
  };
}

export function fusedKernelConfigs(addon: NativeAddon): KernelConfig[] {
  return [
    // inputs x, gamma, beta -> y, batch mean, biased batch variance
    fusedKernel(FUSED_KERNELS.batchNormForward, ["x", "gamma", "beta"], ([x, gamma]) => [x!.shape, gamma!.shape, gamma!.shape],
      (v, attrs) => addon.batchNormForward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, attrs.epsilon as number)),
    // inputs dy, x, mean, variance, gamma -> dx, dGamma, dBeta
    fusedKernel(FUSED_KERNELS.batchNormBackward, ["dy", "x", "mean", "variance", "gamma"], ([, x, , , gamma]) => [x!.shape, gamma!.shape, gamma!.shape],
      (v, attrs) => addon.batchNormBackward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!, v[7]!, attrs.epsilon as number)),
    // inputs param, gradient, m, v -> param, m, v after one step
    fusedKernel(FUSED_KERNELS.adamUpdate, ["param", "gradient", "m", "v"], ([param]) => [param!.shape, param!.shape, param!.shape],
      (v, attrs) => addon.adamUpdate(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!, Float64Array.from(attrs.hyper as number[]))),
    // input x -> x + std * N(0, 1), drawn natively from attrs.seed (the JavaScript draws took ~60 ns a value)
    fusedKernel(FUSED_KERNELS.gaussianNoise, ["x"], ([x]) => [x!.shape],
      (v, attrs) => addon.gaussianNoise(v[0]!, v[1]!, attrs.std as number, attrs.seed as number)),
  ];
}
