// The discriminator's leaky ReLU then Dropout2d on webgpu in 1 dispatch each way where tfjs takes 2
// forward (LeakyRelu, then tf.dropout's Multiply by its mask; the mask's Add, Floor and RealDiv on the
// tiny noise run on the CPU) and 2 backward (the mask's Multiply, then the leaky ReLU's gradient). The
// same operations in the same order: mask = floor(noise + keep) / keep, the noise one value per sample
// and channel broadcast over the spatial axes; y = leaky(x) * mask; dx = leaky'(x) applied to dy * mask.
import { elementwiseKernel } from "./webgpu-elementwise.ts";

/** Kernels for webgpu only: libs/sgan's leakyReluChannelDropout composes tf.leakyRelu and tf.dropout where they are missing. */
export const LEAKY_RELU_DROPOUT_KERNEL = "SganLeakyReluDropout";
export const LEAKY_RELU_DROPOUT_GRAD_KERNEL = "SganLeakyReluDropoutGrad";

const UNIFORMS = "sampleSize : i32, channels : i32, keep : f32, alpha : f32,";
const MASK = `let mask = floor(Noise[(index / uniforms.sampleSize) * uniforms.channels + index % uniforms.channels] + uniforms.keep) / uniforms.keep;`;

/** x [n, h, w, c], noise [n, 1, 1, c] uniform in [0, 1); attrs keepProbability, alpha. */
const uniformValues = ([, h, w, channels]: number[], attrs: Record<string, unknown>) => [
  { type: "int32", data: [h! * w! * channels!] },
  { type: "int32", data: [channels!] },
  { type: "float32", data: [attrs.keepProbability as number] },
  { type: "float32", data: [attrs.alpha as number] },
];

/** inputs x, noise -> leaky(x) scaled by the kept channels' mask. */
export const webgpuLeakyReluDropoutConfig = elementwiseKernel({
  kernelName: LEAKY_RELU_DROPOUT_KERNEL,
  inputs: { x: "X", noise: "Noise" },
  uniforms: UNIFORMS,
  preamble: MASK,
  value: "select(X[index] * uniforms.alpha, X[index], X[index] > 0.0) * mask",
  uniformValues,
});

/** inputs dy, x, noise (the forward's) -> dx. */
export const webgpuLeakyReluDropoutGradConfig = elementwiseKernel({
  kernelName: LEAKY_RELU_DROPOUT_GRAD_KERNEL,
  inputs: { dy: "DY", x: "X", noise: "Noise" },
  uniforms: UNIFORMS,
  preamble: `${MASK} let masked = DY[index] * mask;`,
  value: "select(masked * uniforms.alpha, masked, X[index] > 0.0)",
  uniformValues,
});
