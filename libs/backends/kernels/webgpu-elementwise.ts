// Type only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

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
