import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { backend_util, DataType, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./addon.ts";

type HeapView = Float32Array & Uint8Array;

/**
 * Allocates every output, then runs `fill` on heap views of the inputs followed by the outputs.
 * Views are taken only after allocating, because allocating may grow (and so detach) the wasm heap.
 * A float32 tensor's view is a Float32Array, a bool's a Uint8Array; the addon checks which it got.
 */
export function runWithOutputs(
  backend: BackendWasm,
  inputs: TensorInfo[],
  outputs: Array<{ shape: number[]; dtype?: DataType }>,
  fill: (views: HeapView[]) => void,
): TensorInfo[] {
  const made = outputs.map(({ shape, dtype = "float32" }) => backend.makeOutput(shape, dtype));
  fill([...inputs, ...made].map((t) => backend.typedArrayFromHeap(t) as backend_util.TypedArray as HeapView));
  return made;
}

/** runWithOutputs for one output. */
export function runInPlace(
  backend: BackendWasm,
  inputs: TensorInfo[],
  outShape: number[],
  fill: (views: HeapView[], out: HeapView) => void,
  dtype: DataType = "float32",
): TensorInfo {
  return runWithOutputs(backend, inputs, [{ shape: outShape, dtype }], (views) => fill(views.slice(0, -1), views.at(-1)!))[0]!;
}

/** A native kernel: built from the addon and the wasm kernel it replaces, which takes the calls it does not cover. */
export interface NativeKernel {
  name: string;
  make(addon: NativeAddon, fallback: KernelFunc): KernelFunc;
}

export const allFloat32 = (...tensors: TensorInfo[]): boolean => tensors.every((t) => t.dtype === "float32");
