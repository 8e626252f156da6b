import {
  Cast,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from "@tensorflow/tfjs-core";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter.ts";
import { conv2DBackpropInputWasmConfig } from "./conv2d-backprop-input.ts";
import { sameTypeCastConfig, sharedIdentityConfig } from "./shared-identity.ts";
import { webgpuAdamPackedParamConfig } from "./webgpu-adam.ts";
import { webgpuBatchNormBackwardConfig, webgpuBatchNormForwardConfig, webgpuRunningStatisticsConfig } from "./webgpu-batch-norm.ts";
import { webgpuBceOnLogitsConfig, webgpuBceOnLogitsGradConfig } from "./webgpu-bce.ts";
import { webgpuConv2DBiasConfig, webgpuMatMulBiasConfig } from "./webgpu-bias-products.ts";
import { webgpuConv2DBackpropFilterConfig } from "./webgpu-conv-filter-gradient.ts";
import { webgpuCrossEntropyConfig, webgpuCrossEntropyGradConfig } from "./webgpu-cross-entropy.ts";
import { webgpuLeakyReluDropoutConfig, webgpuLeakyReluDropoutGradConfig } from "./webgpu-dropout.ts";
import { webgpuLeakyReluGradConfig } from "./webgpu-leaky-relu.ts";
import { stockWebgpuKernels } from "./webgpu-stock.ts";
import { webgpuSumConfig } from "./webgpu-sum.ts";

let registered = false;

/**
 * Adds the training kernels the wasm backend lacks or runs slowly. Idempotent;
 * may run before or after the backend is initialised (kernels are looked up
 * per call).
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const stock = getKernel(Conv2DBackpropInput, "wasm");
  if (stock === undefined) {
    throw new Error("@tensorflow/tfjs-backend-wasm must be imported before its kernels are extended");
  }
  // Re-registering an existing name only logs a warning and replaces it;
  // unregistering first keeps the log clean. The stock kernel stays as the
  // fallback for the cases the faster one does not cover, and its setupFunc
  // must still run for that (it binds the C++ entry point).
  unregisterKernel(Conv2DBackpropInput, "wasm");
  registerKernel({ ...conv2DBackpropInputWasmConfig(stock.kernelFunc), setupFunc: stock.setupFunc });
  if (getKernel(Conv2DBackpropFilter, "wasm") === undefined) {
    registerKernel(conv2DBackpropFilterConfig("wasm"));
  }
  replaceWasmKernel(Identity, sharedIdentityConfig);
  replaceWasmKernel(Cast, sameTypeCastConfig);
  registered = true;
}

function replaceWasmKernel(name: string, wrap: (stock: KernelConfig) => KernelConfig): void {
  const stock = getKernel(name, "wasm");
  if (stock === undefined) throw new Error(`@tensorflow/tfjs-backend-wasm has no ${name} kernel to extend`);
  unregisterKernel(name, "wasm");
  registerKernel(wrap(stock));
}

let cpuRegistered = false;

/** Replaces the cpu backend's scalar-loop Conv2DBackpropFilter with the one built on its Conv2D. */
export function registerCpuTrainingKernels(): void {
  if (cpuRegistered) return;
  unregisterKernel(Conv2DBackpropFilter, "cpu");
  registerKernel(conv2DBackpropFilterConfig("cpu"));
  cpuRegistered = true;
}

/**
 * The kernels this project registers for webgpu, over tfjs-backend-webgpu's own or of its own name
 * (Adam's step from every parameter's moments packed in one tensor: 1 dispatch per parameter and 1 per 7 parameters' moments, for 13; batch norm's forward and backward: 3 each for about 12; its
 * running statistics: 2 for 7; the leaky ReLU's gradient: 1 for 3; the leaky ReLU then dropout: 1 each way for 2; a sum over
 * all axes but the innermost: 1 for 2; the class head's cross-entropy: 1 each way for about 11 and 9; the
 * adversarial binary cross-entropy from the logit: 1 each way for 2-4 and 4-5; a convolution or a dense
 * layer's product with its bias added: 1 for 2; Conv2DBackpropFilter as a tiled product, split over
 * the reduction where its tiles are few: 1 or 2 dispatches, for speed, not count). Each is checked against the cpu backend by
 * test/backends/webgpu-swiftshader.test.ts, which fails for one it has no case for.
 */
export const WEBGPU_TRAINING_KERNELS: readonly KernelConfig[] = [
  webgpuAdamPackedParamConfig,
  webgpuBatchNormForwardConfig,
  webgpuBatchNormBackwardConfig,
  webgpuRunningStatisticsConfig,
  webgpuLeakyReluGradConfig,
  webgpuLeakyReluDropoutConfig,
  webgpuLeakyReluDropoutGradConfig,
  webgpuSumConfig,
  webgpuCrossEntropyConfig,
  webgpuCrossEntropyGradConfig,
  webgpuBceOnLogitsConfig,
  webgpuBceOnLogitsGradConfig,
  webgpuConv2DBiasConfig,
  webgpuMatMulBiasConfig,
  webgpuConv2DBackpropFilterConfig,
];

let webgpuRegistered = false;

/** Registers WEBGPU_TRAINING_KERNELS, replacing stock kernels of the same name (kept in stockWebgpuKernels). Idempotent. */
export function registerWebgpuTrainingKernels(): void {
  if (webgpuRegistered) return;
  for (const config of WEBGPU_TRAINING_KERNELS) {
    const stock = getKernel(config.kernelName, "webgpu");
    if (stock !== undefined) {
      stockWebgpuKernels.set(config.kernelName, stock.kernelFunc);
      unregisterKernel(config.kernelName, "webgpu");
    }
    registerKernel(config);
  }
  webgpuRegistered = true;
}
