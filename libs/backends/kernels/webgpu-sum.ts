// A sum over every axis but the innermost (the bias gradients of convolutions and dense layers) on
// webgpu in 1 dispatch where tfjs-backend-webgpu's Sum takes 2: it transposes the reduced axes
// innermost, then reduces. Here one workgroup per channel sums its column of the [rows, channels] view
// in place, as batch norm's statistics do. Other sums go to the stock kernel.
import { backend_util, Sum, util, type KernelConfig, type TensorInfo } from "@tensorflow/tfjs-core";
// Type only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { channelReduction, runner } from "./webgpu-batch-norm.ts";
import { stockWebgpuKernels } from "./webgpu-stock.ts";

export const webgpuSumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: "webgpu",
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const x = (inputs as { x: TensorInfo }).x;
    const axes = util.parseAxisParam(attrs!.axis as number | number[], x.shape).sort((a, b) => a - b);
    const leading = x.shape.length >= 2 && axes.length === x.shape.length - 1 && axes.every((axis, i) => axis === i);
    if (!leading || x.dtype !== "float32") return stockWebgpuKernels.get(Sum)!(args);
    const { channels, run } = runner(backend as WebGPUBackend, x, 0);
    const outputShape = attrs!.keepDims ? backend_util.expandShapeToKeepDim([channels], axes) : [channels];
    return run(channelReduction("columnSum", ["X"], "X[j]", false, channels, outputShape), [x]);
  },
};
