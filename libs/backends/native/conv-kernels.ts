import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelFunc,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./addon.ts";
import { allFloat32, runInPlace, type NativeKernel } from "./native-kernel.ts";

type Shape4 = [number, number, number, number];
type Call = Parameters<KernelFunc>[0];
type Plan = { info: backend_util.Conv2DInfo; a: TensorInfo; b: TensorInfo; outShape: number[] };
type Run = (addon: NativeAddon, geometry: Int32Array, a: Float32Array, b: Float32Array, out: Float32Array) => void;

/** The 15 fields sgan_native.cc's Geometry reads, in its order. */
function geometryOf(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth,
  );
}

/** What the native loops cover: NHWC float32 with no empty dimension. */
function covered({ info, a, b }: Plan): boolean {
  const dims = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels];
  return info.dataFormat === "channelsLast" && allFloat32(a, b) && dims.every((n) => n > 0);
}

function convKernel(name: string, plan: (call: Call) => Plan, run: Run): NativeKernel {
  return {
    name,
    make: (addon, fallback) => (call) => {
      const planned = plan(call);
      if (!covered(planned)) return fallback(call);
      return runInPlace(call.backend as BackendWasm, [planned.a, planned.b], planned.outShape, ([a, b], out) =>
        run(addon, geometryOf(planned.info), a!, b!, out));
    },
  };
}

const conv2dPlan = ({ inputs, attrs }: Call): Plan => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, strides, dilations, pad,
    dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
  return { info, a: x, b: filter, outShape: info.outShape };
};

const backpropFilterPlan = ({ inputs, attrs }: Call): Plan => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false,
    backend_util.convertConv2DDataFormat(dataFormat));
  return { info, a: x, b: dy, outShape: [...filterShape] };
};

const backpropInputPlan = ({ inputs, attrs }: Call): Plan => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode,
    false, backend_util.convertConv2DDataFormat(dataFormat));
  return { info, a: dy, b: filter, outShape: [...inputShape] };
};

/** Conv2D and its two gradients as im2col / col2im plus SGEMM. */
export const CONV_KERNELS: NativeKernel[] = [
  convKernel(Conv2D, conv2dPlan, (addon, g, x, w, y) => addon.conv2d(g, x, w, y)),
  convKernel(Conv2DBackpropFilter, backpropFilterPlan, (addon, g, x, dy, dw) => addon.conv2dBackpropFilter(g, x, dy, dw)),
  convKernel(Conv2DBackpropInput, backpropInputPlan, (addon, g, dy, w, dx) => addon.conv2dBackpropInput(g, dy, w, dx)),
];
