// The leaky ReLU's gradient on webgpu in 1 dispatch where tfjs's takes 3 (Greater, Multiply, Select):
// dx = x > 0 ? dy : dy * alpha, the same selection of the same products.
import { elementwiseKernel } from "./webgpu-elementwise.ts";

/** A kernel for webgpu only: libs/sgan's leakyRelu takes tfjs's own gradient where it is missing. */
export const LEAKY_RELU_GRAD_KERNEL = "SganLeakyReluGrad";

/** inputs dy, x; attrs alpha -> dx. */
export const webgpuLeakyReluGradConfig = elementwiseKernel({
  kernelName: LEAKY_RELU_GRAD_KERNEL,
  inputs: { dy: "DY", x: "X" },
  uniforms: "alpha : f32,",
  value: "select(DY[index] * uniforms.alpha, DY[index], X[index] > 0.0)",
  uniformValues: (_, attrs) => [{ type: "float32", data: [attrs.alpha as number] }],
});
