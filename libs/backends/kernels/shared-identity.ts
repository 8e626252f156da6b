import {
  Cast,
  Identity,
  type CastAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";

/**
 * Identity, and Cast to the dtype a tensor already has, as a new reference to the same buffer
 * (what the cpu backend and Reshape do): tensors are immutable, so the copy the stock wasm kernels
 * make buys nothing. Autograd calls them for every multiply's gradient (cast(b, "float32")), about
 * 650 full-size copies per SGAN step.
 */
function share(backend: KernelBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function sharedIdentityConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (call) => {
    const { x } = call.inputs as { x: TensorInfo };
    return x.dtype === "string" ? stock.kernelFunc(call) : share(call.backend as KernelBackend, x);
  };
  return { ...stock, kernelName: Identity, kernelFunc };
}

export function sameTypeCastConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (call) => {
    const { x } = call.inputs as { x: TensorInfo };
    const { dtype } = call.attrs as unknown as CastAttrs;
    return dtype === x.dtype && dtype !== "string" ? share(call.backend as KernelBackend, x) : stock.kernelFunc(call);
  };
  return { ...stock, kernelName: Cast, kernelFunc };
}
