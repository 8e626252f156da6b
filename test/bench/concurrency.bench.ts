/**
 * `npm run bench:concurrency`: several trainings at once in one process on one device, as a worker
 * with `--concurrency N` runs them (each SganTrainer.trainEpoch yields to the event loop after every
 * step, so the trainings' steps interleave: one dispatches while the device runs another's). For each
 * N it starts N trainings with their own seeds, runs a warm-up epoch of each, then measures one epoch
 * of all N at once: the samples/s of all of them together, the speed-up over one training, and what
 * that is in runs per hour of a small sweep (10 epochs of the default split's 8,000 digits per run).
 *
 * Options: --backend webgpu|wasm|tensorflow|cpu (default webgpu), --trainings 1,2,4,8, --batch 64,
 * --steps 20 (per training per epoch), --img 28, --threads N (wasm). Without a GPU, webgpu runs on
 * SwiftShader (slow: for trying the benchmark, not for its figures).
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { initBackend, routeWebgpu, shutdownBackend, type BackendChoice } from "../../libs/backends/index.ts";
import type { DataSplit } from "../../libs/data/index.ts";
import { parseTrainingConfig, SganTrainer } from "../../libs/sgan/index.ts";
import { syntheticSplit } from "./synthetic-data.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "webgpu" },
    trainings: { type: "string", default: "1,2,4,8" },
    batch: { type: "string", default: "64" },
    steps: { type: "string", default: "20" },
    img: { type: "string", default: "28" },
    threads: { type: "string", default: String(cpus().length) },
  },
});
const counts = values.trainings.split(",").map(Number);
const batchSize = Number(values.batch);
const steps = Number(values.steps);
const imgSize = Number(values.img) as 28 | 32;
/** The small sweep's run, for runs per hour: 10 epochs of the default split's 8,000 training digits. */
const SAMPLES_PER_RUN = 10 * 8_000;

/** Samples/s of `count` trainings' second epochs run at once (the first is their warm-up, also at once). */
async function measure(count: number, data: DataSplit): Promise<number> {
  const trainers = Array.from({ length: count }, (_, i) => SganTrainer.create(parseTrainingConfig({ imgSize, batchSize, epochs: 2, seed: i + 1 }), data));
  try {
    await Promise.all(trainers.map((trainer) => trainer.trainEpoch()));
    const started = performance.now();
    const outcomes = await Promise.all(trainers.map((trainer) => trainer.trainEpoch()));
    const seconds = (performance.now() - started) / 1000;
    const failed = outcomes.find((outcome) => outcome.kind !== "completed");
    if (failed) throw new Error(`a measured epoch ended ${failed.kind}`);
    return (count * steps * batchSize) / seconds;
  } finally {
    for (const trainer of trainers) trainer.dispose();
  }
}

if (values.backend === "webgpu") {
  const route = await routeWebgpu("system");
  if (route.adapter === "none") throw new Error(route.reason);
}
const backend = await initBackend(values.backend as BackendChoice, { threads: Number(values.threads) });
const data = syntheticSplit(batchSize * steps, imgSize);
console.log(`${backend.name} (${backend.device}), img ${imgSize}, batch ${batchSize}, ${steps} steps per training per epoch`);
const rows: Array<{ trainings: number; samplesPerSec: number }> = [];
for (const count of counts) {
  const samplesPerSec = await measure(count, data);
  rows.push({ trainings: count, samplesPerSec });
  console.log(`${count} training(s) at once: ${samplesPerSec.toFixed(1)} samples/s in all`);
}
const single = rows.find((row) => row.trainings === 1)?.samplesPerSec;
console.log(`\n| trainings at once | samples/s in all | speed-up over 1 | runs per hour (10 epochs x 8,000 digits) |`);
console.log(`|---|---|---|---|`);
for (const row of rows) {
  const speedUp = single ? (row.samplesPerSec / single).toFixed(2) : "n/a";
  console.log(`| ${row.trainings} | ${row.samplesPerSec.toFixed(1)} | ${speedUp} | ${((row.samplesPerSec * 3600) / SAMPLES_PER_RUN).toFixed(1)} |`);
}
await shutdownBackend();
process.exit(0);
