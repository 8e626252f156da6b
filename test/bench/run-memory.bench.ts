/**
 * `npx tsx test/bench/run-memory.bench.ts`: measured memory of small real trainings on the wasm
 * backend next to libs/feasibility's estimate, to calibrate the estimate (docs/sweeps.md, "Run memory").
 * Each shape trains one epoch of two batches (of at most 8,000 images) in a fresh process (a wasm
 * heap never shrinks, so one process per shape); reported: the wasm heap after training (tfjs tensors live there) and the
 * process's peak RSS, each also as growth over the same process before the trainer was built.
 *
 * Options: --shapes "batch/latent/img/labeled[/architecture[/classHead]],..." (labeled: all or a
 * number; architecture seed or improved-gan, classHead seed or fixedFakeLogit), --threads N.
 */
import { execFile } from "node:child_process";
import { promisify, parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../libs/backends/index.ts";
import { loadDataSplit } from "../../libs/data/index.ts";
import { estimateRunMemory } from "../../libs/feasibility/index.ts";
import { parseTrainingConfig, SganTrainer, type TrainingConfig } from "../../libs/sgan/index.ts";

const MB = 2 ** 20;
const { values } = parseArgs({
  options: {
    shapes: { type: "string", default: "32/100/28/all,128/100/28/all,128/100/32/all,256/100/32/all,512/100/32/all,256/1024/32/all,256/100/32/100" },
    threads: { type: "string", default: "2" },
    child: { type: "string" },
  },
});

function configOf(shape: string): TrainingConfig {
  const [batchSize, latentDim, imgSize, labeled, architecture = "seed", classHead = "seed"] = shape.split("/");
  return parseTrainingConfig({
    batchSize: Number(batchSize),
    latentDim: Number(latentDim),
    imgSize: Number(imgSize),
    labeled: labeled === "all" ? "all" : Number(labeled),
    architecture,
    classHead,
    epochs: 1,
  });
}

async function measureInThisProcess(config: TrainingConfig): Promise<void> {
  await initBackend("wasm", { threads: Number(values.threads) });
  const heapMb = () => ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength) / MB;
  const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
  const data = await loadDataSplit({ source: "mnist", imgSize: config.imgSize, limit: Math.min(Math.max(2 * config.batchSize, 100), 8000) });
  const before = { heapMb: heapMb(), peakRssMb: peakRssMb() };
  const trainer = SganTrainer.create(config, data);
  const outcome = await trainer.trainEpoch();
  await trainer.evaluate();
  console.log(JSON.stringify({ outcome: outcome.kind, before, after: { heapMb: heapMb(), peakRssMb: peakRssMb() } }));
}

async function measure(shape: string) {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", import.meta.filename, "--child", shape, "--threads", values.threads], {
    maxBuffer: 16 * MB,
  });
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
  const config = configOf(shape);
  const estimate = estimateRunMemory(config);
  return {
    shape,
    heapMb: Math.round(result.after.heapMb),
    heapGrowthMb: Math.round(result.after.heapMb - result.before.heapMb),
    peakRssMb: Math.round(result.after.peakRssMb),
    rssGrowthMb: Math.round(result.after.peakRssMb - result.before.peakRssMb),
    estimateMb: Math.round(estimate.totalBytes / MB),
  };
}

if (values.child) {
  await measureInThisProcess(configOf(values.child));
  process.exit(0);
} else {
  const rows = [];
  for (const shape of values.shapes.split(",")) rows.push(await measure(shape));
  console.table(rows);
}
