import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  Add,
  backend_util,
  Greater,
  LeakyRelu,
  Multiply,
  RealDiv,
  Relu,
  Select,
  Square,
  Sub,
  util,
  type NamedAttrMap,
  type LeakyReluAttrs,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./addon.ts";
import { allFloat32, runInPlace, type NativeKernel } from "./native-kernel.ts";

// Operand modes and op codes as sgan_native.cc's Operand and BinaryOp enums number them.
const FULL = 0;
const SCALAR = 1;
const VECTOR = 2;
const OP = { add: 0, sub: 1, mul: 2, div: 3, greater: 4 } as const;

/**
 * How an operand is read against the output shape: whole; as a scalar; or as a vector broadcast over
 * a run of middle axes, i.e. its shape is the output's with some adjacent axes set to 1 (a [c] or
 * [1, 1, 1, c] per-channel parameter, a [n, 1, 1, c] dropout mask). The vector is then rows of
 * `inner` (the product of the axes after the run), each repeated for `groupRows` output rows.
 */
export function operandMode(shape: number[], outShape: number[]): { mode: number; inner: number; groupRows: number } | undefined {
  if (util.arraysEqual(shape, outShape)) return { mode: FULL, inner: 1, groupRows: 1 };
  if (util.sizeFromShape(shape) === 1) return { mode: SCALAR, inner: 1, groupRows: 1 };
  const aligned = [...Array<number>(outShape.length - shape.length).fill(1), ...shape];
  let axis = outShape.length;
  while (axis > 0 && aligned[axis - 1] === outShape[axis - 1]) axis--;
  const tailStart = axis;
  while (axis > 0 && aligned[axis - 1] === 1) axis--;
  const prefixMatches = aligned.slice(0, axis).every((d, i) => d === outShape[i]);
  if (!prefixMatches) return undefined;
  return {
    mode: VECTOR,
    inner: util.sizeFromShape(outShape.slice(tailStart)),
    groupRows: util.sizeFromShape(outShape.slice(axis, tailStart)),
  };
}

/**
 * Float32 binary ops with the broadcasts the SGAN uses (same shape, scalar, vectors as above),
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
      const vector = left.mode === VECTOR ? left : right;
      const spec = Int32Array.of(op, left.mode, right.mode, n, vector.inner, vector.groupRows);
      return runInPlace(call.backend as BackendWasm, [a, b], outShape, ([x, y], out) => addon.binaryOp(x!, y!, out, spec),
        op === OP.greater ? "bool" : "float32");
    },
  };
}

function unaryKernel(
  name: string,
  run: (addon: NativeAddon, x: Float32Array, out: Float32Array, attrs: NamedAttrMap) => void,
): NativeKernel {
  return {
    name,
    make: (addon, fallback) => (call) => {
      const { x } = call.inputs as { x: TensorInfo };
      if (!allFloat32(x)) return fallback(call);
      return runInPlace(call.backend as BackendWasm, [x], x.shape, ([input], out) => run(addon, input!, out, call.attrs ?? {}));
    },
  };
}

export const ELEMENTWISE_KERNELS: NativeKernel[] = [
  binaryKernel(Add, OP.add),
  binaryKernel(Sub, OP.sub),
  binaryKernel(Multiply, OP.mul),
  binaryKernel(RealDiv, OP.div),
  binaryKernel(Greater, OP.greater),
  {
    name: Select,
    make: (addon, fallback) => (call) => {
      const { condition, t, e } = call.inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
      const sameShapes = util.arraysEqual(condition.shape, t.shape) && util.arraysEqual(t.shape, e.shape);
      if (condition.dtype !== "bool" || !allFloat32(t, e) || !sameShapes) return fallback(call);
      return runInPlace(call.backend as BackendWasm, [condition, t, e], t.shape, ([c, x, y], out) => addon.select(c!, x!, y!, out));
    },
  },
  unaryKernel(LeakyRelu, (addon, x, out, attrs) => addon.leakyRelu(x, out, (attrs as unknown as LeakyReluAttrs).alpha)),
  unaryKernel(Square, (addon, x, out) => addon.square(x, out, 0)),
  // The wasm backend's Relu takes about 1.3 ms for [100, 1000] values (improved-gan's discriminator).
  unaryKernel(Relu, (addon, x, out) => addon.relu(x, out, 0)),
];
