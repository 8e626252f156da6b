/**
 * `npm run bench`: samples/s of the SGAN training step (G step + D step, the worker's own code path:
 * SganTrainer.trainEpoch) at batch 32, 64, 128 for each compute backend present, next to the seed's
 * PyTorch step (test/bench/reference_sgan_torch.py) run on the same machine in the same run.
 *
 * Options: --backends wasm,webgpu,tensorflow,cpu (default: all but cpu, which is ~30x slower than
 * wasm), --img 28|32, --iters N, --threads N (wasm threads and torch threads; default all cores),
 * --batches 32,64,128, --reference off (no PyTorch run: test/bench/gpu-host.ts runs it once itself).
 * wasm is measured three times: with the native kernels (what workers run where the addon is built),
 * the same with the convolutions through SGEMM instead of oneDNN's primitives (what a build without
 * libdnnl-dev gets), and with the wasm backend's own kernels only.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs, promisify } from "node:util";
import { initBackend, shutdownBackend, type BackendChoice, type BackendInfo } from "../../libs/backends/index.ts";
import { disableNativeKernels, enableNativeKernels } from "../../libs/backends/native/index.ts";
import { loadNativeAddon } from "../../libs/backends/native/addon.ts";
import { parseTrainingConfig, SganTrainer } from "../../libs/sgan/index.ts";
import { syntheticSplit } from "./synthetic-data.ts";
import { parseReferenceRates, REFERENCE_SCRIPT } from "./torch-reference.ts";

const { values } = parseArgs({
  options: {
    backends: { type: "string", default: "wasm,webgpu,tensorflow" },
    img: { type: "string", default: "28" },
    iters: { type: "string", default: "5" },
    threads: { type: "string", default: String(cpus().length) },
    batches: { type: "string", default: "32,64,128" },
    reference: { type: "string", default: "on" },
  },
});
const batchSizes = values.batches.split(",").map(Number);
const imgSize = Number(values.img) as 28 | 32;
const iterations = Number(values.iters);
const threads = Number(values.threads);

/** One warm-up epoch, then a measured one, each of `iterations` steps: samples/s of the second. */
async function measure(batchSize: number): Promise<number> {
  const data = syntheticSplit(batchSize * iterations, imgSize);
  const trainer = SganTrainer.create(parseTrainingConfig({ imgSize, batchSize, epochs: 2 }), data);
  try {
    await trainer.trainEpoch();
    const outcome = await trainer.trainEpoch();
    if (outcome.kind !== "completed") throw new Error(`benchmark epoch ended ${outcome.kind}`);
    return outcome.metrics.samplesPerSec;
  } finally {
    trainer.dispose();
  }
}

async function referenceSamplesPerSec(): Promise<Map<number, number> | string> {
  if (!existsSync("/usr/bin/python3") || !existsSync(REFERENCE_SCRIPT)) return "no /usr/bin/python3 or reference script";
  try {
    const { stdout } = await promisify(execFile)("/usr/bin/python3", [REFERENCE_SCRIPT, String(imgSize), String(Math.max(iterations, 5))], {
      env: { ...process.env, THREADS: String(threads) },
      timeout: 30 * 60_000,
    });
    const rates = parseReferenceRates(stdout);
    return rates.size > 0 ? rates : `unexpected output: ${stdout.trim()}`;
  } catch (error) {
    return `PyTorch reference unavailable (${(error as Error).message.split("\n")[0].slice(0, 120)}); apt-get install python3-torch`;
  }
}

const rows: Array<{ backend: BackendInfo; batch: number; samplesPerSec: number }> = [];

async function measureAll(backend: BackendInfo): Promise<void> {
  for (const batch of batchSizes) {
    const samplesPerSec = await measure(batch);
    rows.push({ backend, batch, samplesPerSec });
    console.log(`${backend.name} (${backend.device}) img ${imgSize} batch ${batch}: ${samplesPerSec.toFixed(1)} samples/s`);
  }
}

for (const choice of values.backends.split(",") as BackendChoice[]) {
  let backend: BackendInfo;
  try {
    backend = await initBackend(choice, { threads });
  } catch (error) {
    console.log(`${choice}: not available (${(error as Error).message})`);
    continue;
  }
  await measureAll(backend);
  const addon = loadNativeAddon();
  if (backend.name === "wasm" && addon.ok && addon.addon.setConvPrimitives(false)) {
    await measureAll({ ...backend, device: backend.device.replace(", oneDNN convolutions", ", convolutions through SGEMM") });
    addon.addon.setConvPrimitives(true);
  }
  if (backend.name === "wasm" && backend.device.includes("native")) {
    disableNativeKernels();
    await measureAll({ ...backend, device: backend.device.replace(/, native kernels.*$/, ", wasm kernels only") });
    enableNativeKernels(backend.threads ?? threads);
  }
}

let reference: Map<number, number> | string = "PyTorch reference not run (--reference off)";
if (values.reference !== "off") {
  console.log(`\nPyTorch reference (${threads} thread(s), same machine, same run)...`);
  reference = await referenceSamplesPerSec();
  if (typeof reference === "string") console.log(reference);
}

console.log(`\n| backend | device | img | batch | ours samples/s | PyTorch samples/s | ours / PyTorch |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const row of rows) {
  const torch = typeof reference === "string" ? undefined : reference.get(row.batch);
  const ratio = torch ? (row.samplesPerSec / torch).toFixed(2) : "n/a";
  console.log(`| ${row.backend.name} | ${row.backend.device} | ${imgSize} | ${row.batch} | ${row.samplesPerSec.toFixed(1)} | ${torch ?? "n/a"} | ${ratio} |`);
}
await shutdownBackend();
process.exit(0);
