// Training-mode batch norm over every axis but the innermost, forward and closed-form backward
// (libs/sgan/layers.ts batchNormTraining), on webgpu in 3 dispatches each where the formula takes
// about 12: per channel, one workgroup reduces the column of a [count, channels] view (no transpose),
// and one element-wise pass uses the reductions.
import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
// Types only: importing tfjs-backend-webgpu's code registers the backend, which must wait for Dawn (webgpu.ts).
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { FUSED_KERNELS } from "../native/fused-kernels.ts";
import { elementwiseProgram } from "./webgpu-elementwise.ts";

export const REDUCE_WORKGROUP = 64;

/** Every program of both directions takes the same uniforms (runner passes them). */
const UNIFORMS = "count : i32, channels : i32, eps : f32,";

/** 1 / sqrt(variance + eps) of a channel `c`, as tf.rsqrt(tf.add(variance, eps)). */
const INVERSE_STD = "(1.0 / sqrt(Variance[c] + uniforms.eps))";

/** The workgroup's scratch for workgroupSum, declared before main. */
export const WORKGROUP_SUMS = `var<workgroup> sums : array<f32, ${REDUCE_WORKGROUP}>;`;

/** WGSL: every thread of a REDUCE_WORKGROUP-wide workgroup adds its `value`; then sums[0] holds the total. */
export function workgroupSum(value: string): string {
  return `sums[localId.x] = ${value};
        workgroupBarrier();
        for (var span = ${REDUCE_WORKGROUP / 2}u; span > 0u; span = span / 2u) {
          if (localId.x < span) {
            sums[localId.x] = sums[localId.x] + sums[localId.x + span];
          }
          workgroupBarrier();
        }`;
}

/**
 * Sums, per channel c, `term` over the rows j of the [count, channels] view; the mean when `mean` is
 * set. Its uniforms are UNIFORMS (eps unused by a plain sum); `outputShape` holds `channels` values.
 */
export function channelReduction(key: string, inputs: string[], term: string, mean: boolean, channels: number, outputShape = [channels]): WebGPUProgram {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `sganChannelSum_${key}`,
    size: true,
    uniforms: UNIFORMS,
    workgroupSize: [REDUCE_WORKGROUP, 1, 1],
    dispatchLayout: { x: [0] },
    dispatch: [channels, 1, 1],
    getUserCode: () => `
      ${WORKGROUP_SUMS}
      fn main(index : i32) {
        let c = index / ${REDUCE_WORKGROUP};
        var total = 0.0;
        if (c < uniforms.size) {
          for (var row = i32(localId.x); row < uniforms.count; row = row + ${REDUCE_WORKGROUP}) {
            let j = row * uniforms.channels + c;
            total = total + ${term};
          }
        }
        ${workgroupSum("total")}
        if (localId.x == 0u && c < uniforms.size) {
          setOutputAtIndex(c, sums[0]${mean ? " / f32(uniforms.count)" : ""});
        }
      }`,
  };
}

/** `value` at every element index of `shape`, c being its channel. */
function perElement(key: string, inputs: string[], value: string, shape: number[]): WebGPUProgram {
  return elementwiseProgram({ key: `sganBatchNorm_${key}`, inputs, uniforms: UNIFORMS, shape, value, preamble: "let c = index % uniforms.channels;" });
}

/** Runs programs on UNIFORMS for x's [count, channels] view: rows, channels, epsilon. */
export function runner(backend: WebGPUBackend, x: TensorInfo, epsilon: number) {
  const channels = x.shape[x.shape.length - 1]!;
  const count = x.shape.reduce((a, b) => a * b, 1) / channels;
  const uniforms = [
    { type: "int32", data: [count] },
    { type: "int32", data: [channels] },
    { type: "float32", data: [epsilon] },
  ];
  return {
    channels,
    run: (program: WebGPUProgram, inputs: TensorInfo[]): TensorInfo => backend.runWebGPUProgram(program, inputs, "float32", uniforms),
  };
}

