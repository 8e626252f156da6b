// Cross-entropy of class logits against integer labels, -mean over rows of log_softmax(logits)[label]
// (libs/sgan/losses.ts crossEntropyOnLogits), on webgpu in 1 dispatch each way where tfjs takes about 11
// forward (OneHot, logSoftmax's Max, Sub, Exp, Sum, Log, Sub, then Mul, Sum, Mean, Neg) and 9 backward.
// log_softmax as tfjs computes it: (x - max) - log(sum(exp(x - max))); its gradient in closed form,
// dlogits = dy * (softmax - onehot) / rows.
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
// Types only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { elementwiseKernel } from "./webgpu-elementwise.ts";
import { rowMeanProgram } from "./webgpu-row-mean.ts";

/** Kernels for webgpu only: libs/sgan's crossEntropyOnLogits takes its formula where they are missing. */
export const CROSS_ENTROPY_KERNEL = "SganCrossEntropy";
export const CROSS_ENTROPY_GRAD_KERNEL = "SganCrossEntropyGrad";

const UNIFORMS = "rows : i32, classes : i32,";

/** WGSL: `largest` and `expSum` of the row starting at `base`, as log_softmax shifts and sums it. */
const ROW_STATISTICS = `
  var largest = Logits[base];
  for (var j = 1; j < uniforms.classes; j = j + 1) { largest = max(largest, Logits[base + j]); }
  var expSum = 0.0;
  for (var j = 0; j < uniforms.classes; j = j + 1) { expSum = expSum + exp(Logits[base + j] - largest); }`;

const shapeUniforms = ([rows, classes]: number[]) => [
  { type: "int32", data: [rows!] },
  { type: "int32", data: [classes!] },
];

function crossEntropyProgram(): WebGPUProgram {
  return rowMeanProgram({
    key: "sganCrossEntropy",
    inputs: ["Logits", "Labels"],
    uniforms: UNIFORMS,
    negate: true,
    rowTerm: `let base = row * uniforms.classes;
          ${ROW_STATISTICS}
          term = (Logits[base + Labels[row]] - largest) - log(expSum);`,
  });
}

/** inputs logits [rows, classes], labels [rows] int32 -> the mean cross-entropy, shape [1]. */
export const webgpuCrossEntropyConfig: KernelConfig = {
  kernelName: CROSS_ENTROPY_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, backend }) => {
    const { logits, labels } = inputs as Record<string, TensorInfo>;
    return (backend as WebGPUBackend).runWebGPUProgram(crossEntropyProgram(), [logits!, labels!], "float32", shapeUniforms(logits!.shape));
  },
};

/** inputs logits, labels, dy (the loss's gradient, one value) -> dlogits. */
export const webgpuCrossEntropyGradConfig = elementwiseKernel({
  kernelName: CROSS_ENTROPY_GRAD_KERNEL,
  inputs: { logits: "Logits", labels: "Labels", dy: "DY" },
  uniforms: UNIFORMS,
  preamble: `let row = index / uniforms.classes;
          let base = row * uniforms.classes;
          ${ROW_STATISTICS}
          let softmax = exp(Logits[index] - largest) / expSum;
          let isLabel = select(0.0, 1.0, index - base == Labels[row]);`,
  value: "DY[0] * (softmax - isLabel) / f32(uniforms.rows)",
  uniformValues: (shape) => shapeUniforms(shape),
});
