// Dropout2d's scaling on webgpu in 1 dispatch each way where tf.dropout takes 4 kernels forward (Add,
// Floor, RealDiv on the noise, Multiply) and 1 backward: x * (floor(noise + keep) / keep), the same
// operations in the same order, the noise one value per sample and channel broadcast over the spatial
// axes. The gradient is the same scaling of dy by the same noise.
import { elementwiseKernel } from "./webgpu-elementwise.ts";

/** A kernel for webgpu only: libs/sgan's channelDropout takes tf.dropout where it is missing. */
export const DROPOUT_SCALE_KERNEL = "SganDropoutScale";

/** inputs x [n, h, w, c], noise [n, 1, 1, c] uniform in [0, 1); attrs keepProbability -> x scaled by the kept channels' mask. */
export const webgpuDropoutScaleConfig = elementwiseKernel({
  kernelName: DROPOUT_SCALE_KERNEL,
  inputs: { x: "X", noise: "Noise" },
  uniforms: "sampleSize : i32, channels : i32, keep : f32,",
  preamble: "let noise = Noise[(index / uniforms.sampleSize) * uniforms.channels + index % uniforms.channels];",
  value: "X[index] * (floor(noise + uniforms.keep) / uniforms.keep)",
  uniformValues: ([, h, w, channels], attrs) => [
    { type: "int32", data: [h! * w! * channels!] },
    { type: "int32", data: [channels!] },
    { type: "float32", data: [attrs.keepProbability as number] },
  ],
});
