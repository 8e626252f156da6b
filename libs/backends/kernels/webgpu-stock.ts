import type { KernelFunc } from "@tensorflow/tfjs-core";

/** tfjs-backend-webgpu's own kernels that registerWebgpuTrainingKernels replaced, for the cases a replacement hands back. */
export const stockWebgpuKernels = new Map<string, KernelFunc>();
