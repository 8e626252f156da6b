import type { Configuration } from "../sweep/fields.ts";
import type { RunSummary } from "./run-summary.ts";
import { meanOrNull, stdOrNull } from "./series.ts";

export interface SummarizedRun {
  configKey: string;
  hyperparameters: Configuration;
  status: string;
  summary: RunSummary | null;
}

/**
 * One configuration across its repeats. The figures pool completed runs only: a run still training would
 * pull the means towards its early epochs. Null while no repeat has completed.
 */
export interface ConfigurationSummary {
  configKey: string;
  params: Configuration;
  runs: number;
  completedRuns: number;
  finalTestAccuracyMean: number | null;
  /** Population std across completed repeats. */
  finalTestAccuracyStd: number | null;
  bestTestAccuracyMean: number | null;
  lastKMeanTestAccuracyMean: number | null;
  testAccuracyStdLastKMean: number | null;
  dAccStdLastKMean: number | null;
  meanAbsTestAccuracyChangeMean: number | null;
  maxGLossSpikeMax: number | null;
  maxGLossMax: number | null;
}

/** The run figures that a configuration pools across its completed repeats. */
export type PooledRunFigure = Exclude<keyof RunSummary, "epochs" | "bestEpoch" | "finalDLoss" | "finalGLoss">;

/**
 * Where each pooled run figure stands in a configuration's summary: the mean over the repeats, but
 * for the g_loss extremes the largest, so that one repeat's spike is not averaged away.
 */
export const CONFIGURATION_FIGURE = {
  finalTestAccuracy: "finalTestAccuracyMean",
  bestTestAccuracy: "bestTestAccuracyMean",
  lastKMeanTestAccuracy: "lastKMeanTestAccuracyMean",
  testAccuracyStdLastK: "testAccuracyStdLastKMean",
  dAccStdLastK: "dAccStdLastKMean",
  meanAbsTestAccuracyChange: "meanAbsTestAccuracyChangeMean",
  maxGLossSpike: "maxGLossSpikeMax",
  maxGLoss: "maxGLossMax",
} as const satisfies Record<PooledRunFigure, keyof ConfigurationSummary>;

/** Per configKey, in order of first appearance. */
export function summarizeConfigurations(runs: readonly SummarizedRun[]): ConfigurationSummary[] {
  const groups = new Map<string, SummarizedRun[]>();
  for (const run of runs) {
    const group = groups.get(run.configKey);
    if (group === undefined) groups.set(run.configKey, [run]);
    else group.push(run);
  }
  return [...groups].map(([key, group]) => {
    const completed = group.flatMap((run) => (run.status === "completed" && run.summary !== null ? [run.summary] : []));
    const values = (figure: (summary: RunSummary) => number | null) =>
      completed.map(figure).filter((value): value is number => value !== null);
    const finals = values((summary) => summary.finalTestAccuracy);
    const largest = (figure: (summary: RunSummary) => number | null) => {
      const all = values(figure);
      return all.length === 0 ? null : Math.max(...all);
    };
    return {
      configKey: key,
      params: group[0].hyperparameters,
      runs: group.length,
      completedRuns: group.filter((run) => run.status === "completed").length,
      finalTestAccuracyMean: meanOrNull(finals),
      finalTestAccuracyStd: stdOrNull(finals),
      bestTestAccuracyMean: meanOrNull(values((summary) => summary.bestTestAccuracy)),
      lastKMeanTestAccuracyMean: meanOrNull(values((summary) => summary.lastKMeanTestAccuracy)),
      testAccuracyStdLastKMean: meanOrNull(values((summary) => summary.testAccuracyStdLastK)),
      dAccStdLastKMean: meanOrNull(values((summary) => summary.dAccStdLastK)),
      meanAbsTestAccuracyChangeMean: meanOrNull(values((summary) => summary.meanAbsTestAccuracyChange)),
      maxGLossSpikeMax: largest((summary) => summary.maxGLossSpike),
      maxGLossMax: largest((summary) => summary.maxGLoss),
    };
  });
}
