// Binary cross-entropy of sigmoid(logit) against one target for the whole batch, from the logit
// (libs/sgan/losses.ts bceOnLogits, the improved variant's adversarial loss), on webgpu in 1 dispatch
// each way where tfjs takes 2-4 forward (Neg, Softplus, Mean's Sum and division) and 4-5 back. The same
// closed forms: mean(softplus(-x)) for target 1, mean(softplus(x)) for 0, mean(softplus(-x) + x (1 - t))
// otherwise, softplus as tfjs-backend-webgpu computes it; the gradient dy * (sigmoid(x) - t) / n.
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
// Type only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { elementwiseKernel } from "./webgpu-elementwise.ts";
import { rowMeanProgram } from "./webgpu-row-mean.ts";

/** Kernels for webgpu only: libs/sgan's bceOnLogits takes its formula where they are missing. */
export const BCE_ON_LOGITS_KERNEL = "SganBceOnLogits";
export const BCE_ON_LOGITS_GRAD_KERNEL = "SganBceOnLogitsGrad";

/** The target is `goal`: `target` is a reserved word in WGSL. */
const UNIFORMS = "rows : i32, goal : f32,";

/** tfjs-backend-webgpu's SOFTPLUS: exp(a) below log(eps) + 2, a above its negation. */
const SOFTPLUS = `
  fn sganSoftplus(a : f32) -> f32 {
    let threshold = log(1.1920928955078125e-7) + 2.0;
    if (a > -threshold) { return a; }
    if (a < threshold) { return exp(a); }
    return log(exp(a) + 1.0);
  }`;

const uniformValues = (shape: number[], target: number) => [
  { type: "int32", data: [shape.reduce((a, b) => a * b, 1)] },
  { type: "float32", data: [target] },
];

/** inputs logit (any shape, one value per sample); attrs target -> the mean loss, shape [1]. */
export const webgpuBceOnLogitsConfig: KernelConfig = {
  kernelName: BCE_ON_LOGITS_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { logit } = inputs as Record<string, TensorInfo>;
    const program = rowMeanProgram({
      key: "sganBceOnLogits",
      inputs: ["Logit"],
      uniforms: UNIFORMS,
      negate: false,
      helpers: SOFTPLUS,
      rowTerm: `let x = Logit[row];
          if (uniforms.goal == 1.0) {
            term = sganSoftplus(-x);
          } else if (uniforms.goal == 0.0) {
            term = sganSoftplus(x);
          } else {
            term = sganSoftplus(-x) + x * (1.0 - uniforms.goal);
          }`,
    });
    return (backend as WebGPUBackend).runWebGPUProgram(program, [logit!], "float32", uniformValues(logit!.shape, attrs!.target as number));
  },
};

/** inputs logit, dy (the loss's gradient, one value); attrs target -> dlogit. */
export const webgpuBceOnLogitsGradConfig = elementwiseKernel({
  kernelName: BCE_ON_LOGITS_GRAD_KERNEL,
  inputs: { logit: "Logit", dy: "DY" },
  uniforms: UNIFORMS,
  value: "DY[0] * (1.0 / (1.0 + exp(-1.0 * Logit[index])) - uniforms.goal) / f32(uniforms.rows)",
  uniformValues: (shape, attrs) => uniformValues(shape, attrs.target as number),
});
