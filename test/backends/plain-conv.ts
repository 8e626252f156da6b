import { backend_util } from "@tensorflow/tfjs-core";

type Pad = Parameters<typeof backend_util.computeConv2DInfo>[4];
type Shape4 = [number, number, number, number];

/** The convolution geometry both plain gradients share (NHWC, dilation 1). */
function geometry(xShape: Shape4, filterShape: Shape4, strides: [number, number], pad: Pad) {
  const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
  return { ...info, top: info.padInfo.top, left: info.padInfo.left };
}

/**
 * dW[kh,kw,ci,co] = sum over b, oh, ow of x[b, oh*sH + kh - top, ow*sW + kw - left, ci] * dy[b, oh, ow, co]:
 * the definition as four plain loops, the yardstick for every optimised kernel.
 */
export function plainConv2DBackpropFilter(
  x: Float32Array, xShape: Shape4, dy: Float32Array, filterShape: Shape4, strides: [number, number], pad: Pad,
): Float32Array {
  const g = geometry(xShape, filterShape, strides, pad);
  const [, h, w, ci] = xShape;
  const co = g.outChannels;
  const dw = new Float64Array(filterShape.reduce((a, b) => a * b, 1));
  for (let b = 0; b < g.batchSize; b++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh - g.top;
          if (ih < 0 || ih >= h) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const iw = ow * g.strideWidth + kw - g.left;
            if (iw < 0 || iw >= w) continue;
            for (let c = 0; c < ci; c++) {
              const xv = x[((b * h + ih) * w + iw) * ci + c];
              const dyBase = ((b * g.outHeight + oh) * g.outWidth + ow) * co;
              const dwBase = ((kh * g.filterWidth + kw) * ci + c) * co;
              for (let o = 0; o < co; o++) dw[dwBase + o] += xv * dy[dyBase + o];
            }
          }
        }
  return Float32Array.from(dw);
}

/** dx[b,ih,iw,ci] = sum over the windows that read it of filter[kh,kw,ci,co] * dy[b,oh,ow,co]. */
export function plainConv2DBackpropInput(
  dy: Float32Array, xShape: Shape4, filter: Float32Array, filterShape: Shape4, strides: [number, number], pad: Pad,
): Float32Array {
  const g = geometry(xShape, filterShape, strides, pad);
  const [, h, w, ci] = xShape;
  const co = g.outChannels;
  const dx = new Float64Array(xShape.reduce((a, b) => a * b, 1));
  for (let b = 0; b < g.batchSize; b++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh - g.top;
          if (ih < 0 || ih >= h) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const iw = ow * g.strideWidth + kw - g.left;
            if (iw < 0 || iw >= w) continue;
            for (let c = 0; c < ci; c++) {
              let sum = 0;
              const dyBase = ((b * g.outHeight + oh) * g.outWidth + ow) * co;
              const fBase = ((kh * g.filterWidth + kw) * ci + c) * co;
              for (let o = 0; o < co; o++) sum += filter[fBase + o] * dy[dyBase + o];
              dx[((b * h + ih) * w + iw) * ci + c] += sum;
            }
          }
        }
  return Float32Array.from(dx);
}
