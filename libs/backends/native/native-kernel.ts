import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { backend_util, DataType, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./addon.ts";

type HeapView = Float32Array & Uint8Array;

/**
 * Allocates the output, then runs `fill` on heap views of the inputs and the output. Views are
 * taken only after allocating, because allocating may grow (and so detach) the wasm heap.
 */
export function runInPlace(
  backend: BackendWasm,
  inputs: TensorInfo[],
  outShape: number[],
  fill: (views: HeapView[], out: HeapView) => void,
  dtype: DataType = "float32",
): TensorInfo {
  const out = backend.makeOutput(outShape, dtype);
  // A float32 tensor's view is a Float32Array, a bool's a Uint8Array; the addon checks which it got.
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as backend_util.TypedArray as HeapView;
  fill(inputs.map(view), view(out));
  return out;
}

/** A native kernel: built from the addon and the wasm kernel it replaces, which takes the calls it does not cover. */
export interface NativeKernel {
  name: string;
  make(addon: NativeAddon, fallback: KernelFunc): KernelFunc;
}

export const allFloat32 = (...tensors: TensorInfo[]): boolean => tensors.every((t) => t.dtype === "float32");
