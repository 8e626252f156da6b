import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  Add,
  backend_util,
  Greater,
  LeakyRelu,
  Multiply,
  RealDiv,
  Select,
  Sub,
  util,
  type LeakyReluAttrs,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { allFloat32, runInPlace, type NativeKernel } from "./heap.ts";

const FULL = 0;
const SCALAR = 1;
const VECTOR = 2;
const GREATER = 4;

/**
 * How an operand of `outShape` is read: whole, as a scalar, or as a vector repeated along the
 * output's innermost `inner` elements (its shape without leading 1s is the output's tail).
 */
export function operandMode(shape: number[], outShape: number[]): { mode: number; inner: number } | undefined {
  const size = util.sizeFromShape(shape);
  if (util.arraysEqual(shape, outShape)) return { mode: FULL, inner: 0 };
  if (size === 1) return { mode: SCALAR, inner: 0 };
  const firstReal = shape.findIndex((d) => d !== 1);
  const tail = shape.slice(firstReal);
  return util.arraysEqual(tail, outShape.slice(outShape.length - tail.length)) ? { mode: VECTOR, inner: size } : undefined;
}

/**
 * Float32 binary ops with the broadcasts the SGAN uses (same shape, scalar, per-channel vector),
 * on all threads with native SIMD; the wasm kernels run single-threaded and take up to 12 ms for a
 * scalar comparison on one [64, 28, 28, 64] activation.
 */
function binaryKernel(name: string, op: number): NativeKernel {
  return {
    name,
    make: (addon, fallback) => (call) => {
      const { a, b } = call.inputs as { a: TensorInfo; b: TensorInfo };
      if (!allFloat32(a, b)) return fallback(call);
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const n = util.sizeFromShape(outShape);
      const left = operandMode(a.shape, outShape);
      const right = operandMode(b.shape, outShape);
      if (n === 0 || left === undefined || right === undefined || (left.mode !== FULL && right.mode !== FULL)) return fallback(call);
      const spec = Int32Array.of(op, left.mode, right.mode, n, Math.max(left.inner, right.inner, 1));
      return runInPlace(call.backend as BackendWasm, [a, b], outShape, ([x, y], out) => addon.binaryOp(x!, y!, out, spec),
        op === GREATER ? "bool" : "float32");
    },
  };
}



export const ELEMENTWISE_KERNELS: NativeKernel[] = [
  binaryKernel(Add, 0),
  binaryKernel(Sub, 1),
  binaryKernel(Multiply, 2),
  binaryKernel(RealDiv, 3),
  binaryKernel(Greater, GREATER),
  {
    name: Select,
    make: (addon, fallback) => (call) => {
      const { condition, t, e } = call.inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
      const sameShapes = util.arraysEqual(condition.shape, t.shape) && util.arraysEqual(t.shape, e.shape);
      if (condition.dtype !== "bool" || !allFloat32(t, e) || !sameShapes) return fallback(call);
      return runInPlace(call.backend as BackendWasm, [condition, t, e], t.shape, ([c, x, y], out) => addon.select(c!, x!, y!, out));
    },
  },
  {
    name: LeakyRelu,
    make: (addon, fallback) => (call) => {
      const { x } = call.inputs as { x: TensorInfo };
      const { alpha } = call.attrs as unknown as LeakyReluAttrs;
      if (!allFloat32(x)) return fallback(call);
      return runInPlace(call.backend as BackendWasm, [x], x.shape, ([input], out) => addon.leakyRelu(input!, out, alpha));
    },
  },
];
