import { PrunerInputError } from "./curve.ts";
import type { CurvePoint, EpochStats, PrunerTrial, StudyDirection, StudyHistory, TrialState } from "./types.ts";

/** One run of a study, with the configuration it belongs to. */
export interface RunTrial extends PrunerTrial {
  configKey: string;
}

const STAT_KEYS = ["dAccMean", "dAccStd", "dLossMean", "dLossStd", "gLossMean", "gLossStd", "gLossMax"] as const;

/**
 * One trial per configuration (id = configKey, in order of first appearance): at each epoch the mean
 * over the repeats that reported it, so while a repeat lags behind, the later epochs are the mean of
 * the repeats that got there. State: `pruned` if any repeat was pruned (the decision is the
 * configuration's), else `running` if any repeat is still to train, else `complete` if any repeat
 * completed, else `failed`.
 */
export function configurationTrials(runs: readonly RunTrial[]): PrunerTrial[] {
  return [...groupBy(runs, (run) => run.configKey)].map(([configKey, repeats]) => {
    const withStats = repeats.flatMap((run) => (run.stats ? [run.stats] : []));
    return {
      id: configKey,
      state: configurationState(repeats.map((run) => run.state)),
      curve: meanByEpoch(repeats.map((run) => run.curve), ["value"]) satisfies CurvePoint[],
      ...(withStats.length > 0 ? { stats: meanByEpoch(withStats, STAT_KEYS) satisfies EpochStats[] } : {}),
    };
  });
}

/**
 * What a pruner needs to judge configuration `configKey` after one of its runs recorded `epoch`:
 * the configuration's curve up to that epoch, and the other configurations as they stand. With one
 * repeat per configuration this is the run-level decision.
 */
export function configurationStudy(
  runs: readonly RunTrial[],
  judged: { configKey: string; epoch: number },
  direction: StudyDirection,
): { trial: PrunerTrial; history: StudyHistory } {
  const configurations = configurationTrials(runs);
  const configuration = configurations.find((candidate) => candidate.id === judged.configKey);
  if (!configuration) throw new PrunerInputError(`no run of configuration ${judged.configKey} among the runs given`);
  const upTo = <T extends { epoch: number }>(rows: readonly T[]) => rows.filter((row) => row.epoch <= judged.epoch);
  const trial = { ...configuration, curve: upTo(configuration.curve), ...(configuration.stats ? { stats: upTo(configuration.stats) } : {}) };
  return { trial, history: { direction, trials: configurations.filter((other) => other !== configuration) } };
}

function configurationState(states: TrialState[]): TrialState {
  for (const state of ["pruned", "running", "complete"] as const) if (states.includes(state)) return state;
  return "failed";
}

function meanByEpoch<K extends string>(series: ReadonlyArray<ReadonlyArray<{ epoch: number } & Record<K, number>>>, keys: readonly K[]) {
  return [...groupBy(series.flat(), (row) => row.epoch)]
    .sort(([a], [b]) => a - b)
    .map(([epoch, rows]) => {
      const means = Object.fromEntries(keys.map((key) => [key, rows.reduce((sum, row) => sum + row[key], 0) / rows.length]));
      return { epoch, ...means } as { epoch: number } & Record<K, number>;
    });
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}
