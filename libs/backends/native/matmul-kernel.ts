import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { BatchMatMul, util, type BatchMatMulAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { allFloat32, runInPlace, type NativeKernel } from "./native-kernel.ts";

/** Leading (batch) dims, rows, columns of a rank >= 2 operand. */
function split(shape: number[]): { batchShape: number[]; batch: number; rows: number; cols: number } {
  const batchShape = shape.slice(0, -2);
  return { batchShape, batch: util.sizeFromShape(batchShape), rows: shape.at(-2)!, cols: shape.at(-1)! };
}

/**
 * BatchMatMul (the dense layers and their gradients) in SGEMM, for float32 operands whose batch
 * dims are equal or absent on one side.
 */
export const MATMUL_KERNEL: NativeKernel = {
  name: BatchMatMul,
  make: (addon, fallback) => (call) => {
    const { a, b } = call.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = call.attrs as unknown as BatchMatMulAttrs;
    if (a.shape.length < 2 || b.shape.length < 2 || !allFloat32(a, b)) return fallback(call);
    const left = split(a.shape);
    const right = split(b.shape);
    const [m, k] = transposeA ? [left.cols, left.rows] : [left.rows, left.cols];
    const [kB, n] = transposeB ? [right.cols, right.rows] : [right.rows, right.cols];
    const sameBatch = util.arraysEqual(left.batchShape, right.batchShape);
    if (k !== kB || !(sameBatch || left.batch === 1 || right.batch === 1) || [left.batch, right.batch, m, n, k].includes(0)) {
      return fallback(call);
    }
    const batchShape = left.batch >= right.batch ? left.batchShape : right.batchShape;
    const dims = Int32Array.of(left.batch, right.batch, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0);
    return runInPlace(call.backend as BackendWasm, [a, b], [...batchShape, m, n], ([x, y], out) => addon.matMul(x!, y!, out, dims));
  },
};
