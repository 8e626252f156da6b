import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { backend_util, Mean, Sum, util, type SumAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { allFloat32, runInPlace, type NativeKernel } from "./native-kernel.ts";

/**
 * The shape as alternating groups of adjacent reduced / kept axes, flattened to (size, reduced)
 * pairs; undefined when the innermost axis is reduced (a contiguous reduction the wasm kernel
 * already does well) or nothing is.
 */
export function axisGroups(shape: readonly number[], axes: readonly number[]): Int32Array | undefined {
  const reduced = new Set(axes);
  if (reduced.size === 0 || reduced.has(shape.length - 1)) return undefined;
  const groups: Array<[number, number]> = [];
  shape.forEach((size, axis) => {
    const flag = reduced.has(axis) ? 1 : 0;
    const last = groups.at(-1);
    if (last !== undefined && last[1] === flag) last[0] *= size;
    else groups.push([size, flag]);
  });
  return Int32Array.from(groups.flat());
}

/**
 * Sum and Mean over leading or interleaved axes: batch-norm statistics, bias and broadcast
 * gradients, the upsampling gradient. The wasm kernels transpose the reduced axes innermost
 * first (a full copy of the tensor) and then reduce on one thread.
 */
function reduceKernel(name: string, meanOf: boolean): NativeKernel {
  return {
    name,
    make: (addon, fallback) => (call) => {
      const { x } = call.inputs as { x: TensorInfo };
      const { axis, keepDims } = call.attrs as unknown as SumAttrs;
      const axes = util.parseAxisParam(axis, x.shape);
      const groups = axisGroups(x.shape, axes);
      if (groups === undefined || !allFloat32(x) || x.shape.some((n) => n === 0)) return fallback(call);
      const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
      const scale = meanOf ? 1 / util.sizeFromShape(reduceShape) : 1;
      const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      return runInPlace(call.backend as BackendWasm, [x], shape, ([input], out) => addon.sum(input!, out, groups, scale));
    },
  };
}

export const REDUCE_KERNELS: NativeKernel[] = [reduceKernel(Sum, false), reduceKernel(Mean, true)];

