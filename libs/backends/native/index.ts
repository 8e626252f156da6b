/**
 * Native kernels for the wasm backend: Conv2D and its gradients (im2col / col2im plus SGEMM),
 * BatchMatMul (SGEMM) and Sum / Mean over non-innermost axes, using the machine's SGEMM (oneDNN
 * or OpenBLAS, found at run time) and working in place on the wasm heap. Built by
 * `npm run native:build`; without the build or a BLAS the wasm kernels run and
 * `enableNativeKernels` says why.
 */
export { enableNativeKernels, disableNativeKernels, type NativeKernelsStatus } from "./kernels.ts";
export { FUSED_KERNELS } from "./fused-kernels.ts";