/** inputs x, gamma, beta; attrs.epsilon -> y, the batch mean, the biased batch variance. */
export const webgpuBatchNormForwardConfig: KernelConfig = {
  kernelName: FUSED_KERNELS.batchNormForward,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
    const { channels, run } = runner(backend as WebGPUBackend, x!, attrs!.epsilon as number);
    const mean = run(channelReduction("mean", ["X"], "X[j]", true, channels), [x!]);
    const centered = "(X[j] - Mean[c])";
    const variance = run(channelReduction("variance", ["X", "Mean"], `${centered} * ${centered}`, true, channels), [x!, mean]);
    // ((x - mean) * inverseStd) * gamma + beta, as batchNormTraining's formula.
    const y = run(
      perElement("forward", ["X", "Mean", "Variance", "Gamma", "Beta"], `((X[index] - Mean[c]) * ${INVERSE_STD}) * Gamma[c] + Beta[c]`, x!.shape),
      [x!, mean, variance, gamma!, beta!],
    );
    return [y, mean, variance];
  },
};

/** inputs dy, x, mean, variance, gamma; attrs.epsilon -> dx, dGamma, dBeta. */
export const webgpuBatchNormBackwardConfig: KernelConfig = {
  kernelName: FUSED_KERNELS.batchNormBackward,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x, mean, variance, gamma } = inputs as Record<string, TensorInfo>;
    const { channels, run } = runner(backend as WebGPUBackend, x!, attrs!.epsilon as number);
    const dBeta = run(channelReduction("dBeta", ["DY"], "DY[j]", false, channels), [dy!]);
    const dGamma = run(
      channelReduction("dGamma", ["DY", "X", "Mean", "Variance"], `DY[j] * ((X[j] - Mean[c]) * ${INVERSE_STD})`, false, channels),
      [dy!, x!, mean!, variance!],
    );
    // (dy - dBeta / count - xHat * (dGamma / count)) * (gamma * inverseStd)
    const xHat = `((X[index] - Mean[c]) * ${INVERSE_STD})`;
    const dx = run(
      perElement(
        "backward",
        ["DY", "X", "Mean", "Variance", "Gamma", "DBeta", "DGamma"],
        `((DY[index] - DBeta[c] / f32(uniforms.count)) - ${xHat} * (DGamma[c] / f32(uniforms.count))) * (Gamma[c] * ${INVERSE_STD})`,
        x!.shape,
      ),
      [dy!, x!, mean!, variance!, gamma!, dBeta, dGamma],
    );
    return [dx, dGamma, dBeta];
  },
};

/** A kernel for webgpu only: on wasm the few per-channel values of its formula cost next to nothing. */
export const RUNNING_STATISTICS_KERNEL = "SganRunningStatistics";

/**
 * inputs runningMean, runningVariance, mean, variance (per channel); attrs momentum, unbiasing (n / (n - 1))
 * -> both running statistics after the batch, 2 dispatches where the formula takes 7.
 */
export const webgpuRunningStatisticsConfig: KernelConfig = {
  kernelName: RUNNING_STATISTICS_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { runningMean, runningVariance, mean, variance } = inputs as Record<string, TensorInfo>;
    const { momentum, unbiasing } = attrs as { momentum: number; unbiasing: number };
    const uniforms = [1 - momentum, momentum, unbiasing].map((x) => ({ type: "float32", data: [x] }));
    // old * (1 - momentum) + batch * momentum
    const blend = (key: string, old: TensorInfo, batch: TensorInfo, batchValue: string): TensorInfo =>
      (backend as WebGPUBackend).runWebGPUProgram(
        elementwiseProgram({
          key: `sganRunningStatistics_${key}`,
          inputs: ["Old", "Batch"],
          uniforms: "keep : f32, momentum : f32, unbiasing : f32,",
          shape: old.shape,
          value: `Old[index] * uniforms.keep + ${batchValue} * uniforms.momentum`,
        }),
        [old, batch],
        "float32",
        uniforms,
      );
    return [blend("mean", runningMean!, mean!, "Batch[index]"), blend("variance", runningVariance!, variance!, "(Batch[index] * uniforms.unbiasing)")];
  },
};
