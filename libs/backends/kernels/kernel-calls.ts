import {
  getKernel,
  type KernelBackend,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from "@tensorflow/tfjs-core";

/**
 * Calls another kernel of the same backend directly, bypassing the engine: inside
 * a kernel the engine must not see intermediates (they would be tracked, taped for
 * autograd and counted as leaks), so composite kernels work on raw TensorInfos and
 * free them with `release`.
 */
export function callKernel(
  backendName: string,
  backend: KernelBackend,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(kernelName, backendName);
  if (config === undefined) {
    throw new Error(`${backendName} backend has no ${kernelName} kernel to build on`);
  }
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new Error(`${kernelName} returned several outputs where one was expected`);
  }
  return out;
}

/** Drops one reference per TensorInfo (reshape outputs share data and hold their own reference). */
export function release(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
