import type { KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
// Types only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

const WORKGROUP_SIZE = 64;

/**
 * A WebGPU program that writes `value` (WGSL, of `index` and of `preamble`'s names) at every element
 * index of `shape`. `inputs` are read as flat storage buffers by name; `uniforms` declares the
 * program's own, passed to runWebGPUProgram in that order.
 */
export function elementwiseProgram(options: { key: string; inputs: string[]; uniforms: string; shape: number[]; value: string; preamble?: string }): WebGPUProgram {
  const { key, inputs, uniforms, shape, value, preamble = "" } = options;
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    variableNames: inputs,
    outputShape: shape,
    shaderKey: key,
    size: true,
    uniforms,
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    dispatchLayout: { x: shape.map((_, i) => i) },
    // The backend spreads a dispatch over y and z where x would pass WebGPU's per-dimension limit.
    dispatch: [Math.ceil(size / WORKGROUP_SIZE), 1, 1],
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${preamble}
          setOutputAtIndex(index, ${value});
        }
      }`,
  };
}

type Uniform = { type: string; data: number[] };

/**
 * A webgpu kernel of one elementwiseProgram over its first input's shape: `inputs` maps the kernel's
 * input names, in order, to the program's buffer names; `uniformValues` gives `uniforms`' values in order.
 */
export function elementwiseKernel(options: {
  kernelName: string;
  inputs: Record<string, string>;
  uniforms: string;
  value: string;
  preamble?: string;
  uniformValues: (shape: number[], attrs: NamedAttrMap) => Uniform[];
}): KernelConfig {
  const { kernelName, inputs, uniformValues, ...program } = options;
  return {
    kernelName,
    backendName: "webgpu",
    kernelFunc: ({ inputs: tensors, attrs, backend }) => {
      const ordered = Object.keys(inputs).map((name) => (tensors as Record<string, TensorInfo>)[name]!);
      const shape = ordered[0]!.shape;
      const key = `sgan${kernelName}`;
      return (backend as WebGPUBackend).runWebGPUProgram(
        elementwiseProgram({ key, inputs: Object.values(inputs), shape, ...program }),
        ordered,
        "float32",
        uniformValues(shape, attrs ?? {}),
      );
    },
  };
}
