/**
 * `npm run train -- [options]`: one SGAN training run without any queue. Writes per-epoch metrics
 * (metrics.jsonl), sample grids and a checkpoint to the output directory; rerunning with the same
 * --out resumes from the checkpoint.
 */
import { mkdir, appendFile, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BackendUnavailableError, initBackend, type BackendChoice } from "../../libs/backends/index.ts";
import { loadDataSplit, DataError } from "../../libs/data/index.ts";
import { createLogger } from "../../libs/log/index.ts";
import { ConfigError, directoryCheckpointStore, parseTrainingConfig, runTraining, CheckpointError, type EpochMetrics } from "../../libs/sgan/index.ts";
import { escaped } from "../../libs/terminal-text/index.ts";
import { parse as parseYaml } from "yaml";
import { runBackendTool } from "./backend-tool.ts";
import { endProgress, renderProgress } from "./progress-bar.ts";

const log = createLogger("train");

/** The training config's fields as flags: each flag is its field in kebab-case (`--lr-step-epochs` sets lrStepEpochs). */
const TRAINING_FLAGS = {
  epochs: "number",
  "batch-size": "number",
  lr: "number",
  b1: "number",
  b2: "number",
  "latent-dim": "number",
  variant: "text",
  "spectral-norm": "switch",
  architecture: "text",
  "class-head": "text",
  "generator-loss": "text",
  "lr-schedule": "text",
  "lr-decay": "number",
  "lr-step-epochs": "number",
  "lr-min-factor": "number",
  "warmup-epochs": "number",
  "lr-d": "number",
  "lr-g": "number",
  "b1-d": "number",
  "b1-g": "number",
  "d-steps-per-g": "number",
  "label-smoothing": "number",
  "instance-noise": "number",
  "eval-ema": "number",
  labeled: "number",
  "img-size": "number",
  dataset: "text",
  limit: "number",
  seed: "number",
} as const;

const options = {
  ...Object.fromEntries(Object.entries(TRAINING_FLAGS).map(([flag, kind]) => [flag, { type: kind === "switch" ? "boolean" : "string" }])),
  config: { type: "string" },
  backend: { type: "string", default: "auto" },
  threads: { type: "string" },
  out: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const USAGE = `usage: npm run train -- [--config FILE] [--epochs N] [--batch-size N] [--lr X] [--b1 X] [--b2 X] [--latent-dim N]
  [--variant improved|reference] [--spectral-norm] [--labeled all|N] [--img-size 28|32]
  [--dataset mnist|<IDX directory>] [--limit N] [--seed N]
  [--architecture seed|improved-gan] [--class-head seed|fixedFakeLogit] [--generator-loss standard|featureMatching]
  [--lr-schedule constant|step|exponential|cosine] [--lr-decay X] [--lr-step-epochs N] [--lr-min-factor X]
  [--warmup-epochs X] [--lr-d X] [--lr-g X] [--b1-d X] [--b1-g X] [--d-steps-per-g N]
  [--label-smoothing X] [--instance-noise X] [--eval-ema X]
  [--backend auto|tensorflow|webgpu|wasm|cpu] [--threads N] [--out DIR]
--config: a training config as JSON or YAML (e.g. a pbt run's replay from \`sweeps lineage <id> --json\`,
  its schedule included); the flags given override its fields.`;

function numberOrText(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) ? value : text;
}

const fieldOfFlag = (flag: string) => flag.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

function configFromArgs(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const fields = Object.entries(TRAINING_FLAGS).map(([flag, kind]) => {
    const value = values[flag];
    return [fieldOfFlag(flag), kind === "number" ? numberOrText(value as string | undefined) : value];
  });
  return Object.fromEntries(fields.filter(([, value]) => value !== undefined));
}

/** The --config file's fields (JSON is YAML too); a file that cannot be read or is no mapping is the user's to fix. */
async function configFromFile(path: string | undefined): Promise<Record<string, unknown>> {
  if (path === undefined) return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(await readFile(path, "utf8"));
  } catch (error) {
    throw new ConfigError([{ path: "--config", message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([{ path: "--config", message: `${path} holds no mapping of training fields: write one field per line, as \`lr: 0.0002\`` }]);
  }
  return parsed as Record<string, unknown>;
}

function epochLine(metrics: EpochMetrics, epochs: number): string {
  const f = (value: number, digits = 3) => value.toFixed(digits);
  return (
    `[Epoch ${metrics.epoch}/${epochs}] D loss ${f(metrics.dLoss.mean)} (max ${f(metrics.dLoss.max)}) ` +
    `d_acc ${f(100 * metrics.dAcc.mean, 1)}% (std ${f(100 * metrics.dAcc.std, 1)}) ` +
    `G loss ${f(metrics.gLoss.mean)} (max ${f(metrics.gLoss.max)}) test acc ${f(100 * metrics.testAccuracy, 1)}% ` +
    `${f(metrics.samplesPerSec, 1)} samples/s ${f(metrics.wallSeconds, 1)} s`
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = parseTrainingConfig({ ...(await configFromFile(values.config)), ...configFromArgs(values) });
  const backend = await initBackend(values.backend as BackendChoice, {
    threads: values.threads === undefined ? undefined : Number(values.threads),
  });
  const outDir = resolve(values.out ?? join("runs", new Date().toISOString().replace(/[:.]/g, "-")));
  await mkdir(join(outDir, "samples"), { recursive: true });
  log.info({ config, backend, outDir }, "training run starting");
  const source = config.dataset === "mnist" ? "mnist" : { idxDir: config.dataset };
  const data = await loadDataSplit({ source, imgSize: config.imgSize, splitSeed: 0, limit: config.limit });
  await writeFile(join(outDir, "run.json"), JSON.stringify({ config, backend, data: data.source }, null, 2));
  const outcome = await runTraining(config, data, {
    log,
    checkpoints: directoryCheckpointStore(outDir),
    onProgress: (p) =>
      renderProgress(`epoch ${p.epoch}/${config.epochs}`, p.batch, p.batches, `${p.samplesPerSec.toFixed(1)} samples/s`),
    onEpoch: async (metrics, png) => {
      endProgress();
      console.log(epochLine(metrics, config.epochs));
      await appendFile(join(outDir, "metrics.jsonl"), `${JSON.stringify({ ...metrics, backend: backend.name, device: backend.device })}\n`);
      await writeFile(join(outDir, "samples", `epoch-${metrics.epoch}.png`), png);
    },
  });
  endProgress();
  log.info({ outcome, outDir }, "training run finished");
  console.log(escaped`${outcome.status} after ${outcome.epochsDone} epoch(s); metrics, samples and checkpoint in ${outDir}`);
  return outcome.status === "completed" ? 0 : 1;
}

runBackendTool(main, {
  log,
  usage: USAGE,
  userErrors: [ConfigError, DataError, CheckpointError, BackendUnavailableError],
  failure: "training run failed",
  exitCodes: { user: 2, unexpected: 2 },
});
