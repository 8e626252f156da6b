// `npm run bench:search`: how much training each sampler x pruner spends to find a good
// configuration, on real learning curves (test/fixtures/search/curves.json, recorded by this
// product's own trainer). The study is replayed with the loop's own code (libs/study: nextTrials asks,
// judgeEpoch prunes), one trial at a time; a trial "trains" by revealing its recorded epochs. Printed:
// the median, over seeds, of the epochs spent until a run ends whose final objective is within 1 pp
// of the fixture's best. Optuna 3.1 runs the same replay when /usr/bin/python3 has it
// (test/bench/search_optuna.py), and its figures are printed beside ours.
// Options: SEARCH_SEEDS (default 101), SEARCH_FIXTURE (another recording, an absolute path).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { DEFAULT_OBJECTIVE, type Objective } from "../../libs/results/index.ts";
import { judgeEpoch, nextTrials, type StudyEpoch, type StudyRun } from "../../libs/study/index.ts";
import { parseSweepConfig, planSweep, type SweepConfig } from "../../libs/sweep/index.ts";

const FIXTURE = process.env.SEARCH_FIXTURE ? new URL(`file://${process.env.SEARCH_FIXTURE}`) : new URL("../fixtures/search/curves.json", import.meta.url);
const SEEDS = Number(process.env.SEARCH_SEEDS ?? 101);
/** Within this of the best final objective counts as found. */
const TOLERANCE = 0.01;

interface Curve {
  configuration: { lr: number; batchSize: number; b1: number; variant: string };
  epochs: StudyEpoch[];
}

const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { recordedWith: string; data: string; curves: Curve[] };
const epochsPerRun = fixture.curves[0].epochs.length;
const keyOf = (c: Curve["configuration"]) => `${c.lr}|${c.batchSize}|${c.b1}|${c.variant}`;
const curves = new Map(fixture.curves.map((curve) => [keyOf(curve.configuration), curve.epochs]));
const best = Math.max(...fixture.curves.map((curve) => curve.epochs.at(-1)!.testAccuracy));

const PRUNERS: Record<string, Record<string, unknown>> = {
  none: { kind: "none" },
  median: { kind: "median", startupTrials: 5, warmupEpochs: 1 },
  asha: { kind: "asha", minEpochs: 1, reductionFactor: 3 },
  hyperband: { kind: "hyperband", minEpochs: 1, reductionFactor: 3 },
  stuck: { kind: "stuck" },
};

function sweepConfig(strategy: "random" | "tpe", pruner: Record<string, unknown>, seed: number): SweepConfig {
  const values = (key: keyof Curve["configuration"]) => [...new Set(fixture.curves.map((curve) => curve.configuration[key]))];
  return parseSweepConfig({
    name: "bench-search",
    strategy,
    seed,
    ...(strategy === "tpe" ? { trials: fixture.curves.length, parallelism: 1 } : { samples: fixture.curves.length }),
    fixed: { epochs: epochsPerRun, imgSize: 28 },
    parameters: { lr: { choice: values("lr") }, batchSize: { choice: values("batchSize") }, b1: { choice: values("b1") }, variant: { choice: values("variant") } },
    pruner,
  });
}

interface Outcome {
  /** Epochs trained until the first run that ended within TOLERANCE of the best; null: never. */
  epochsToFind: number | null;
  epochsTotal: number;
  /** Epochs each reference-variant run trained before it ended. */
  referenceEpochs: number[];
}

/**
 * For scale, not a product pruner: one that knows every run's final accuracy and stops each run that
 * will not be found after its first epoch, the least any pruner spends to judge a run. Its figure is
 * the floor for a study whose first trials are drawn at random (TPE's start-up trials are).
 */
const PERFECT = "perfect (floor)";
const willBeFound = (recorded: StudyEpoch[]) => recorded.at(-1)!.testAccuracy >= best - TOLERANCE;

