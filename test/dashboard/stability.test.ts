// The shaping behind the dashboard's charts: curves, bands, the stability map and its colour scale.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  configurationPoints,
  curveMetric,
  domainOf,
  log2Range,
  logRange,
  mapPositions,
  minMaxBand,
  repeatBand,
  scalePosition,
  seriesOf,
  STABILITY_FIGURES,
  type ConfigurationPoint,
} from "../../apps/dashboard/src/stability.ts";
import type { EpochRow, RunRow, RunStatus } from "../../libs/results/index.ts";
import { trainingConfigSchema } from "../../libs/sgan/config.ts";
import { CONFIGURATION_FIGURE, summarizeConfigurations, summarizeRun } from "../../libs/results/index.ts";
import { configurationOf } from "../../libs/sweep/index.ts";

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

function row(epoch: number, values: Partial<EpochRow> = {}): EpochRow {
  return {
    epoch, batches: 10,
    dLossMean: 0.7, dLossStd: 0.05, dLossMin: 0.6, dLossMax: 0.8,
    gLossMean: 1.1, gLossStd: 0.1, gLossMin: 0.9, gLossMax: 1.3,
    dAccMean: 0.5, dAccStd: 0.02, dAccMin: 0.45, dAccMax: 0.55,
    testAccuracy: 0.5, testClassLoss: 1, samplesPerSec: 100, wallSeconds: 10,
    ...values,
  };
}

/** The configuration summaries the API serves for these runs. */
const summarize = (runs: RunRow[]) =>
  summarizeConfigurations(runs.map((r) => ({ configKey: r.configKey, hyperparameters: r.hyperparameters, status: r.status, summary: r.summary })));

let nextId = 0;
function run(configKey: string, lr: number, batchSize: number, status: RunStatus, accuracies: number[]): RunRow & { rows: EpochRow[] } {
  const params = trainingConfigSchema.parse({ lr, batchSize, epochs: 5 });
  const rows = accuracies.map((testAccuracy, i) => row(i + 1, { testAccuracy, gLossMax: 1.3 + i / 10 }));
  const points = rows.map((r) => ({ ...r, testAccuracy: r.testAccuracy!, dAccMean: r.dAccMean!, dLossMean: r.dLossMean!, gLossMean: r.gLossMean!, gLossMax: r.gLossMax! }));
  const summary = summarizeRun(points);
  return {
    id: `run-${nextId++}`, sweepId: "s", index: nextId, configKey, repeat: 0, params, batchSize, lr, seed: 1, variant: "improved",
    status, attempts: 1, workerId: null, backend: null, device: null, epochsDone: rows.length, error: null, divergedEpoch: null, prunedReason: null,
    summary, finalTestAccuracy: summary.finalTestAccuracy, bestTestAccuracy: summary.bestTestAccuracy, tags: [], note: null,
    createdAt: "", startedAt: null, finishedAt: null, updatedAt: "", hyperparameters: configurationOf(params), epochCount: rows.length, rows,
  };
}

describe("curves", () => {
  it("orders epochs and leaves a gap (NaN) for a missing or non-finite value", () => {
    const rows = [row(3, { gLossMean: null }), row(1, { gLossMean: 1 }), row(2, { gLossMean: 2 })];
    const points = seriesOf(rows, "gLossMean");
    assert.deepEqual(points.map((p) => p.x), [1, 2, 3]);
    assert.deepEqual(points.slice(0, 2).map((p) => p.y), [1, 2]);
    assert.ok(Number.isNaN(points[2].y));
  });

  it("takes the min-max band from the within-epoch batch extremes; test accuracy has none", () => {
    const rows = [row(1, { dAccMin: 0.2, dAccMax: 0.9 }), row(2, { dAccMin: 0.4, dAccMax: 0.7 })];
    const band = minMaxBand(rows, curveMetric("dAcc"))!;
    assert.deepEqual(band.lower, [{ x: 1, y: 0.2 }, { x: 2, y: 0.4 }]);
    assert.deepEqual(band.upper, [{ x: 1, y: 0.9 }, { x: 2, y: 0.7 }]);
    assert.equal(minMaxBand(rows, curveMetric("testAccuracy")), null);
    assert.equal(curveMetric("no-such-metric").key, "testAccuracy");
  });
});

describe("mean +- std across repeats", () => {
  it("pools the repeats per epoch with the population std", () => {
    const a = [row(1, { testAccuracy: 0.2 }), row(2, { testAccuracy: 0.6 })];
    const b = [row(1, { testAccuracy: 0.4 }), row(2, { testAccuracy: 0.6 })];
    const band = repeatBand([a, b], "testAccuracy");
    assert.equal(band.length, 2);
    close(band[0].mean, 0.3);
    close(band[0].std, 0.1);
    assert.equal(band[0].n, 2);
    close(band[1].mean, 0.6);
    close(band[1].std, 0);
  });

  it("uses the runs that reached an epoch with a finite value, and drops epochs nobody has", () => {
    const a = [row(1, { gLossMean: 1 }), row(2, { gLossMean: null }), row(3, { gLossMean: 3 })];
    const b = [row(1, { gLossMean: 2 })];
    const band = repeatBand([a, b], "gLossMean");
    assert.deepEqual(band.map((p) => [p.epoch, p.n]), [[1, 2], [3, 1]]);
    close(band[0].std, 0.5);
    close(band[1].mean, 3);
    close(band[1].std, 0);
    assert.deepEqual(repeatBand([], "gLossMean"), []);
  });
});

