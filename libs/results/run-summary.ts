import { assertWindow, inEpochOrder, lastKStats, meanOrNull } from "./series.ts";

/** The per-epoch figures the stability measures use; database epoch rows carry these columns and can be passed as they are. */
export interface EpochPoint {
  epoch: number;
  testAccuracy: number;
  dAccMean: number;
  dLossMean: number;
  gLossMean: number;
  gLossMax: number;
}

/** Final, best and stability figures of one run (definitions in docs/sweeps.md). Null where the run has no epochs yet. */
export interface RunSummary {
  epochs: number;
  finalTestAccuracy: number | null;
  bestTestAccuracy: number | null;
  bestEpoch: number | null;
  lastKMeanTestAccuracy: number | null;
  testAccuracyStdLastK: number | null;
  dAccStdLastK: number | null;
  /** Null with fewer than two epochs: there is no change to average. */
  meanAbsTestAccuracyChange: number | null;
  maxGLossSpike: number | null;
  maxGLoss: number | null;
  finalDLoss: number | null;
  finalGLoss: number | null;
}

export function summarizeRun(epochs: readonly EpochPoint[], k = 5): RunSummary {
  assertWindow(k);
  const rows = inEpochOrder(epochs);
  if (rows.length === 0) {
    return {
      epochs: 0,
      finalTestAccuracy: null,
      bestTestAccuracy: null,
      bestEpoch: null,
      lastKMeanTestAccuracy: null,
      testAccuracyStdLastK: null,
      dAccStdLastK: null,
      meanAbsTestAccuracyChange: null,
      maxGLossSpike: null,
      maxGLoss: null,
      finalDLoss: null,
      finalGLoss: null,
    };
  }
  const accuracy = rows.map((row) => row.testAccuracy);
  const best = accuracy.indexOf(Math.max(...accuracy));
  const last = rows[rows.length - 1];
  const window = lastKStats(accuracy, k);
  return {
    epochs: rows.length,
    finalTestAccuracy: last.testAccuracy,
    bestTestAccuracy: accuracy[best],
    bestEpoch: rows[best].epoch,
    lastKMeanTestAccuracy: window.mean,
    testAccuracyStdLastK: window.std,
    dAccStdLastK: lastKStats(rows.map((row) => row.dAccMean), k).std,
    meanAbsTestAccuracyChange: meanOrNull(accuracy.slice(1).map((value, i) => Math.abs(value - accuracy[i]))),
    maxGLossSpike: Math.max(...rows.map((row) => row.gLossMax - row.gLossMean)),
    maxGLoss: Math.max(...rows.map((row) => row.gLossMax)),
    finalDLoss: last.dLossMean,
    finalGLoss: last.gLossMean,
  };
}
