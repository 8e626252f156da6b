// The leaky ReLU's gradient on webgpu in 1 dispatch where tfjs's takes 3 (Greater, Multiply, Select):
// dx = x > 0 ? dy : dy * alpha, the same selection of the same products.
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
// Type only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { elementwiseProgram } from "./webgpu-elementwise.ts";

/** A kernel for webgpu only: libs/sgan's leakyRelu takes tfjs's own gradient where it is missing. */
export const LEAKY_RELU_GRAD_KERNEL = "SganLeakyReluGrad";

/** inputs dy, x; attrs alpha -> dx. */
export const webgpuLeakyReluGradConfig: KernelConfig = {
  kernelName: LEAKY_RELU_GRAD_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x } = inputs as Record<string, TensorInfo>;
    const program = elementwiseProgram({
      key: "sganLeakyReluGrad",
      inputs: ["DY", "X"],
      uniforms: "alpha : f32,",
      shape: x!.shape,
      value: "select(DY[index] * uniforms.alpha, DY[index], X[index] > 0.0)",
    });
    return (backend as WebGPUBackend).runWebGPUProgram(program, [dy!, x!], "float32", [{ type: "float32", data: [attrs!.alpha as number] }]);
  },
};
