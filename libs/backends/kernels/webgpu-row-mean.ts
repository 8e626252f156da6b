// Type only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { REDUCE_WORKGROUP, WORKGROUP_SUMS, workgroupSum } from "./webgpu-batch-norm.ts";

/**
 * A loss's mean over rows in one workgroup, written as shape [1]: `rowTerm` (WGSL) sets `term` for
 * `row`; the mean is negated where `negate` is set (-mean, as tf.neg(tf.mean(...))). `helpers` is
 * module-level WGSL (functions) the term calls. Its uniforms start with `rows : i32,`.
 */
export function rowMeanProgram(options: { key: string; inputs: string[]; uniforms: string; rowTerm: string; negate: boolean; helpers?: string }): WebGPUProgram {
  const { key, inputs, uniforms, rowTerm, negate, helpers = "" } = options;
  return {
    variableNames: inputs,
    outputShape: [1],
    shaderKey: key,
    size: true,
    uniforms,
    workgroupSize: [REDUCE_WORKGROUP, 1, 1],
    dispatchLayout: { x: [0] },
    dispatch: [1, 1, 1],
    getUserCode: () => `
      ${helpers}
      ${WORKGROUP_SUMS}
      fn main(index : i32) {
        var total = 0.0;
        for (var row = i32(localId.x); row < uniforms.rows; row = row + ${REDUCE_WORKGROUP}) {
          var term = 0.0;
          ${rowTerm}
          total = total + term;
        }
        ${workgroupSum("total")}
        if (localId.x == 0u) {
          setOutputAtIndex(0, ${negate ? "-" : ""}(sums[0] / f32(uniforms.rows)));
        }
      }`,
  };
}
