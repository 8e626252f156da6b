import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { callKernel, release } from "./kernel-calls.ts";

/**
 * Conv2DBackpropInput for the wasm backend as a forward convolution of dy with
 * the spatially flipped, in/out-swapped filter. The stock wasm kernel is a
 * scalar loop: about 4 s for the SGAN generator's 128->64 layer at batch 64,
 * img 28, against about 0.4 s through XNNPACK's convolution this way.
 *
 * Strides > 1 first spread dy out with (stride - 1) zeros between entries
 * (a reshape to [b, oH, 1, oW, 1, c], a pad, a reshape back), which turns the
 * transposed convolution into a stride-1 one. Cases this does not cover (NCHW,
 * padding wider than the filter, stride with 1-3 input channels) go to the stock
 * kernel.
 */
export function makeConv2DBackpropInputWasm(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as KernelBackend;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(dataFormat),
    );
    const { strideHeight: sH, strideWidth: sW, filterHeight: fH, filterWidth: fW } = info;
    const { inHeight: h, inWidth: w, outHeight: oH, outWidth: oW, batchSize: b, outChannels: co } = info;
    // Height/width of dy after spreading, before trimming the trailing zeros.
    const spreadH = oH * sH;
    const spreadW = oW * sW;
    const padTop = fH - 1 - info.padInfo.top;
    const padLeft = fW - 1 - info.padInfo.left;
    // Output rows = spreadH + padTop + padBottom - fH + 1 must equal h.
    const padBottom = h - spreadH + fH - 1 - padTop;
    const padRight = w - spreadW + fW - 1 - padLeft;
    // With very few input channels and a stride, spreading dy costs more than the
    // stock loop saves (measured: 1 channel, stride 2, img 28, batch 64: 6 ms vs 2.6 ms).
    const tinyStrided = (sH > 1 || sW > 1) && info.inChannels < 4;
    if (info.dataFormat !== "channelsLast" || padTop < 0 || padLeft < 0 || tinyStrided) {
      return fallback(args);
    }

    const temps: TensorInfo[] = [];
    try {
      let source = dy;
      if (sH > 1 || sW > 1) {
        const grid = callKernel("wasm", backend, "Reshape", { x: dy }, { shape: [b, oH, 1, oW, 1, co] });
        temps.push(grid);
        const spread = callKernel(
          "wasm",
          backend,
          "PadV2",
          { x: grid },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, sH - 1],
              [0, 0],
              [0, sW - 1],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
        temps.push(spread);
        source = callKernel("wasm", backend, "Reshape", { x: spread }, { shape: [b, spreadH, spreadW, co] });
        temps.push(source);
      }
      // A negative bottom/right pad means dy's last rows/columns (zeros when spread)
      // fall outside every window: crop them, XNNPACK takes no negative padding.
      if (padBottom < 0 || padRight < 0) {
        const cropped = callKernel(
          "wasm",
          backend,
          "Slice",
          { x: source },
          { begin: [0, 0, 0, 0], size: [b, spreadH + Math.min(padBottom, 0), spreadW + Math.min(padRight, 0), co] },
        );
        temps.push(cropped);
        source = cropped;
      }
      const flipped = callKernel("wasm", backend, "Reverse", { x: filter }, { dims: [0, 1] });
      temps.push(flipped);
      const swapped = callKernel("wasm", backend, "Transpose", { x: flipped }, { perm: [0, 1, 3, 2] });
      temps.push(swapped);
      return callKernel(
        "wasm",
        backend,
        "Conv2D",
        { x: source, filter: swapped },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [padTop, Math.max(padBottom, 0)],
            [padLeft, Math.max(padRight, 0)],
            [0, 0],
          ],
          dataFormat: "NHWC",
          dimRoundingMode: undefined,
        } as never,
      );
    } finally {
      release(backend, ...temps);
    }
  };
}

export function conv2DBackpropInputWasmConfig(fallback: KernelFunc): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: "wasm",
    kernelFunc: makeConv2DBackpropInputWasm(fallback),
  };
}
