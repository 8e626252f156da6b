// One Adam step of one parameter on webgpu in 3 dispatches where the formula takes 13 (libs/sgan/adam.ts:
// the same operations in the same order, so the results agree within float rounding). WebGPU programs
// in tfjs write one output each: the first moment, the second moment, then the parameter from both.
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
// Types only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { FUSED_KERNELS } from "../native/fused-kernels.ts";
import { elementwiseProgram } from "./webgpu-elementwise.ts";

type Step = "firstMoment" | "secondMoment" | "param";

/** Per step: its inputs (storage buffers of the parameter's shape), uniforms, and the value at `index`. */
const STEPS: Record<Step, { inputs: string[]; uniforms: string; value: string }> = {
  // m * b1 + g * (1 - b1)
  firstMoment: { inputs: ["M", "G"], uniforms: "b1 : f32, oneMinusB1 : f32,", value: "M[index] * uniforms.b1 + G[index] * uniforms.oneMinusB1" },
  // v * b2 + g² * (1 - b2)
  secondMoment: { inputs: ["V", "G"], uniforms: "b2 : f32, oneMinusB2 : f32,", value: "V[index] * uniforms.b2 + (G[index] * G[index]) * uniforms.oneMinusB2" },
  // p - m' / (sqrt(v') / sqrt(1 - b2^t) + eps) * lr / (1 - b1^t)
  param: {
    inputs: ["P", "M", "V"],
    uniforms: "stepSize : f32, secondCorrection : f32, eps : f32,",
    value: "P[index] - (M[index] / (sqrt(V[index]) / uniforms.secondCorrection + uniforms.eps)) * uniforms.stepSize",
  },
};

/** inputs param, gradient, m, v; attrs.hyper [b1, 1 - b1, b2, 1 - b2, stepSize, secondCorrection, eps] -> param, m, v after the step. */
export const webgpuAdamUpdateConfig: KernelConfig = {
  kernelName: FUSED_KERNELS.adamUpdate,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const webgpu = backend as WebGPUBackend;
    const { param, gradient, m, v } = inputs as Record<string, TensorInfo>;
    const [b1, oneMinusB1, b2, oneMinusB2, stepSize, secondCorrection, eps] = attrs!.hyper as number[];
    const run = (step: Step, stepInputs: TensorInfo[], values: number[]): TensorInfo =>
      webgpu.runWebGPUProgram(elementwiseProgram({ key: `sganAdam_${step}`, ...STEPS[step], shape: param!.shape }), stepInputs, "float32", values.map((x) => ({ type: "float32", data: [x] })));
    const firstMoment = run("firstMoment", [m!, gradient!], [b1!, oneMinusB1!]);
    const secondMoment = run("secondMoment", [v!, gradient!], [b2!, oneMinusB2!]);
    const updated = run("param", [param!, firstMoment, secondMoment], [stepSize!, secondCorrection!, eps!]);
    return [updated, firstMoment, secondMoment];
  },
};
