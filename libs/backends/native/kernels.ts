import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { loadNativeAddon } from "./addon.ts";
import { fusedKernelConfigs, FUSED_KERNELS } from "./fused-kernels.ts";
import { CONV_KERNELS } from "./conv-kernels.ts";
import { ELEMENTWISE_KERNELS } from "./elementwise-kernels.ts";
import type { NativeKernel } from "./native-kernel.ts";
import { MATMUL_KERNEL } from "./matmul-kernel.ts";
import { REDUCE_KERNELS } from "./reduce-kernels.ts";

const NATIVE: NativeKernel[] = [...CONV_KERNELS, MATMUL_KERNEL, ...REDUCE_KERNELS, ...ELEMENTWISE_KERNELS];

/** The wasm kernels the native ones replaced, to restore on disable. */
let replaced: KernelConfig[] | undefined;

export type NativeKernelsStatus = { enabled: true; blas: string; convPrimitives: boolean } | { enabled: false; reason: string };

/**
 * Routes the wasm backend's convolutions, matrix products, reductions and element-wise ops through
 * the native addon, and adds the fused batch-norm and Adam kernels, on `threads` OpenMP threads. Must run after the wasm training kernels are
 * registered: the kernels in place stay as the fallback for the calls the native ones do not cover.
 */
export function enableNativeKernels(threads: number): NativeKernelsStatus {
  const load = loadNativeAddon();
  if (!load.ok) return { enabled: false, reason: load.reason };
  load.addon.setThreads(threads);
  if (replaced === undefined) {
    const stock = NATIVE.map(({ name }) => {
      const config = getKernel(name, "wasm");
      if (config === undefined) throw new Error(`wasm backend has no ${name} kernel to fall back on`);
      return config;
    });
    NATIVE.forEach((kernel, i) => {
      unregisterKernel(kernel.name, "wasm");
      registerKernel({ ...stock[i]!, kernelFunc: kernel.make(load.addon, stock[i]!.kernelFunc) });
    });
    replaced = stock;
    for (const config of fusedKernelConfigs(load.addon)) registerKernel(config);
  }
  return { enabled: true, blas: load.addon.blas!, convPrimitives: load.addon.setConvPrimitives(true) };
}

/** Puts the wasm kernels back (for side-by-side measurements and tests). */
export function disableNativeKernels(): void {
  if (replaced === undefined) return;
  for (const stock of replaced) {
    unregisterKernel(stock.kernelName, "wasm");
    registerKernel(stock);
  }
  for (const name of Object.values(FUSED_KERNELS)) unregisterKernel(name, "wasm");
  replaced = undefined;
}
