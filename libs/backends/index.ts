/**
 * Compute backend selection for training: `await initBackend(choice)` once at
 * start-up, before creating tensors (tensors live on the backend active when
 * they were made).
 *
 * - "auto": tensorflow (tfjs-node-gpu, tfjs-node: only if the deployment
 *   installed one) > webgpu (hardware adapter via the `webgpu` package) > wasm > cpu.
 * - wasm runs SIMD + XNNPACK threads (default os.cpus().length, fixed for the
 *   process) and gets Conv2DBackpropFilter (missing upstream) and a faster
 *   Conv2DBackpropInput registered.
 * - Nothing is required at exit: the wasm pthread workers are unref'd.
 *   `shutdownBackend()` is there for an orderly teardown and is final.
 * - Without a GPU, `routeWebgpu` points the webgpu backend at SwiftShader (Chromium's Vulkan
 *   software driver) for tests and benchmarks; "auto" never picks a software adapter.
 * - Logs go through the "backends" logger (LOG_LEVEL=debug shows each skipped backend).
 */
export { BackendUnavailableError, type BackendChoice, type BackendInfo, type BackendName, type InitOptions } from "./types.ts";
export { initBackend } from "./init.ts";
export { shutdownBackend } from "./shutdown.ts";
export { routeWebgpu, type WebgpuRoute } from "./swiftshader.ts";
export { FUSED_KERNELS } from "./native/index.ts";
export { RUNNING_STATISTICS_KERNEL } from "./kernels/webgpu-batch-norm.ts";
export { LEAKY_RELU_GRAD_KERNEL } from "./kernels/webgpu-leaky-relu.ts";
export { LEAKY_RELU_DROPOUT_GRAD_KERNEL, LEAKY_RELU_DROPOUT_KERNEL } from "./kernels/webgpu-dropout.ts";
export { ADAM_PACKED_PARAM_KERNEL, updatePackedMoments, type PackedGradient } from "./kernels/webgpu-adam.ts";
export { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from "./kernels/webgpu-cross-entropy.ts";
export { BCE_ON_LOGITS_GRAD_KERNEL, BCE_ON_LOGITS_KERNEL } from "./kernels/webgpu-bce.ts";
export { CONV2D_BIAS_KERNEL, MATMUL_BIAS_KERNEL } from "./kernels/webgpu-bias-products.ts";
