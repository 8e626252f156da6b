// The webgpu backend on SwiftShader (Chromium's Vulkan software driver, see libs/backends/swiftshader.ts):
// the route a GPU worker takes, checked on machines without a GPU. Tiny shapes and a 2-step training at
// batch 2, then two such trainings at once (a worker's --concurrency 2 on one device): SwiftShader runs
// every kernel on the CPU, ~11 s per step on 2 cores (docs/performance.md), so the trainings are most
// of this file's time.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  ADAM_PACKED_PARAM_KERNEL,
  BackendUnavailableError,
  BCE_ON_LOGITS_GRAD_KERNEL,
  BCE_ON_LOGITS_KERNEL,
  CONV2D_BIAS_KERNEL,
  CROSS_ENTROPY_GRAD_KERNEL,
  CROSS_ENTROPY_KERNEL,
  FUSED_KERNELS,
  initBackend,
  LEAKY_RELU_DROPOUT_GRAD_KERNEL,
  LEAKY_RELU_DROPOUT_KERNEL,
  LEAKY_RELU_GRAD_KERNEL,
  MATMUL_BIAS_KERNEL,
  routeWebgpu,
  RUNNING_STATISTICS_KERNEL,
} from "../../libs/backends/index.ts";
import { WEBGPU_TRAINING_KERNELS } from "../../libs/backends/kernels/register-kernels.ts";
import { initWebgpu } from "../../libs/backends/webgpu.ts";
import { loadDataSplit } from "../../libs/data/index.ts";
import { parseTrainingConfig } from "../../libs/sgan/index.ts";
import { Adam, adamStepFormula } from "../../libs/sgan/adam.ts";
import { bceOnLogits, crossEntropyOnLogits } from "../../libs/sgan/losses.ts";
import { batchNormTraining, convWithBias, denseWithBias, leakyRelu, leakyReluChannelDropout, runningStatisticsFormula } from "../../libs/sgan/layers.ts";
import type { CheckpointContents } from "../../libs/sgan/checkpoint.ts";
import { checkpointAfter, fingerprintOf } from "../sgan/helpers.ts";
import { compare, randomValues, sizeOf } from "./helpers.ts";

const route = await routeWebgpu("swiftshader");

