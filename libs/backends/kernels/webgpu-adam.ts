// One Adam step of one parameter on webgpu in 2 dispatches where the formula takes 13 (libs/sgan/adam.ts:
// the same operations in the same order, so the results agree within float rounding). WebGPU programs
// in tfjs write one output each, so both moments live in one tensor, [2, ...shape] (the first moment,
// then the second): one dispatch updates both, the next the parameter from them.
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
// Types only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { elementwiseProgram } from "./webgpu-elementwise.ts";

/** A kernel for webgpu only: libs/sgan's Adam keeps the moments apart, for FUSED_KERNELS.adamUpdate or its formula, where it is missing. */
export const ADAM_STACKED_UPDATE_KERNEL = "SganAdamStackedUpdate";

const UNIFORMS = "count : i32, b1 : f32, oneMinusB1 : f32, b2 : f32, oneMinusB2 : f32, stepSize : f32, secondCorrection : f32, eps : f32,";

/** Per program: its inputs and the value at `index`; `count` is the parameter's size. */
const PROGRAMS: Record<"moments" | "param", { inputs: string[]; value: string; preamble?: string }> = {
  // m * b1 + g * (1 - b1) below count, v * b2 + g² * (1 - b2) above.
  moments: {
    inputs: ["Moments", "G"],
    preamble: "let g = G[index % uniforms.count];",
    value: "select(Moments[index] * uniforms.b2 + (g * g) * uniforms.oneMinusB2, Moments[index] * uniforms.b1 + g * uniforms.oneMinusB1, index < uniforms.count)",
  },
  // p - m' / (sqrt(v') / sqrt(1 - b2^t) + eps) * lr / (1 - b1^t)
  param: {
    inputs: ["P", "Moments"],
    value: "P[index] - (Moments[index] / (sqrt(Moments[index + uniforms.count]) / uniforms.secondCorrection + uniforms.eps)) * uniforms.stepSize",
  },
};

/**
 * inputs param, gradient, moments ([2, ...param's shape]); attrs.hyper [b1, 1 - b1, b2, 1 - b2, stepSize,
 * secondCorrection, eps] -> param and moments after the step.
 */
export const webgpuAdamStackedUpdateConfig: KernelConfig = {
  kernelName: ADAM_STACKED_UPDATE_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const webgpu = backend as WebGPUBackend;
    const { param, gradient, moments } = inputs as Record<string, TensorInfo>;
    const count = param!.shape.reduce((a, b) => a * b, 1);
    const uniforms = [{ type: "int32", data: [count] }, ...(attrs!.hyper as number[]).map((x) => ({ type: "float32", data: [x] }))];
    const run = (name: keyof typeof PROGRAMS, shape: number[], programInputs: TensorInfo[]): TensorInfo =>
      webgpu.runWebGPUProgram(elementwiseProgram({ key: `sganAdamStacked_${name}`, ...PROGRAMS[name], uniforms: UNIFORMS, shape }), programInputs, "float32", uniforms);
    const updatedMoments = run("moments", moments!.shape, [moments!, gradient!]);
    return [run("param", param!.shape, [param!, updatedMoments]), updatedMoments];
  },
};
