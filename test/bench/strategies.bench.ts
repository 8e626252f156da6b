/**
 * `npm run bench:strategies`: issue 15's benchmark. Population-based training against random search
 * and TPE + ASHA on the 100-label recipe space (improved-gan, fixed fake logit, feature matching,
 * 100 labels; lr, lrD and b1 searched), for the same compute: PBT trains `population` runs of
 * `epochs`, random search as many configurations to the end, and TPE + ASHA as many trials as its
 * pruning makes fit in about the same number of epochs (every figure below counts the epochs each
 * sweep trained itself: a copied checkpoint's epochs are not trained again). Each sweep runs on the
 * real product: the API (in this process) and `--workers` worker processes, one thread each, on
 * PostgreSQL database sgan_bench_strategies and the local Redis. Reports the best run's final test
 * accuracy per strategy and seed; keeps each finished sweep as a part in
 * test/fixtures/strategies/parts/ (committed: resumable across sessions) and rewrites the table in
 * docs/results.md. Target (the issue's): PBT's best beats the best fixed-hyperparameter run.
 *
 * Options: --seeds 1,2,3, --population 4, --interval 4, --epochs 24, --workers 2, --strategies
 * pbt,random,tpe-asha, --limit N (fewer digits, to try it), --parts DIR, --doc FILE.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { BestResponse, SweepDetail, SweepMetrics } from "../../libs/results/index.ts";

process.env.E2E_DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/sgan_bench_strategies";
process.env.LOG_LEVEL ??= "warn";
const { api, postSweep, spawnWorker, startStack, waitFor } = await import("../e2e/stack.ts");

const ROOT = resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1,2,3" },
    population: { type: "string", default: "4" },
    interval: { type: "string", default: "4" },
    epochs: { type: "string", default: "24" },
    workers: { type: "string", default: "2" },
    strategies: { type: "string", default: "pbt,random,tpe-asha" },
    limit: { type: "string" },
    parts: { type: "string", default: join(ROOT, "test/fixtures/strategies/parts") },
    doc: { type: "string", default: join(ROOT, "docs/results.md") },
  },
});
const population = Number(values.population);
const epochs = Number(values.epochs);
const workers = Number(values.workers);
/** ASHA's first rung and reduction factor. */
const ASHA_MIN_EPOCHS = Math.max(1, Math.round(epochs / 8));
const ASHA_FACTOR = 3;
const BEGIN = "<!-- strategies table: npm run bench:strategies -->";
const END = "<!-- end of strategies table -->";

/** Epochs a trial trains on average under successive halving: a 1/factor share of each rung's trials goes on to the next. */
function ashaEpochsPerTrial(): number {
  const rungs: number[] = [];
  for (let rung = ASHA_MIN_EPOCHS; rung < epochs; rung *= ASHA_FACTOR) rungs.push(rung);
  return [...rungs, epochs].reduce((sum, level, i, all) => sum + (level - (all[i - 1] ?? 0)) / ASHA_FACTOR ** i, 0);
}

const SPACE = {
  fixed: { epochs, dataset: "mnist", imgSize: 28, ...(values.limit ? { limit: Number(values.limit) } : {}) },
  parameters: {
    labeled: 100,
    batchSize: 100,
    architecture: "improved-gan",
    classHead: "fixedFakeLogit",
    generatorLoss: "featureMatching",
    lr: { loguniform: [1.0e-3, 6.0e-3] },
    lrD: { loguniform: [3.0e-4, 6.0e-3] },
    b1: { choice: [0.5, 0.9] },
  },
  objective: { metric: "testAccuracy", scope: "last" },
};

const STRATEGIES: Record<string, (seed: number) => object> = {
  pbt: (seed) => ({ ...SPACE, name: `bench-pbt-${seed}`, strategy: "pbt", seed, pbt: { population, interval: Number(values.interval) } }),
  random: (seed) => ({ ...SPACE, name: `bench-random-${seed}`, strategy: "random", seed, samples: population }),
  "tpe-asha": (seed) => ({
    ...SPACE,
    name: `bench-tpe-asha-${seed}`,
    strategy: "tpe",
    seed,
    trials: Math.max(population, Math.round((population * epochs) / ashaEpochsPerTrial())),
    parallelism: workers,
    pruner: { kind: "asha", minEpochs: ASHA_MIN_EPOCHS, reductionFactor: ASHA_FACTOR },
  }),
};

interface Part {
  strategy: string;
  seed: number;
  config: object;
  /** The best completed run's final test accuracy, and its values of the searched fields. */
  bestFinalTestAccuracy: number;
  best: Record<string, unknown>;
  runs: number;
  epochsTrained: number;
  wallSeconds: number;
}

