import { backend_util } from "@tensorflow/tfjs-core";

type Pad = Parameters<typeof backend_util.computeConv2DInfo>[4];
type Shape4 = [number, number, number, number];

/** The convolution geometry both plain gradients share (NHWC, dilation 1). */
function geometry(xShape: Shape4, filterShape: Shape4, strides: [number, number], pad: Pad) {
  const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
  return { ...info, top: info.padInfo.top, left: info.padInfo.left };
}

/**
 * Calls `visit(xIndex, dyIndex, filterIndex)` with the base offsets (channel 0) of every
 * (input pixel, output pixel, filter tap) triple the forward convolution multiplies together.
 */
function forEachTap(
  xShape: Shape4, filterShape: Shape4, strides: [number, number], pad: Pad,
  visit: (xBase: number, dyBase: number, filterBase: number) => void,
): void {
  const g = geometry(xShape, filterShape, strides, pad);
  const [, h, w, ci] = xShape;
  const co = g.outChannels;
  for (let b = 0; b < g.batchSize; b++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh - g.top;
          if (ih < 0 || ih >= h) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const iw = ow * g.strideWidth + kw - g.left;
            if (iw < 0 || iw >= w) continue;
            visit(((b * h + ih) * w + iw) * ci, ((b * g.outHeight + oh) * g.outWidth + ow) * co, (kh * g.filterWidth + kw) * ci * co);
          }
        }
}

/**
 * dW[kh,kw,ci,co] = sum over b, oh, ow of x[b, oh*sH + kh - top, ow*sW + kw - left, ci] * dy[b, oh, ow, co]:
 * the definition as plain loops, the yardstick for every optimised kernel.
 */
export function plainConv2DBackpropFilter(
  x: Float32Array, xShape: Shape4, dy: Float32Array, filterShape: Shape4, strides: [number, number], pad: Pad,
): Float32Array {
  const [, , ci, co] = filterShape;
  const dw = new Float64Array(filterShape.reduce((a, b) => a * b, 1));
  forEachTap(xShape, filterShape, strides, pad, (xBase, dyBase, filterBase) => {
    for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dw[filterBase + c * co + o] += x[xBase + c] * dy[dyBase + o];
  });
  return Float32Array.from(dw);
}

/** y[b,oh,ow,co] = sum over kh, kw, ci of x[b, oh*sH + kh - top, ow*sW + kw - left, ci] * filter[kh,kw,ci,co]. */
export function plainConv2D(
  x: Float32Array, xShape: Shape4, filter: Float32Array, filterShape: Shape4, strides: [number, number], pad: Pad,
): Float32Array {
  const [, , ci, co] = filterShape;
  const g = geometry(xShape, filterShape, strides, pad);
  const y = new Float64Array(g.batchSize * g.outHeight * g.outWidth * co);
  forEachTap(xShape, filterShape, strides, pad, (xBase, yBase, filterBase) => {
    for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) y[yBase + o] += x[xBase + c] * filter[filterBase + c * co + o];
  });
  return Float32Array.from(y);
}

/** dx[b,ih,iw,ci] = sum over the windows that read it of filter[kh,kw,ci,co] * dy[b,oh,ow,co]. */
export function plainConv2DBackpropInput(
  dy: Float32Array, xShape: Shape4, filter: Float32Array, filterShape: Shape4, strides: [number, number], pad: Pad,
): Float32Array {
  const [, , ci, co] = filterShape;
  const dx = new Float64Array(xShape.reduce((a, b) => a * b, 1));
  forEachTap(xShape, filterShape, strides, pad, (xBase, dyBase, filterBase) => {
    for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dx[xBase + c] += filter[filterBase + c * co + o] * dy[dyBase + o];
  });
  return Float32Array.from(dx);
}
