// Adam's step over all parameters of an optimizer on webgpu in about one dispatch per parameter where
// the formula takes 13 (libs/sgan/adam.ts: the same operations in the same order, so the results
// agree within float rounding). Every parameter's moments live in one tensor, packed: the first
// moments of all parameters, then the second ones. One dispatch updates the moments of up to 7
// parameters in place (a program binds 8 storage buffers: the moments and 7 gradients); then one
// dispatch per parameter computes it from its moments (a tfjs WebGPU program writes one tensor).
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
// Types only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { elementwiseProgram } from "./webgpu-elementwise.ts";

/** A kernel for webgpu only: libs/sgan's Adam keeps the moments apart, for FUSED_KERNELS.adamUpdate or its formula, where it is missing. */
export const ADAM_PACKED_PARAM_KERNEL = "SganAdamPackedParam";

const WORKGROUP_SIZE = 64;

/**
 * inputs param, moments (packed, [2 * total]); attrs offset (the parameter's first element in each
 * half), total, hyper [b1, 1 - b1, b2, 1 - b2, stepSize, secondCorrection, eps] -> the parameter after
 * the step, from moments already updated by updatePackedMoments.
 */
export const webgpuAdamPackedParamConfig: KernelConfig = {
  kernelName: ADAM_PACKED_PARAM_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { param, moments } = inputs as Record<string, TensorInfo>;
    const { offset, total, hyper } = attrs as { offset: number; total: number; hyper: number[] };
    const [, , , , stepSize, secondCorrection, eps] = hyper;
    const uniforms = [{ type: "int32", data: [offset] }, { type: "int32", data: [total] }, ...[stepSize!, secondCorrection!, eps!].map((x) => ({ type: "float32", data: [x] }))];
    const program = elementwiseProgram({
      key: "sganAdamPacked_param",
      inputs: ["P", "Moments"],
      uniforms: "offset : i32, total : i32, stepSize : f32, secondCorrection : f32, eps : f32,",
      shape: param!.shape,
      preamble: "let at = uniforms.offset + index;",
      // p - m' / (sqrt(v') / sqrt(1 - b2^t) + eps) * lr / (1 - b1^t)
      value: "P[index] - (Moments[at] / (sqrt(Moments[uniforms.total + at]) / uniforms.secondCorrection + uniforms.eps)) * uniforms.stepSize",
    });
    return (backend as WebGPUBackend).runWebGPUProgram(program, [param!, moments!], "float32", uniforms);
  },
};

/** A gradient and where its parameter's moments start in each half of the packed tensor. */
export interface PackedGradient {
  gradient: TensorInfo;
  offset: number;
}

/**
 * Updates the packed moments in place with every gradient, 7 gradients per dispatch (the device's
 * storage-buffer limit less the moments' binding): m = m b1 + g (1 - b1), v = v b2 + g² (1 - b2).
 * `moments` must be held by its variable alone (nothing else may see it change), which this checks.
 */
export function updatePackedMoments(backend: WebGPUBackend, moments: TensorInfo, gradients: readonly PackedGradient[], hyper: readonly number[]): void {
  const data = backend.tensorMap.get(moments.dataId);
  if (data.refCount !== 1) throw new Error(`packed Adam moments are shared (${data.refCount} references): updating them in place would change another tensor`);
  const total = moments.shape[0]! / 2;
  const perDispatch = backend.device.limits.maxStorageBuffersPerShaderStage - 1;
  const uniforms = hyper.slice(0, 4).map((x) => ({ type: "float32", data: [x] }));
  for (let first = 0; first < gradients.length; first += perDispatch) {
    const group = gradients.slice(first, first + perDispatch);
    backend.runWebGPUProgram(momentsProgram(group, total, moments.shape), group.map((entry) => entry.gradient), "float32", uniforms, moments);
  }
  // A checkpoint's read caches the values on the CPU; they are stale now (tfjs types the field as always set).
  (data as { values: unknown }).values = null;
}

/** The moments of one group's parameters, one thread per element; offsets and sizes are part of the shader (its key names them). */
function momentsProgram(group: readonly PackedGradient[], total: number, shape: number[]): WebGPUProgram {
  const sizes = group.map(({ gradient }) => gradient.shape.reduce((a, b) => a * b, 1));
  let start = 0;
  const branches = group.map(({ offset }, j) => {
    const branch = `if (index < ${start + sizes[j]!}) { g = G${j}[index - ${start}]; at = ${offset} + index - ${start}; }`;
    start += sizes[j]!;
    return branch;
  });
  const layout = group.map(({ offset }, j) => `${offset}+${sizes[j]}`).join("_");
  return {
    variableNames: group.map((_, j) => `G${j}`),
    outputShape: shape,
    shaderKey: `sganAdamPacked_moments_${total}_${layout}`,
    uniforms: "b1 : f32, oneMinusB1 : f32, b2 : f32, oneMinusB2 : f32,",
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(start / WORKGROUP_SIZE), 1, 1],
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= ${start}) {
          return;
        }
        var g = 0.0;
        var at = 0;
        ${branches.join("\n        else ")}
        result[at] = result[at] * uniforms.b1 + g * uniforms.oneMinusB1;
        result[${total} + at] = result[${total} + at] * uniforms.b2 + (g * g) * uniforms.oneMinusB2;
      }`,
  };
}
