/**
 * `npm run bench:profile`: where one SGAN training step's time goes, per TensorFlow.js kernel,
 * on the worker's own code path (SganTrainer.trainEpoch). Prints a table sorted by time.
 *
 * Options: --backend wasm|webgpu|cpu (default wasm), --batch N (64), --img 28|32, --steps N (3),
 * --threads N (all cores), --architecture seed|improved-gan, --class-head seed|fixedFakeLogit,
 * --labeled all|N (a limited label set adds the labeled batch's discriminator pass).
 * SGAN_NATIVE_KERNELS=off profiles the wasm backend's own kernels. --backend webgpu takes the GPU
 * Dawn finds, or SwiftShader where there is none (docs/performance.md: "WebGPU without a GPU").
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend, routeWebgpu, shutdownBackend, type BackendChoice } from "../../libs/backends/index.ts";
import { parseTrainingConfig, SganTrainer } from "../../libs/sgan/index.ts";
import { syntheticSet } from "./synthetic-data.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "wasm" },
    batch: { type: "string", default: "64" },
    img: { type: "string", default: "28" },
    steps: { type: "string", default: "3" },
    threads: { type: "string", default: String(cpus().length) },
    architecture: { type: "string", default: "seed" },
    "class-head": { type: "string", default: "seed" },
    labeled: { type: "string", default: "all" },
  },
});
const batchSize = Number(values.batch);
const imgSize = Number(values.img) as 28 | 32;
const steps = Number(values.steps);

/**
 * On webgpu, a counter of the compute shaders the backend dispatches from now on, per WebGPU program
 * (its class name: a kernel of this project may dispatch several, a reshape none).
 */
function countWebgpuDispatches(): Map<string, number> | undefined {
  if (tf.getBackend() !== "webgpu") return undefined;
  const webgpu = tf.backend() as unknown as { runWebGPUProgram: (program: { shaderKey: string }, ...rest: unknown[]) => unknown };
  const run = webgpu.runWebGPUProgram.bind(webgpu);
  const counts = new Map<string, number>();
  webgpu.runWebGPUProgram = (program, ...rest) => {
    // This project's programs are plain objects: their shader key names them; tfjs's element-wise ones carry their op.
    const op = (program as { op?: unknown }).op;
    const name = program.constructor.name === "Object" ? program.shaderKey.split(/[_\s]/)[0] : `${program.constructor.name}${op === undefined ? "" : ` ${String(op)}`}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return run(program, ...rest);
  };
  return counts;
}


if (values.backend === "webgpu") {
  // Without a GPU: SwiftShader, Chromium's Vulkan software driver (right kernel counts, CPU timings).
  const route = await routeWebgpu("system");
  if (route.adapter === "none") throw new Error(route.reason);
}
const backend = await initBackend(values.backend as BackendChoice, { threads: Number(values.threads) });
const config = parseTrainingConfig({
  imgSize,
  batchSize,
  epochs: 2,
  architecture: values.architecture,
  classHead: values["class-head"],
  labeled: values.labeled === "all" ? "all" : Number(values.labeled),
});
const trainer = SganTrainer.create(config, {
  train: syntheticSet(batchSize * steps, imgSize, 7),
  test: syntheticSet(16, imgSize, 7),
  source: "synthetic",
});
await trainer.trainEpoch(); // warm-up: kernel setup, heap growth
const dispatches = countWebgpuDispatches();
const started = performance.now();
const profile = await tf.profile(async () => {
  await trainer.trainEpoch();
  return [];
});
const wallMs = (performance.now() - started) / steps;
const dispatchesPerStep = dispatches === undefined ? undefined : [...dispatches.values()].reduce((sum, count) => sum + count, 0) / steps;
trainer.dispose();

// Custom-gradient ops (tf.customGrad, profiled as "forward") wrap kernels that are profiled
// themselves: list them apart so that no time is counted twice.
const isKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const kernel of profile.kernels) {
  const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
  entry.ms += (kernel.kernelTimeMs as number) / steps;
  entry.calls += 1 / steps;
  byKernel.set(kernel.name, entry);
}
const kernels = [...byKernel].filter(([name]) => isKernel(name)).sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = kernels.reduce((sum, [, k]) => sum + k.ms, 0);
const kernelCalls = kernels.reduce((sum, [, k]) => sum + k.calls, 0);
const recipe = `architecture ${config.architecture}, class head ${config.classHead}, labeled ${config.labeled}`;
const dispatchNote = dispatchesPerStep === undefined ? "" : ` (${dispatchesPerStep.toFixed(0)} compute dispatches)`;
console.log(`${backend.device}, ${recipe}, batch ${batchSize}, img ${imgSize}: ${wallMs.toFixed(0)} ms per step (profiled), ` +
  `${kernelMs.toFixed(0)} ms in ${kernelCalls.toFixed(0)} kernel calls${dispatchNote}, ${(batchSize / (wallMs / 1000)).toFixed(1)} samples/s\n`);
console.log("| kernel | calls/step | ms/step | share of kernel time |");
console.log("|---|---|---|---|");
for (const [name, { ms, calls }] of kernels) {
  if (ms < kernelMs * 0.005) continue;
  console.log(`| ${name} | ${calls.toFixed(0)} | ${ms.toFixed(1)} | ${((100 * ms) / kernelMs).toFixed(1)}% |`);
}
if (dispatches) {
  console.log("\n| webgpu program | dispatches/step |");
  console.log("|---|---|");
  for (const [name, count] of [...dispatches].sort((a, b) => b[1] - a[1])) console.log(`| ${name} | ${(count / steps).toFixed(0)} |`);
}
const composites = [...byKernel].filter(([name]) => !isKernel(name));
for (const [name, { ms, calls }] of composites) {
  console.log(`(custom-gradient op "${name}": ${calls.toFixed(0)} calls, ${ms.toFixed(1)} ms/step, its kernels counted above)`);
}
await shutdownBackend();
process.exit(0);
