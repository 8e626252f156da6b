import { parseRankOptions, type RankMetric, type RankOptions, type ResolvedRankOptions } from "./rank-options.ts";
import type { EpochPoint } from "./run-summary.ts";
import { inEpochOrder, lastKStats } from "./series.ts";
import { summarize } from "../sgan/summary.ts";

export interface RankableRun {
  id: string;
  epochs: readonly EpochPoint[];
}

export interface RankableConfiguration {
  configKey: string;
  runs: readonly RankableRun[];
}

/** value: the metric by scope; std: its population std over the last K epochs; score: value penalised by std. */
export interface RankedRun {
  rank: number;
  id: string;
  score: number;
  value: number;
  std: number;
}

/** value: mean of the runs' scores; std: population std of those scores across repeats; runs: repeats scored. */
export interface RankedConfiguration {
  rank: number;
  configKey: string;
  score: number;
  value: number;
  std: number;
  runs: number;
}

/** The best `limit` entries, best first; `ranked` counts all that could be scored, `unranked` those that could not. */
export interface Ranking<Entry> {
  entries: Entry[];
  ranked: number;
  unranked: number;
}

const SERIES: Record<RankMetric, (point: EpochPoint) => number> = {
  testAccuracy: (point) => point.testAccuracy,
  dAcc: (point) => point.dAccMean,
  dLoss: (point) => point.dLossMean,
  gLoss: (point) => point.gLossMean,
};

/** +1 where higher is better (accuracies), -1 where lower is better (losses). */
function direction(metric: RankMetric): 1 | -1 {
  return metric === "dLoss" || metric === "gLoss" ? -1 : 1;
}

type Scored = { score: number; value: number; std: number };

/** Null for a run with no epochs or a non-finite figure (a diverged loss): it cannot be placed. */
function scoreRun(epochs: readonly EpochPoint[], options: ResolvedRankOptions): Scored | null {
  if (epochs.length === 0) return null;
  const series = inEpochOrder(epochs).map(SERIES[options.metric]);
  const better = direction(options.metric);
  const window = lastKStats(series, options.k);
  const value =
    options.scope === "last" ? series[series.length - 1]
    : options.scope === "lastK" ? window.mean
    : better * Math.max(...series.map((x) => better * x)); // the best epoch: max accuracy, min loss
  const score = value - better * options.penalty * window.std;
  return Number.isFinite(score) ? { score, value, std: window.std } : null;
}

function scoreConfiguration(runs: readonly RankableRun[], options: ResolvedRankOptions): (Scored & { runs: number }) | null {
  const scores = runs.flatMap((run) => scoreRun(run.epochs, options)?.score ?? []);
  if (scores.length === 0) return null;
  const { mean, std } = summarize(scores);
  return { score: mean - direction(options.metric) * options.penalty * std, value: mean, std, runs: scores.length };
}

function rank<Item, Entry extends Scored>(
  items: readonly Item[],
  options: ResolvedRankOptions,
  score: (item: Item) => Entry | null,
): Ranking<Entry & { rank: number }> {
  const scored = items.flatMap((item) => score(item) ?? []);
  const better = direction(options.metric);
  // Array#sort is stable: ties keep the caller's order.
  const entries = scored
    .sort((a, b) => better * (b.score - a.score))
    .slice(0, options.limit)
    .map((entry, i) => ({ rank: i + 1, ...entry }));
  return { entries, ranked: scored.length, unranked: items.length - scored.length };
}

export function rankRuns(runs: readonly RankableRun[], options: RankOptions = {}): Ranking<RankedRun> {
  const resolved = parseRankOptions({ ...options });
  return rank(runs, resolved, (run) => {
    const scored = scoreRun(run.epochs, resolved);
    return scored && { id: run.id, ...scored };
  });
}

export function rankConfigurations(
  configurations: readonly RankableConfiguration[],
  options: RankOptions = {},
): Ranking<RankedConfiguration> {
  const resolved = parseRankOptions({ ...options });
  return rank(configurations, resolved, (configuration) => {
    const scored = scoreConfiguration(configuration.runs, resolved);
    return scored && { configKey: configuration.configKey, ...scored };
  });
}