interface InputSpec {
  shape: number[];
  /** "positive": |N(0,1)| + 0.1, for kernels defined on positive numbers; "bool": N(0,1) > 0; "labels": int32 in [0, classes). */
  draw?: "normal" | "positive" | "bool" | "labels";
  classes?: number;
}
interface KernelCase {
  kernel: string;
  /** What the case stands for in the training step, for the test's name. */
  label: string;
  inputs: Record<string, InputSpec>;
  attrs?: Record<string, unknown>;
  /** The same on the cpu backend, for a kernel of this project's own name that cpu has not. */
  onCpu?: (inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => tf.Tensor[];
  /** What runs instead of the kernel alone, on both backends: the training's own function that uses it. */
  run?: (inputs: Record<string, tf.Tensor>) => tf.Tensor[];
}

const normal = (...shape: number[]): InputSpec => ({ shape });
const positive = (...shape: number[]): InputSpec => ({ shape, draw: "positive" });
const bool = (...shape: number[]): InputSpec => ({ shape, draw: "bool" });
const labels = (rows: number, classes: number): InputSpec => ({ shape: [rows], draw: "labels", classes });

const conv = { dataFormat: "NHWC", dilations: [1, 1], pad: 1 };

/**
 * The kernels an SGAN training step runs (tf.profile of a step lists them), at tiny shapes in the
 * step's own patterns: numeric padding 1 as the layers use, per-channel reductions of batch norm
 * and the bias gradients, the nearest-upsampling gradient's 6-d Sum, the dense layers' transposed
 * products. A kernel registered in WEBGPU_TRAINING_KERNELS needs a case here.
 */
const CASES: KernelCase[] = [
  { kernel: "Conv2D", label: "stride 2", inputs: { x: normal(2, 6, 6, 3), filter: normal(3, 3, 3, 4) }, attrs: { ...conv, strides: [2, 2] } },
  { kernel: "Conv2D", label: "stride 1", inputs: { x: normal(2, 6, 6, 4), filter: normal(3, 3, 4, 2) }, attrs: { ...conv, strides: [1, 1] } },
  { kernel: "Conv2DBackpropInput", label: "stride 2", inputs: { dy: normal(2, 3, 3, 4), filter: normal(3, 3, 3, 4) }, attrs: { ...conv, strides: [2, 2], inputShape: [2, 6, 6, 3] } },
  { kernel: "Conv2DBackpropInput", label: "stride 1", inputs: { dy: normal(2, 6, 6, 2), filter: normal(3, 3, 4, 2) }, attrs: { ...conv, strides: [1, 1], inputShape: [2, 6, 6, 4] } },
  { kernel: "Conv2DBackpropFilter", label: "stride 2", inputs: { x: normal(2, 6, 6, 3), dy: normal(2, 3, 3, 4) }, attrs: { ...conv, strides: [2, 2], filterShape: [3, 3, 3, 4] } },
  { kernel: "Conv2DBackpropFilter", label: "stride 1", inputs: { x: normal(2, 6, 6, 4), dy: normal(2, 6, 6, 2) }, attrs: { ...conv, strides: [1, 1], filterShape: [3, 3, 4, 2] } },
  // This project's tiled kernel: several 16 x 16 tiles of the filter (72 x 20), then the reduction over 1,024 positions split in 8.
  { kernel: "Conv2DBackpropFilter", label: "5 x 2 tiles, stride 1", inputs: { x: normal(2, 6, 6, 8), dy: normal(2, 6, 6, 20) }, attrs: { ...conv, strides: [1, 1], filterShape: [3, 3, 8, 20] } },
  { kernel: "Conv2DBackpropFilter", label: "split-K, stride 2", inputs: { x: normal(16, 16, 16, 2), dy: normal(16, 8, 8, 3) }, attrs: { ...conv, strides: [2, 2], filterShape: [3, 3, 2, 3] } },
  { kernel: "BatchMatMul", label: "dense forward", inputs: { a: normal(2, 5), b: normal(5, 7) }, attrs: { transposeA: false, transposeB: false } },
  { kernel: "BatchMatMul", label: "weight gradient", inputs: { a: normal(2, 5), b: normal(2, 7) }, attrs: { transposeA: true, transposeB: false } },
  { kernel: "BatchMatMul", label: "input gradient", inputs: { a: normal(2, 7), b: normal(5, 7) }, attrs: { transposeA: false, transposeB: true } },
  { kernel: "Sum", label: "per channel", inputs: { x: normal(2, 4, 4, 3) }, attrs: { axis: [0, 1, 2], keepDims: false } },
  { kernel: "Sum", label: "conv bias gradient, 72 rows, kept dims", inputs: { x: normal(2, 6, 6, 5) }, attrs: { axis: [2, 0, 1], keepDims: true } },
  { kernel: "Sum", label: "dense bias gradient", inputs: { x: normal(2, 7) }, attrs: { axis: 0, keepDims: false } },
  { kernel: "Sum", label: "upsampling gradient", inputs: { x: normal(2, 3, 2, 3, 2, 4) }, attrs: { axis: [2, 4], keepDims: false } },
  { kernel: "Sum", label: "per row", inputs: { x: normal(2, 11) }, attrs: { axis: [1], keepDims: true } },
  { kernel: "Mean", label: "batch-norm statistics", inputs: { x: normal(2, 4, 4, 3) }, attrs: { axis: [0, 1, 2], keepDims: true } },
  { kernel: "Max", label: "per row", inputs: { x: normal(2, 11) }, attrs: { reductionIndices: [1], keepDims: true } },
  { kernel: "Multiply", label: "per-channel scale", inputs: { a: normal(2, 4, 4, 3), b: normal(3) } },
  { kernel: "Add", label: "per-channel shift", inputs: { a: normal(2, 4, 4, 3), b: normal(3) } },
  { kernel: "Sub", label: "centring", inputs: { a: normal(2, 4, 4, 3), b: normal(1, 1, 1, 3) } },
  { kernel: "RealDiv", label: "Adam's step", inputs: { a: normal(6, 5), b: positive(6, 5) } },
  { kernel: "Square", label: "variance", inputs: { x: normal(2, 4, 4, 3) } },
  { kernel: "Sqrt", label: "Adam's denominator", inputs: { x: positive(6, 5) } },
  { kernel: "Rsqrt", label: "batch-norm scale", inputs: { x: positive(3) } },
  { kernel: "LeakyRelu", label: "activation", inputs: { x: normal(2, 4, 4, 3) }, attrs: { alpha: 0.2 } },
  { kernel: "Tanh", label: "generator output", inputs: { x: normal(2, 6, 6, 1) } },
  { kernel: "Sigmoid", label: "validity", inputs: { x: normal(2, 1) } },
  { kernel: "Softplus", label: "log-sigmoid loss", inputs: { x: normal(2, 1) } },
  { kernel: "Exp", label: "softmax", inputs: { x: normal(2, 11) } },
  { kernel: "Log", label: "cross-entropy", inputs: { x: positive(2, 1) } },
  { kernel: "Neg", label: "loss sign", inputs: { x: normal(2, 1) } },
  { kernel: "Floor", label: "dropout mask", inputs: { x: normal(2, 1, 1, 4) } },
  { kernel: "Greater", label: "leaky-relu gradient mask", inputs: { a: normal(2, 4, 4, 3), b: normal(2, 4, 4, 3) } },
  { kernel: "Select", label: "leaky-relu gradient", inputs: { condition: bool(2, 4, 4, 3), t: normal(2, 4, 4, 3), e: normal(2, 4, 4, 3) } },
  {
    kernel: ADAM_PACKED_PARAM_KERNEL,
    label: "step 3 at the seed's betas, the second of two packed parameters",
    // Moments packed for a first parameter of 5 values, then this one's 24: offset 5, total 29.
    inputs: { param: normal(3, 2, 4), moments: positive(2 * 29) },
    attrs: { offset: 5, total: 29, hyper: [0.5, 0.5, 0.999, 0.001, 2e-4 / (1 - 0.5 ** 3), Math.sqrt(1 - 0.999 ** 3), 1e-8] },
    onCpu: ({ param, moments }, { offset, total, hyper }) => {
      const [, , , , stepSize, secondCorrection, eps] = hyper as number[];
      const part = (start: number) => tf.reshape(tf.slice(moments!, start, param!.size), param!.shape);
      const [m, v] = [part(offset as number), part((total as number) + (offset as number))];
      return [tf.sub(param!, tf.mul(tf.div(m, tf.add(tf.div(tf.sqrt(v), secondCorrection!), eps!)), stepSize!))];
    },
  },
  {
    kernel: RUNNING_STATISTICS_KERNEL,
    label: "momentum 0.1, 72 rows",
    inputs: { runningMean: normal(5), runningVariance: positive(5), mean: normal(5), variance: positive(5) },
    attrs: { momentum: 0.1, unbiasing: 72 / 71 },
    onCpu: (inputs, attrs) => runningStatisticsFormula(inputs as never, attrs as never),
  },
  {
    kernel: LEAKY_RELU_GRAD_KERNEL,
    label: "through leakyRelu's gradient",
    inputs: { x: normal(2, 4, 4, 3), dy: normal(2, 4, 4, 3) },
    run: ({ x, dy }) => [tf.grad((input: tf.Tensor) => leakyRelu(input))(x!, dy)],
  },
  {
    kernel: LEAKY_RELU_DROPOUT_KERNEL,
    label: "through leakyReluChannelDropout, tf.dropout's draws",
    inputs: { x: normal(3, 2, 2, 8) },
    run: ({ x }) => [leakyReluChannelDropout(x as tf.Tensor4D, 0.25, 11)],
  },
  {
    kernel: LEAKY_RELU_DROPOUT_GRAD_KERNEL,
    label: "through leakyReluChannelDropout's gradient",
    inputs: { x: normal(3, 2, 2, 8), dy: normal(3, 2, 2, 8) },
    run: ({ x, dy }) => [tf.grad((input: tf.Tensor) => leakyReluChannelDropout(input as tf.Tensor4D, 0.25, 11))(x!, dy)],
  },
  {
    kernel: CROSS_ENTROPY_KERNEL,
    label: "through crossEntropyOnLogits, 70 rows of 11 classes",
    inputs: { logits: normal(70, 11), labels: labels(70, 11) },
    run: ({ logits, labels }) => [crossEntropyOnLogits(logits as tf.Tensor2D, labels as tf.Tensor1D)],
  },
  {
    kernel: CROSS_ENTROPY_GRAD_KERNEL,
    label: "through crossEntropyOnLogits' gradient",
    inputs: { logits: normal(3, 11), labels: labels(3, 11), dy: normal() },
    run: ({ logits, labels, dy }) => [tf.grad((input: tf.Tensor) => crossEntropyOnLogits(input as tf.Tensor2D, labels as tf.Tensor1D))(logits!, dy)],
  },
  ...[1, 0, 0.9].flatMap((target): KernelCase[] => [
    {
      kernel: BCE_ON_LOGITS_KERNEL,
      label: `through bceOnLogits, target ${target}, 70 logits`,
      inputs: { logit: normal(70, 1) },
      run: ({ logit }) => [bceOnLogits(logit as tf.Tensor2D, target)],
    },
    {
      kernel: BCE_ON_LOGITS_GRAD_KERNEL,
      label: `through bceOnLogits' gradient, target ${target}`,
      inputs: { logit: normal(3, 1), dy: normal() },
      run: ({ logit, dy }) => [tf.grad((input: tf.Tensor) => bceOnLogits(input as tf.Tensor2D, target))(logit!, dy)],
    },
  ]),
  // The layers' products with their bias: one kernel on webgpu, the product and an Add on cpu.
  ...([2, 1] as const).flatMap((stride): KernelCase[] => [
    {
      kernel: CONV2D_BIAS_KERNEL,
      label: `through convWithBias, stride ${stride}`,
      inputs: { x: normal(2, 6, 6, 3), filter: normal(3, 3, 3, 4), bias: normal(4) },
      run: ({ x, filter, bias }) => [convWithBias(x as tf.Tensor4D, filter as tf.Tensor4D, bias as tf.Tensor1D, stride)],
    },
    {
      kernel: CONV2D_BIAS_KERNEL,
      label: `through convWithBias' gradients, stride ${stride}`,
      inputs: { x: normal(2, 6, 6, 3), filter: normal(3, 3, 3, 4), bias: normal(4), dy: normal(2, 6 / stride, 6 / stride, 4) },
      run: ({ x, filter, bias, dy }) => tf.grads((a, w, b) => convWithBias(a as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, stride))([x!, filter!, bias!], dy),
    },
  ]),
  {
    kernel: MATMUL_BIAS_KERNEL,
    label: "through denseWithBias",
    inputs: { x: normal(2, 5), w: normal(5, 7), bias: normal(7) },
    run: ({ x, w, bias }) => [denseWithBias(x as tf.Tensor2D, w as tf.Tensor2D, bias as tf.Tensor1D)],
  },
  {
    kernel: MATMUL_BIAS_KERNEL,
    label: "through denseWithBias' gradients",
    inputs: { x: normal(2, 5), w: normal(5, 7), bias: normal(7), dy: normal(2, 7) },
    run: ({ x, w, bias, dy }) => tf.grads((a, weight, b) => denseWithBias(a as tf.Tensor2D, weight as tf.Tensor2D, b as tf.Tensor1D))([x!, w!, bias!], dy),
  },
  // batchNormTraining takes the fused kernels where registered (webgpu) and its formula elsewhere (cpu).
  {
    kernel: FUSED_KERNELS.batchNormForward,
    label: "the seed's eps 0.8, 72 rows",
    inputs: { x: normal(2, 6, 6, 5), gamma: normal(5), beta: normal(5) },
    run: ({ x, gamma, beta }) => {
      const statistics: tf.Tensor[] = [];
      // Kept: batchNormTraining's forward scope frees what it does not return (the trainer uses them at once).
      const y = batchNormTraining(x as tf.Tensor4D, gamma!, beta!, 0.8, (mean, variance) => statistics.push(tf.keep(tf.clone(mean)), tf.keep(tf.clone(variance))));
      return [y, ...statistics];
    },
  },
  {
    kernel: FUSED_KERNELS.batchNormBackward,
    label: "eps 1e-5, 72 rows",
    inputs: { x: normal(2, 6, 6, 5), gamma: normal(5), beta: normal(5), dy: normal(2, 6, 6, 5) },
    run: ({ x, gamma, beta, dy }) =>
      tf.grads((input, scale, shift) => batchNormTraining(input as tf.Tensor4D, scale!, shift!, 1e-5))([x!, gamma!, beta!], dy),
  },
];

/** Relative to the largest reference value: float32 on both sides, sums of up to ~100 terms in another order. */
const KERNEL_TOLERANCE = 1e-5;

function drawInputs(c: KernelCase, seed: number): Record<string, { spec: InputSpec; values: Float32Array }> {
  return Object.fromEntries(
    Object.entries(c.inputs).map(([name, spec], i) => {
      const values = randomValues(sizeOf(spec.shape), seed + i);
      if (spec.draw === "positive") values.forEach((v, j) => (values[j] = Math.abs(v) + 0.1));
      if (spec.draw === "bool") values.forEach((v, j) => (values[j] = v > 0 ? 1 : 0));
      if (spec.draw === "labels") values.forEach((v, j) => (values[j] = Math.floor(Math.abs(v) * 1000) % spec.classes!));
      return [name, { spec, values }];
    }),
  );
}

/** Runs one case on `backend` (webgpu reads back asynchronously only), checking that it frees every buffer it made. */
async function runOn(backend: "cpu" | "webgpu", c: KernelCase, inputs: ReturnType<typeof drawInputs>): Promise<{ shape: number[]; values: Float32Array }[]> {
  await initBackend(backend);
  const idsBefore = tf.engine().backend.numDataIds();
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, { spec, values }]) => [name, tf.tensor(values, spec.shape, spec.draw === "bool" ? "bool" : spec.draw === "labels" ? "int32" : "float32")]),
  );
  const attrs = c.attrs ?? {};
  const outputs = tf.tidy(() =>
    backend === "cpu" && c.onCpu
      ? c.onCpu(tensors, attrs)
      : c.run
        ? c.run(tensors)
        : [tf.engine().runKernel(c.kernel, tensors as never, attrs as never) as tf.Tensor | tf.Tensor[]].flat(),
  );
  const results = await Promise.all(outputs.map(async (out) => ({ shape: out.shape, values: Float32Array.from(await out.data()) })));
  tf.dispose([...outputs, ...Object.values(tensors)]);
  assert.equal(tf.engine().backend.numDataIds(), idsBefore, `${c.kernel} on ${backend} leaked buffers`);
  return results;
}

