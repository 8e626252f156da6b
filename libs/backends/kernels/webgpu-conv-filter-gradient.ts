// Conv2DBackpropFilter on webgpu as a tiled matrix product: dW [fH fW ci, co] = A B with
// A[m, k] = x at filter position and input channel m, output position k (gathered on the fly: an
// implicit im2col) and B[k, n] = dy[k, n]. tfjs-backend-webgpu's own kernel gives each output element
// one thread that loops over every batch image and output position alone (about 67 ms a step of the
// seed's at batch 64 on an H100, stack facts); here a workgroup of 16 x 16 threads computes a 16 x 16
// tile of dW from 16 x 16 tiles of A and B in workgroup memory, and where the tiles are too few to fill
// a device, the reduction over k is split between workgroups (split-K) and summed by a second dispatch.
import { backend_util, type Conv2DBackpropFilterAttrs, type KernelConfig, type TensorInfo } from "@tensorflow/tfjs-core";
// Types only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { elementwiseProgram } from "./webgpu-elementwise.ts";
import { stockWebgpuKernels } from "./webgpu-stock.ts";

const TILE = 16;
/** Workgroups worth filling a large device with (an H100 has 132 multiprocessors). */
const TARGET_WORKGROUPS = 256;
/** The fewest tiles of k a split reduces: below it, the second dispatch costs more than the split gains. */
const MIN_CHUNKS_PER_SPLIT = 8;

/** The product's sizes and the convolution's geometry, all baked into the shader (its key names them). */
interface Geometry {
  m: number; n: number; k: number;
  height: number; width: number; inChannels: number;
  filterWidth: number; outHeight: number; outWidth: number;
  strideHeight: number; strideWidth: number; top: number; left: number;
}

/** How many workgroups share the reduction over k, and how many of its values each takes. */
function splitOf({ m, n, k }: Pick<Geometry, "m" | "n" | "k">): { splits: number; perSplit: number } {
  const tiles = Math.ceil(m / TILE) * Math.ceil(n / TILE);
  const chunks = Math.ceil(k / TILE);
  const wanted = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(chunks / MIN_CHUNKS_PER_SPLIT)));
  const perSplit = Math.ceil(chunks / wanted) * TILE;
  return { splits: Math.ceil(k / perSplit), perSplit };
}

function tiledProgram(g: Geometry, splits: number, perSplit: number, outputShape: number[]): WebGPUProgram {
  const layout = Object.values(g).join("_");
  return {
    variableNames: ["X", "DY"],
    outputShape,
    shaderKey: `sganConvFilterGradient_${layout}_${splits}_${perSplit}`,
    // The reduction's length as a uniform, read by the shader: a program must bind the uniforms tfjs passes.
    uniforms: "k : i32,",
    workgroupSize: [TILE, TILE, 1],
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(g.n / TILE), Math.ceil(g.m / TILE), splits],
    getUserCode: () => `
      var<workgroup> tileA : array<f32, ${TILE * TILE}>;
      var<workgroup> tileB : array<f32, ${TILE * TILE}>;
      fn main(index : i32) {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let m = i32(workgroupId.y) * ${TILE} + ty;
        let n = i32(workgroupId.x) * ${TILE} + tx;
        let split = i32(workgroupId.z);
        let kBegin = split * ${perSplit};
        let kEnd = min(kBegin + ${perSplit}, uniforms.k);
        // m's input channel and filter position
        let ci = m % ${g.inChannels};
        let fw = (m / ${g.inChannels}) % ${g.filterWidth};
        let fh = m / (${g.inChannels} * ${g.filterWidth});
        var total = 0.0;
        // A constant trip count keeps the barriers in uniform control flow.
        for (var chunk = 0; chunk < ${perSplit / TILE}; chunk = chunk + 1) {
          let k0 = kBegin + chunk * ${TILE};
          let ka = k0 + tx;
          var a = 0.0;
          if (m < ${g.m} && ka < kEnd) {
            let ow = ka % ${g.outWidth};
            let oh = (ka / ${g.outWidth}) % ${g.outHeight};
            let image = ka / (${g.outWidth * g.outHeight});
            let ih = oh * ${g.strideHeight} + fh - ${g.top};
            let iw = ow * ${g.strideWidth} + fw - ${g.left};
            if (ih >= 0 && ih < ${g.height} && iw >= 0 && iw < ${g.width}) {
              a = X[((image * ${g.height} + ih) * ${g.width} + iw) * ${g.inChannels} + ci];
            }
          }
          tileA[ty * ${TILE} + tx] = a;
          let kb = k0 + ty;
          var b = 0.0;
          if (n < ${g.n} && kb < kEnd) {
            b = DY[kb * ${g.n} + n];
          }
          tileB[ty * ${TILE} + tx] = b;
          workgroupBarrier();
          for (var j = 0; j < ${TILE}; j = j + 1) {
            total = total + tileA[ty * ${TILE} + j] * tileB[j * ${TILE} + tx];
          }
          workgroupBarrier();
        }
        if (m < ${g.m} && n < ${g.n}) {
          setOutputAtIndex(split * ${g.m * g.n} + m * ${g.n} + n, total);
        }
      }`,
  };
}

export const webgpuConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "webgpu",
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, backend_util.convertConv2DDataFormat(dataFormat));
    // The stock kernel keeps what the training never asks for: channels first.
    if (info.dataFormat !== "channelsLast") return stockWebgpuKernels.get("Conv2DBackpropFilter")!(args);
    const [fH, fW, inChannels, outChannels] = filterShape;
    const g: Geometry = {
      m: fH * fW * inChannels, n: outChannels, k: info.batchSize * info.outHeight * info.outWidth,
      height: info.inHeight, width: info.inWidth, inChannels,
      filterWidth: fW, outHeight: info.outHeight, outWidth: info.outWidth,
      strideHeight: info.strideHeight, strideWidth: info.strideWidth, top: info.padInfo.top, left: info.padInfo.left,
    };
    const webgpu = backend as WebGPUBackend;
    const { splits, perSplit } = splitOf(g);
    const reduction = [{ type: "int32", data: [g.k] }];
    if (splits === 1) return webgpu.runWebGPUProgram(tiledProgram(g, 1, perSplit, [...filterShape]), [x, dy], "float32", reduction);
    const partials = webgpu.runWebGPUProgram(tiledProgram(g, splits, perSplit, [splits, g.m * g.n]), [x, dy], "float32", reduction);
    const sum = `var total = 0.0; for (var s = 0; s < ${splits}; s = s + 1) { total = total + Partials[s * ${g.m * g.n} + index]; }`;
    const summed = webgpu.runWebGPUProgram(
      elementwiseProgram({ key: `sganConvFilterGradientSum_${splits}_${g.m * g.n}`, inputs: ["Partials"], uniforms: "", shape: [...filterShape], preamble: sum, value: "total" }),
      [partials],
      "float32",
    );
    webgpu.disposeData(partials.dataId);
    return summed;
  },
};
