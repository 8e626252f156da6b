import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trainingConfigSchema } from "../../libs/sgan/config.ts";
import { summarizeConfigurations, summarizeRun, type EpochPoint, type RunSummary } from "../../libs/results/index.ts";
import { configurationOf } from "../../libs/sweep/index.ts";
import { close } from "./helpers.ts";

const point = (epoch: number, testAccuracy: number, dAccMean: number, dLossMean: number, gLossMean: number, gLossMax: number): EpochPoint => ({
  epoch,
  testAccuracy,
  dAccMean,
  dLossMean,
  gLossMean,
  gLossMax,
});

// Out of order on purpose: database rows need not come sorted.
const SERIES = [
  point(3, 0.6, 0.8, 0.8, 2.4, 2.6),
  point(1, 0.5, 0.6, 1.0, 2.0, 2.5),
  point(4, 0.8, 0.6, 0.7, 2.1, 3.0),
  point(2, 0.7, 0.7, 0.9, 2.2, 4.0),
];

describe("summarizeRun", () => {
  it("computes every figure on a hand-worked series (k = 3)", () => {
    const summary = summarizeRun(SERIES, 3);
    assert.equal(summary.epochs, 4);
    assert.equal(summary.finalTestAccuracy, 0.8);
    assert.equal(summary.bestTestAccuracy, 0.8);
    assert.equal(summary.bestEpoch, 4);
    // Last three accuracies 0.7, 0.6, 0.8: mean 0.7, deviations 0, -0.1, 0.1.
    close(summary.lastKMeanTestAccuracy, 0.7);
    close(summary.testAccuracyStdLastK, Math.sqrt(0.02 / 3));
    // Last three d_acc 0.7, 0.8, 0.6: the same spread.
    close(summary.dAccStdLastK, Math.sqrt(0.02 / 3));
    // |0.7 - 0.5| + |0.6 - 0.7| + |0.8 - 0.6| over three changes.
    close(summary.meanAbsTestAccuracyChange, 0.5 / 3);
    // Spikes gLossMax - gLossMean: 0.5, 1.8, 0.2, 0.9.
    close(summary.maxGLossSpike, 1.8);
    assert.equal(summary.maxGLoss, 4.0);
    assert.equal(summary.finalDLoss, 0.7);
    assert.equal(summary.finalGLoss, 2.1);
  });

  it("uses every epoch when the run is shorter than k (default 5)", () => {
    const summary = summarizeRun(SERIES);
    close(summary.lastKMeanTestAccuracy, 0.65);
    close(summary.testAccuracyStdLastK, Math.sqrt(0.05 / 4));
  });

  it("takes the first epoch of a tied best", () => {
    assert.equal(summarizeRun([point(1, 0.9, 0, 0, 0, 0), point(2, 0.9, 0, 0, 0, 0)]).bestEpoch, 1);
  });

  it("returns nulls, not NaN, without epochs", () => {
    const summary = summarizeRun([]);
    assert.equal(summary.epochs, 0);
    for (const [field, value] of Object.entries(summary)) if (field !== "epochs") assert.equal(value, null, field);
  });

  it("has no change to average after one epoch", () => {
    const summary = summarizeRun([point(1, 0.4, 0.5, 1, 2, 3)]);
    assert.equal(summary.meanAbsTestAccuracyChange, null);
    assert.equal(summary.testAccuracyStdLastK, 0);
  });

  it("refuses a window that is not a positive whole number", () => {
    assert.throws(() => summarizeRun(SERIES, 0), RangeError);
    assert.throws(() => summarizeRun(SERIES, 2.5), RangeError);
  });
});

describe("summarizeConfigurations", () => {
  const hyperparameters = (lr: number, seed: number) => configurationOf(trainingConfigSchema.parse({ lr, seed, epochs: 3 }));
  const finished = (finalTestAccuracy: number, maxGLossSpike: number): RunSummary =>
    summarizeRun([point(1, finalTestAccuracy, 0.5, 1, 2, 2 + maxGLossSpike)]);

  it("pools the completed repeats of each configuration, in order of first appearance", () => {
    const summaries = summarizeConfigurations([
      { configKey: "a", hyperparameters: hyperparameters(1e-4, 1), status: "completed", summary: finished(0.8, 0.5) },
      { configKey: "b", hyperparameters: hyperparameters(1e-3, 2), status: "failed", summary: null },
      { configKey: "a", hyperparameters: hyperparameters(1e-4, 3), status: "completed", summary: finished(0.6, 1.5) },
      { configKey: "a", hyperparameters: hyperparameters(1e-4, 4), status: "running", summary: finished(0.1, 9) },
    ]);
    assert.deepEqual(summaries.map((summary) => summary.configKey), ["a", "b"]);
    const [a, b] = summaries;
    assert.equal(a.runs, 3);
    assert.equal(a.completedRuns, 2);
    assert.deepEqual(a.params, hyperparameters(1e-4, 1));
    assert.equal(a.params.lr, 1e-4);
    close(a.finalTestAccuracyMean, 0.7);
    close(a.finalTestAccuracyStd, 0.1);
    close(a.bestTestAccuracyMean, 0.7);
    assert.equal(a.maxGLossSpikeMax, 1.5);
    assert.equal(a.maxGLossMax, 3.5, "the largest batch g_loss of the completed repeats");
    assert.equal(a.dAccStdLastKMean, 0);
    assert.equal(a.meanAbsTestAccuracyChangeMean, null);
    assert.equal(b.runs, 1);
    assert.equal(b.completedRuns, 0);
    assert.equal(b.finalTestAccuracyMean, null);
    assert.equal(b.finalTestAccuracyStd, null);
  });
});