describe("stability map", () => {
  it("has one point per configuration, with the mean over completed repeats as the API pools them", () => {
    const runs = [
      run("A", 1e-4, 32, "completed", [0.5, 0.7, 0.8]),
      run("A", 1e-4, 32, "completed", [0.4, 0.6, 0.6]),
      run("A", 1e-4, 32, "running", [0.1]),
      run("B", 1e-3, 128, "diverged", [0.3, 0.1]),
      run("B", 1e-3, 128, "completed", [0.2, 0.5]),
      run("C", 3e-4, 64, "queued", []),
    ];
    const summaries = summarize(runs);
    const points = configurationPoints(summaries, runs, "finalTestAccuracy");
    assert.deepEqual(points.map((p) => [p.configKey, p.lr, p.batchSize, p.runs, p.completed, p.troubled]), [
      ["A", 1e-4, 32, 3, 2, 0],
      ["B", 1e-3, 128, 2, 1, 1],
      ["C", 3e-4, 64, 1, 0, 0],
    ]);
    close(points[0].value, 0.7);
    close(points[1].value, 0.5);
    assert.ok(Number.isNaN(points[2].value), "no completed run: no value");
  });

  it("shows the API's figure for the configuration, every one: the largest g_loss spike of the repeats, not their mean", () => {
    // Spikes grow by 0.1 an epoch in these runs: 0.4 after three epochs, 0.2 after one.
    const runs = [run("A", 1e-4, 32, "completed", [0.5, 0.6, 0.7]), run("A", 1e-4, 32, "completed", [0.5])];
    const summaries = summarize(runs);
    close(configurationPoints(summaries, runs, "maxGLossSpike")[0].value, 0.4);
    close(configurationPoints(summaries, runs, "finalTestAccuracy")[0].value, 0.6);
    for (const figure of STABILITY_FIGURES) {
      const expected = summaries[0][CONFIGURATION_FIGURE[figure.key]];
      const [point] = configurationPoints(summaries, runs, figure.key);
      if (expected === null) assert.ok(Number.isNaN(point.value), figure.key);
      else close(point.value, expected);
    }
  });

  it("orients the colour scale so that 1 is always the better end", () => {
    const domain = domainOf([0.2, Number.NaN, 0.6, 0.4]);
    assert.deepEqual(domain, { min: 0.2, max: 0.6 });
    close(scalePosition(0.6, domain, "higher"), 1);
    close(scalePosition(0.2, domain, "higher"), 0);
    close(scalePosition(0.4, domain, "higher"), 0.5);
    close(scalePosition(0.2, domain, "lower"), 1, 1e-12);
    close(scalePosition(0.6, domain, "lower"), 0);
    close(scalePosition(0.9, domain, "higher"), 1);
    assert.ok(Number.isNaN(scalePosition(Number.NaN, domain, "higher")));
    assert.ok(Number.isNaN(scalePosition(0.5, null, "higher")));
    assert.equal(domainOf([Number.NaN]), null);
    close(scalePosition(3, { min: 3, max: 3 }, "lower"), 1);
  });

  it("spans whole powers of two on the batch-size axis and a margin on the log learning-rate axis", () => {
    assert.deepEqual(log2Range([32, 128, 64]), { min: 4.5, max: 7.5 });
    assert.deepEqual(log2Range([48]), { min: 4.5, max: 6.5 });
    assert.deepEqual(log2Range([]), { min: 4, max: 8 });
    const range = logRange([1e-4, 1e-3]);
    close(Math.log10(range.min), -4.2, 1e-9);
    close(Math.log10(range.max), -2.8, 1e-9);
  });

  it("keeps configurations that would cover each other on the map apart: on a ring around their place", () => {
    const point = (configKey: string, lr: number, batchSize: number, variant: "improved" | "reference"): ConfigurationPoint => ({
      configKey, lr, batchSize, params: { ...configurationOf(trainingConfigSchema.parse({})), lr, batchSize, variant }, value: 0.9, runIds: [], runs: 1, completed: 1, troubled: 0,
    });
    const points = [
      point("a", 2e-4, 64, "improved"),
      point("b", 2e-4, 64, "reference"),
      point("c", 2.0004e-4, 64, "improved"),
      point("d", 2e-4, 32, "improved"),
      point("e", 1e-3, 64, "improved"),
    ];
    const xRange = logRange(points.map((p) => p.lr));
    const yRange = log2Range(points.map((p) => p.batchSize));
    const positions = mapPositions(points, xRange, yRange);
    assert.equal(new Set(positions.map((p) => `${p.x}|${p.y}`)).size, 5, "five points, five places");
    assert.deepEqual(positions[3], { x: 2e-4, y: 5 }, "alone at its place: drawn where it is");
    assert.deepEqual(positions[4], { x: 1e-3, y: 6 });
    // a, b and c (lr a hair apart) share a place: a ring around it, 6 % of each axis' span wide.
    const xSpan = Math.log10(xRange.max / xRange.min);
    for (const i of [0, 1, 2]) {
      const dx = (Math.log10(positions[i].x) - Math.log10(2.00013e-4)) / xSpan;
      const dy = (positions[i].y - 6) / (yRange.max - yRange.min);
      close(Math.hypot(dx, dy), 0.06, 1e-4);
    }
  });
});
