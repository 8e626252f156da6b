import { directionSign, EPOCH_METRIC } from "./objective.ts";
import { parseRankOptions, type RankOptions, type ResolvedRankOptions } from "./rank-options.ts";
import type { EpochPoint } from "./run-summary.ts";
import { inEpochOrder, lastKStats } from "./series.ts";
import { summarize } from "../sgan/summary.ts";

/**
 * What is ranked: runs trained to the end. A queued or running run has no result yet; a cancelled,
 * failed or diverged one stopped before its last epoch, so its figures are not the configuration's.
 */
export const RANKED_RUN_STATUS = "completed";

export interface RankableRun {
  id: string;
  /** The run's status (queued, running, completed, failed, cancelled, diverged): only completed runs are ranked. */
  status: string;
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

/**
 * Why an entry was left out of a ranking. A run: its status when it is not completed, or `nonFinite`
 * (completed, but no epoch or a non-finite figure). A configuration: `noCompletedRun`, or `nonFinite`
 * when none of its completed runs could be scored.
 */
export type LeftOutReason = string;

/**
 * The best `limit` entries, best first; `ranked` counts all that were scored, `unranked` those left
 * out, and `leftOut` how many were left out for each reason.
 */
export interface Ranking<Entry> {
  entries: Entry[];
  ranked: number;
  unranked: number;
  leftOut: Record<LeftOutReason, number>;
}

const NON_FINITE: LeftOutReason = "nonFinite";
const NO_COMPLETED_RUN: LeftOutReason = "noCompletedRun";

type Scored = { score: number; value: number; std: number };

/** Null for a run with no epochs or a non-finite figure (a diverged loss): it cannot be placed. */
export function scoreRun(epochs: readonly EpochPoint[], options: ResolvedRankOptions): Scored | null {
  if (epochs.length === 0) return null;
  const series = inEpochOrder(epochs).map(EPOCH_METRIC[options.metric]);
  const better = directionSign(options.direction);
  const window = lastKStats(series, options.k);
  const value =
    options.scope === "last" ? series[series.length - 1]
    : options.scope === "lastK" ? window.mean
    : better * Math.max(...series.map((x) => better * x)); // the best epoch: the max when maximizing, the min when minimizing
  const score = value - better * options.penalty * window.std;
  return Number.isFinite(score) ? { score, value, std: window.std } : null;
}

/** Over the configuration's completed runs only: its cancelled, failed or diverged repeats do not count. */
function scoreConfiguration(runs: readonly RankableRun[], options: ResolvedRankOptions): (Scored & { runs: number }) | LeftOutReason {
  const completed = runs.filter((run) => run.status === RANKED_RUN_STATUS);
  if (completed.length === 0) return NO_COMPLETED_RUN;
  const scores = completed.flatMap((run) => scoreRun(run.epochs, options)?.score ?? []);
  if (scores.length === 0) return NON_FINITE;
  const { mean, std } = summarize(scores);
  return { score: mean - directionSign(options.direction) * options.penalty * std, value: mean, std, runs: scores.length };
}

function rank<Item, Entry extends Scored>(
  items: readonly Item[],
  options: ResolvedRankOptions,
  score: (item: Item) => Entry | LeftOutReason,
): Ranking<Entry & { rank: number }> {
  const scored: Entry[] = [];
  const leftOut: Record<LeftOutReason, number> = {};
  for (const item of items) {
    const outcome = score(item);
    if (typeof outcome === "string") leftOut[outcome] = (leftOut[outcome] ?? 0) + 1;
    else scored.push(outcome);
  }
  const better = directionSign(options.direction);
  // Array#sort is stable: ties keep the caller's order.
  const entries = scored
    .sort((a, b) => better * (b.score - a.score))
    .slice(0, options.limit)
    .map((entry, i) => ({ rank: i + 1, ...entry }));
  return { entries, ranked: scored.length, unranked: items.length - scored.length, leftOut };
}

export function rankRuns(runs: readonly RankableRun[], options: RankOptions = {}): Ranking<RankedRun> {
  const resolved = parseRankOptions({ ...options });
  return rank(runs, resolved, (run) => {
    if (run.status !== RANKED_RUN_STATUS) return run.status;
    const scored = scoreRun(run.epochs, resolved);
    return scored ? { id: run.id, ...scored } : NON_FINITE;
  });
}

export function rankConfigurations(
  configurations: readonly RankableConfiguration[],
  options: RankOptions = {},
): Ranking<RankedConfiguration> {
  const resolved = parseRankOptions({ ...options });
  return rank(configurations, resolved, (configuration) => {
    const scored = scoreConfiguration(configuration.runs, resolved);
    return typeof scored === "string" ? scored : { configKey: configuration.configKey, ...scored };
  });
}