describe("the webgpu backend on SwiftShader", { skip: route.adapter === "none" ? route.reason : false }, () => {
  it("initialises on a software device, which auto (allowSoftware: false) refuses by name", async (t) => {
    if (route.adapter !== "swiftshader") return t.skip("SwiftShader is not installed here: the checks run on this machine's GPU");
    const info = await initBackend("webgpu");
    assert.equal(info.name, "webgpu");
    assert.match(info.device, /swiftshader.*\(software\)$/i);
    assert.equal(tf.getBackend(), "webgpu");
    // After the explicit choice took it, in the same process.
    await assert.rejects(
      initWebgpu({ allowSoftware: false }),
      (err: unknown) => err instanceof BackendUnavailableError && /software renderer \(.*swiftshader/i.test(err.message),
    );
    assert.notEqual((await initBackend("auto")).name, "webgpu");
  });

  it("the cases' kernels exist for webgpu; each one this project registers is in place and has a case", async () => {
    await initBackend("webgpu");
    const covered = new Set(CASES.map((c) => c.kernel));
    for (const name of covered) assert.ok(tf.getKernel(name, "webgpu") !== undefined, `no webgpu kernel ${name}`);
    for (const config of WEBGPU_TRAINING_KERNELS) {
      assert.equal(tf.getKernel(config.kernelName, "webgpu")?.kernelFunc, config.kernelFunc, `${config.kernelName} is not the registered webgpu kernel`);
      assert.ok(covered.has(config.kernelName), `no case checks ${config.kernelName}`);
    }
  });

  it("Adam packs every parameter's moments in one tensor on webgpu: a checkpoint's moments load and read back apart, and two steps (9 parameters: 2 dispatches of moments) follow the formula", async () => {
    await initBackend("webgpu");
    const shapes = [[2, 3], [4], [3, 3, 2], [1], [5, 2], [2, 2, 2, 2], [7], [3, 1], [6]];
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const keys = shapes.map((_, i) => `p${i}`);
    const params = new Map(shapes.map((shape, i) => [keys[i]!, tf.variable(tf.tensor(randomValues(size(shape), 10 + i), shape), true, `packed-adam-${i}-${Math.random()}`)] as const));
    const adam = new Adam(params, { b1: 0.5, b2: 0.999 });
    const firstMoments = new Map(shapes.map((shape, i) => [keys[i]!, randomValues(size(shape), 30 + i)] as const));
    const secondMoments = new Map(shapes.map((shape, i) => [keys[i]!, randomValues(size(shape), 50 + i).map(Math.abs)] as const));
    adam.load({ step: 4, firstMoments, secondMoments });
    assert.deepEqual(await adam.state(), { step: 4, firstMoments, secondMoments });
    // Expected: the formula on the cpu values, step after step.
    let expected = shapes.map((shape, i) => ({ p: Float32Array.from([]), m: firstMoments.get(keys[i]!)!, v: secondMoments.get(keys[i]!)! }));
    for (const [i, param] of [...params.values()].entries()) expected[i]!.p = Float32Array.from(await param.data());
    for (const step of [5, 6]) {
      const gradients = shapes.map((shape, i) => randomValues(size(shape), 100 * step + i));
      const hyper = [0.5, 0.5, 0.999, 0.001, 2e-4 / (1 - 0.5 ** step), Math.sqrt(1 - 0.999 ** step), 1e-8];
      expected = await Promise.all(expected.map(async ({ p, m, v }, i) => {
        const shape = shapes[i]!;
        const formula = tf.tidy(() => adamStepFormula(tf.tensor(p, shape), tf.tensor(gradients[i]!, shape), tf.tensor(m, shape), tf.tensor(v, shape), hyper));
        const [pNext, mNext, vNext] = await Promise.all(formula.map(async (t) => Float32Array.from(await t.data())));
        tf.dispose(formula);
        return { p: pNext!, m: mNext!, v: vNext! };
      }));
      adam.apply(Object.fromEntries([...params.values()].map((param, i) => [param.name, tf.tensor(gradients[i]!, shapes[i]!)])), 2e-4);
      // Read after each step: a stale CPU copy of the packed moments would show at the second.
      const state = await adam.state();
      for (const [i, key] of keys.entries()) {
        const got = [await params.get(key)!.data(), state.firstMoments.get(key)!, state.secondMoments.get(key)!];
        const want = [expected[i]!.p, expected[i]!.m, expected[i]!.v];
        got.forEach((values, k) => assert.ok(compare(Float32Array.from(values), want[k]!).maxRel < KERNEL_TOLERANCE, `step ${step}, ${key}, output ${k}`));
      }
    }
    adam.dispose();
    for (const param of params.values()) param.dispose();
  });

  describe("kernels match the cpu backend on random inputs", () => {
    CASES.forEach((c, i) => {
      it(`${c.kernel} (${c.label})`, async () => {
        const inputs = drawInputs(c, 100 * i);
        const want = await runOn("cpu", c, inputs);
        const got = await runOn("webgpu", c, inputs);
        assert.equal(got.length, want.length);
        want.forEach((output, k) => {
          assert.deepEqual(got[k]!.shape, output.shape);
          const d = compare(got[k]!.values, output.values);
          assert.ok(d.maxRel < KERNEL_TOLERANCE, `output ${k}: max abs ${d.maxAbs}, rel ${d.maxRel}`);
        });
      });
    });
  });

  describe("training", () => {
    // The seed's architecture: the cheaper step on SwiftShader. Batch 2, the smallest allowed.
    const config = parseTrainingConfig({ imgSize: 28, batchSize: 2, epochs: 1, seed: 3 });
    const other = parseTrainingConfig({ imgSize: 28, batchSize: 2, epochs: 1, seed: 4 });
    const STEPS = 2;
    let cpu: CheckpointContents;
    let cpuOther: CheckpointContents;
    let webgpu: CheckpointContents;
    let together: CheckpointContents[];
    const order: string[] = [];

    before(async () => {
      const data = await loadDataSplit({ imgSize: 28, limit: 16 });
      await initBackend("cpu");
      cpu = await checkpointAfter(data, config, STEPS);
      cpuOther = await checkpointAfter(data, other, STEPS);
      await initBackend("webgpu");
      webgpu = await checkpointAfter(data, config, STEPS);
      // Two trainings at once on the one device, as a worker with --concurrency 2 runs them.
      together = await Promise.all([config, other].map((run, i) => checkpointAfter(data, run, STEPS, (batch) => order.push(`${"ab"[i]}${batch}`))));
    });

    /** Within float32 sums in another order through two Adam steps (seen: 1.6e-5 at most). */
    const assertNearCpu = (got: CheckpointContents, want: CheckpointContents) => {
      const [gLoss, dLoss, dAcc] = got.partialEpoch!.perBatch;
      const [cpuG, cpuD, cpuAcc] = want.partialEpoch!.perBatch;
      assert.equal(gLoss.length, STEPS);
      for (const [values, expected] of [[gLoss, cpuG], [dLoss, cpuD]] as const) {
        values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 1e-3 * Math.abs(expected[i]!), `batch ${i + 1}: ${v} vs cpu ${expected[i]}`));
      }
      assert.deepEqual(dAcc, cpuAcc);
    };

    it(`${STEPS} steps on webgpu give the cpu backend's per-batch losses and accuracies`, () => assertNearCpu(webgpu, cpu));

    it("two trainings at once on one device interleave their steps and each trains as it does alone", () => {
      assert.deepEqual(order, ["a1", "b1", "a2", "b2"], "each step is followed by the other training's");
      assert.deepEqual(fingerprintOf(together[0]), fingerprintOf(webgpu), "the same training, bit for bit, as alone on the device");
      assertNearCpu(together[1], cpuOther);
    });
  });
});