/** One study, replayed: ask a trial, reveal its epochs one by one, prune or complete it, ask the next. */
function replay(config: SweepConfig, objective: Objective, perfect = false): Outcome {
  const settings = { pruner: config.pruner, objective, seed: config.seed, epochs: epochsPerRun };
  const runs: StudyRun[] = [];
  let spent = 0;
  let epochsToFind: number | null = null;
  const referenceEpochs: number[] = [];
  // A static plan (random) is all asked at submit; a tpe study one at a time. Either way they train in order.
  const queue = planSweep(config);
  for (;;) {
    if (queue.length === 0) queue.push(...nextTrials(config, objective, runs, fixture.curves.length));
    const planned = queue.shift();
    if (!planned) break;
    const recorded = curves.get(keyOf(planned.params as Curve["configuration"]))!;
    const run: StudyRun = { id: `run-${planned.index}`, index: planned.index, configKey: planned.configKey, status: "running", params: planned.params, epochs: [], prunedReason: null };
    runs.push(run);
    for (const row of recorded) {
      run.epochs = [...run.epochs, row];
      spent++;
      if (row.epoch === epochsPerRun) {
        run.status = "completed";
        if (epochsToFind === null && row.testAccuracy >= best - TOLERANCE) epochsToFind = spent;
        break;
      }
      if (perfect ? !willBeFound(recorded) : judgeEpoch(settings, runs, { runId: run.id, epoch: row.epoch }).prune) {
        run.status = "pruned";
        break;
      }
    }
    if (planned.params.variant === "reference") referenceEpochs.push(run.epochs.length);
  }
  return { epochsToFind, epochsTotal: spent, referenceEpochs };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

function optunaFigures(): Map<string, number> | null {
  try {
    const out = execFileSync("/usr/bin/python3", [new URL("./search_optuna.py", import.meta.url).pathname, FIXTURE.pathname, String(SEEDS), String(TOLERANCE)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return new Map(Object.entries(JSON.parse(out) as Record<string, number>));
  } catch (error) {
    console.log(`(Optuna not run: ${(error as Error).message.split("\n")[0]})`);
    return null;
  }
}

console.log(`fixture: ${fixture.curves.length} configurations x ${epochsPerRun} epochs (${fixture.data}); best final test accuracy ${best.toFixed(4)}; found = a run ending within ${TOLERANCE * 100} pp; ${SEEDS} seeds, one trial at a time`);
const optuna = optunaFigures();
const rows: string[][] = [];
let baseline = Number.NaN;
const results = new Map<string, number>();
const studies: Array<["random" | "tpe", string]> = [
  ...(["random", "tpe"] as const).flatMap((strategy) => Object.keys(PRUNERS).map((prunerName): ["random" | "tpe", string] => [strategy, prunerName])),
  ["random", PERFECT],
];
for (const [strategy, prunerName] of studies) {
  const pruner = PRUNERS[prunerName] ?? PRUNERS.none;
  const outcomes = Array.from({ length: SEEDS }, (_, seed) => replay(sweepConfig(strategy, pruner, seed), DEFAULT_OBJECTIVE, prunerName === PERFECT));
  const found = outcomes.map((outcome) => outcome.epochsToFind ?? outcome.epochsTotal);
  const epochs = median(found);
  results.set(`${strategy}+${prunerName}`, epochs);
  if (strategy === "random" && prunerName === "none") baseline = epochs;
  const referenceByEpoch3 = outcomes.every((outcome) => outcome.referenceEpochs.every((n) => n <= 3));
  const anchor = optuna?.get(`${strategy}+${prunerName}`);
  rows.push([
    `${strategy} + ${prunerName}`,
    String(epochs),
    (epochs / baseline).toFixed(2),
    String(median(outcomes.map((outcome) => outcome.epochsTotal))),
    `${outcomes.filter((outcome) => outcome.epochsToFind !== null).length}/${SEEDS}`,
    prunerName === "stuck" ? (referenceByEpoch3 ? "yes" : `no (${median(outcomes.flatMap((outcome) => outcome.referenceEpochs))} epochs, median)`) : "-",
    anchor === undefined ? "-" : String(anchor),
    anchor === undefined ? "-" : (epochs / anchor).toFixed(2),
  ]);
}
const header = ["sampler + pruner", "epochs to find (median)", "vs random+none", "epochs for the whole budget", "found", "reference runs stopped by epoch 3", "Optuna 3.1", "ours / Optuna"];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
const target = results.get("tpe+asha")! / baseline;
console.log(`tpe + asha needs ${target.toFixed(2)} x the epochs of random without pruning (target <= 0.33)`);
console.log(`a perfect pruner over random draws needs ${(results.get(`random+${PERFECT}`)! / baseline).toFixed(2)} x: no pruner can go below it while the trials are drawn at random`);