const partPath = (strategy: string, seed: number) => join(values.parts!, `${strategy}-seed${seed}.json`);

async function runSweep(base: string, strategy: string, seed: number): Promise<void> {
  if (existsSync(partPath(strategy, seed))) return;
  const config = STRATEGIES[strategy]!(seed);
  const started = Date.now();
  const submitted = await postSweep(base, config);
  if (submitted.status !== 201) throw new Error(`${strategy} seed ${seed}: submit answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
  const sweepId: string = submitted.body.sweep.id;
  process.stderr.write(`${strategy} seed ${seed}: sweep ${sweepId} submitted\n`);
  const done = await waitFor(`${strategy} seed ${seed} to finish`, async () => {
    const { body } = await api<SweepDetail>(base, `/api/sweeps/${sweepId}`);
    return ["completed", "failed", "cancelled"].includes(body.status) ? body.status : null;
  }, 24 * 3600_000, 5_000);
  if (done !== "completed") throw new Error(`${strategy} seed ${seed}: sweep ${sweepId} ended ${done}`);
  const best = (await api<BestResponse>(base, `/api/sweeps/${sweepId}/best?metric=testAccuracy&scope=last&limit=1`)).body;
  const top = best.runs.entries[0];
  if (!top) throw new Error(`${strategy} seed ${seed}: sweep ${sweepId} has no completed run to rank`);
  const metrics = (await api<SweepMetrics>(base, `/api/sweeps/${sweepId}/metrics`)).body;
  const part: Part = {
    strategy,
    seed,
    config,
    bestFinalTestAccuracy: top.value,
    best: { lr: top.params.lr, lrD: top.params.lrD, b1: top.params.b1 },
    runs: (await api<SweepDetail>(base, `/api/sweeps/${sweepId}`)).body.runs.length,
    epochsTrained: epochRows(metrics),
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(partPath(strategy, seed), `${JSON.stringify(part, null, 1)}\n`);
  process.stderr.write(`${strategy} seed ${seed}: best final test accuracy ${top.value.toFixed(4)}, ${part.epochsTrained} epochs trained, ${part.wallSeconds} s\n`);
}

/** Epoch rows in a GET /api/sweeps/:id/metrics answer: each is one epoch a run trained itself. */
function epochRows(metrics: SweepMetrics): number {
  return metrics.runs.reduce((sum, run) => sum + run.epochs.length, 0);
}

function table(seeds: number[]): string {
  const lines = Object.keys(STRATEGIES).flatMap((strategy) => {
    const parts = seeds.map((seed) => partPath(strategy, seed)).filter(existsSync).map((path) => JSON.parse(readFileSync(path, "utf8")) as Part);
    if (parts.length !== seeds.length) return [];
    const accuracies = parts.map((part) => part.bestFinalTestAccuracy);
    const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
    const perSeed = accuracies.map((x) => (100 * x).toFixed(2)).join(", ");
    const epochsTrained = parts.map((part) => part.epochsTrained).join(", ");
    const wall = parts.map((part) => (part.wallSeconds / 60).toFixed(0)).join(", ");
    return [`| ${strategy} | ${parts[0]!.runs} | ${perSeed} | ${(100 * mean).toFixed(2)} | ${epochsTrained} | ${wall} |`];
  });
  return [
    BEGIN,
    `| strategy | runs per sweep | best run's final test accuracy % per seed ${seeds.join(", ")} | mean | epochs trained per sweep | wall minutes per sweep (${workers} workers) |`,
    "|---|---|---|---|---|---|",
    ...lines,
    END,
  ].join("\n");
}

const seeds = values.seeds!.split(",").map(Number);
const strategies = values.strategies!.split(",");
for (const strategy of strategies) if (!(strategy in STRATEGIES)) throw new Error(`--strategies: no strategy ${strategy}; they are ${Object.keys(STRATEGIES).join(", ")}`);
mkdirSync(values.parts!, { recursive: true });
const stack = await startStack();
const processes = Array.from({ length: workers }, () => spawnWorker(stack.queueName));
try {
  for (const seed of seeds) for (const strategy of strategies) await runSweep(stack.url, strategy, seed);
} finally {
  for (const worker of processes) worker.child.kill("SIGTERM");
  await Promise.all(processes.map((worker) => worker.exited));
  await stack.close();
}
const doc = readFileSync(values.doc!, "utf8");
const text = table(seeds);
const updated = doc.includes(BEGIN) ? doc.slice(0, doc.indexOf(BEGIN)) + text + doc.slice(doc.indexOf(END) + END.length) : `${doc.trimEnd()}\n\n${text}\n`;
writeFileSync(values.doc!, updated);
console.log(text);
process.exit(0);
