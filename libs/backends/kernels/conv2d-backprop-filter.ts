import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { callKernel, release } from "./kernel-calls.ts";

/**
 * Conv2DBackpropFilter built on a backend's own forward convolution. The wasm
 * backend ships none; the cpu backend's is a scalar loop (~0.01 GFLOP/s, about 30 s
 * for one SGAN generator layer at batch 4) where its Conv2D is ~40x faster.
 *
 * dW[kh,kw,ci,co] = sum over (b,oh,ow) of x[b, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[b,oh,ow,co]
 * is itself a convolution once the roles are swapped: take x with input channels
 * as the batch ([ci, H, W, b]) and dy as the filter ([oH, oW, b, co]), stride 1 and
 * dilation = the forward stride; the output is [ci, fH, fW, co]. That puts the work
 * in the backend's convolution (on wasm XNNPACK's: threaded, SIMD) and needs only two transposes of the
 * operands, where an im2col built from StridedSlice/Concat copies x fH*fW times
 * and measured 2.5x-40x slower on the SGAN's shapes.
 */
const conv2DBackpropFilterOn = (backendName: string): KernelFunc => ({ inputs, backend: anyBackend, attrs }) => {
  const call = (name: string, kernelInputs: Parameters<typeof callKernel>[3], kernelAttrs?: Parameters<typeof callKernel>[4]) =>
    callKernel(backendName, backend, name, kernelInputs, kernelAttrs);
  const backend = anyBackend as KernelBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== "channelsLast") {
    throw new Error(`${backendName} Conv2DBackpropFilter supports NHWC only (as does the wasm Conv2D)`);
  }
  const { strideHeight: sH, strideWidth: sW, filterHeight: fH, filterWidth: fW, outHeight: oH, outWidth: oW } = info;
  const { top, left } = info.padInfo;
  const [b, h, w, c] = x.shape;

  // Rows/columns past the last window are never read; XNNPACK cannot take the
  // negative bottom/right padding that would skip them, so crop them instead.
  const usedH = Math.min(h, (oH - 1) * sH + fH - top);
  const usedW = Math.min(w, (oW - 1) * sW + fW - left);
  const temps: TensorInfo[] = [];
  let xUsed = x;
  if (usedH < h || usedW < w) {
    xUsed = call("Slice", { x }, { begin: [0, 0, 0, 0], size: [b, usedH, usedW, c] });
    temps.push(xUsed);
  }
  try {
    const xT = call("Transpose", { x: xUsed }, { perm: [3, 1, 2, 0] });
    temps.push(xT);
    const dyT = call("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyT);
    const bottom = (oH - 1) * sH + fH - top - usedH;
    const right = (oW - 1) * sW + fW - left - usedW;
    const swapped = call(
      "Conv2D",
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [sH, sW],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: "NHWC",
        dimRoundingMode: undefined,
      } as never,
    );
    temps.push(swapped);
    return call("Transpose", { x: swapped }, { perm: [1, 2, 0, 3] });
  } finally {
    release(backend, ...temps);
  }
};

export function conv2DBackpropFilterConfig(backendName: string): KernelConfig {
  return { kernelName: Conv2DBackpropFilter, backendName, kernelFunc: conv2DBackpropFilterOn(backendName) };
}
