import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./addon.ts";

/**
 * Kernels of their own (no TensorFlow.js kernel does this): training-mode batch norm over every axis
 * but the innermost, and its gradient, each two passes over the data instead of the ~10 element-wise
 * kernels of the formula. Registered for wasm only; `libs/sgan` uses them where the active backend
 * has them and the plain formula elsewhere.
 */
export const BATCH_NORM_KERNELS = { forward: "SganBatchNormForward", backward: "SganBatchNormBackward" } as const;

/** Allocates every output first (allocating may grow the wasm heap and detach earlier views), then fills them. */
function runWithOutputs(backend: BackendWasm, inputs: TensorInfo[], outShapes: number[][], fill: (views: Float32Array[]) => void): TensorInfo[] {
  const outputs = outShapes.map((shape) => backend.makeOutput(shape, "float32"));
  fill([...inputs, ...outputs].map((t) => backend.typedArrayFromHeap(t) as Float32Array));
  return outputs;
}

export function batchNormKernelConfigs(addon: NativeAddon): KernelConfig[] {
  return [
    {
      kernelName: BATCH_NORM_KERNELS.forward,
      backendName: "wasm",
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
        const channels = gamma.shape;
        return runWithOutputs(backend as BackendWasm, [x, gamma, beta], [x.shape, channels, channels], ([vx, vg, vb, y, mean, variance]) =>
          addon.batchNormForward(vx!, vg!, vb!, y!, mean!, variance!, attrs!.epsilon as number));
      },
    },
    {
      kernelName: BATCH_NORM_KERNELS.backward,
      backendName: "wasm",
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { dy, x, mean, variance, gamma } = inputs as Record<"dy" | "x" | "mean" | "variance" | "gamma", TensorInfo>;
        return runWithOutputs(backend as BackendWasm, [dy, x, mean, variance, gamma], [x.shape, gamma.shape, gamma.shape], (v) =>
          addon.batchNormBackward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!, v[7]!, attrs!.epsilon as number));
      },
    },
  ];
}
