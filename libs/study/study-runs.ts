// A sweep's stored runs as its sampler and its pruner see them. Trials are configurations: one per
// configKey, in the order the study asked for them (their first run's index), their repeats pooled.
import { EPOCH_METRIC, rankConfigurations, type EpochPoint, type Objective, type RunStatus } from "../results/index.ts";
import type { TrainingConfig } from "../sgan/index.ts";
import type { Assignment, EpochStats, RunTrial, SearchSpace, Trial, TrialState } from "../sweep/index.ts";

/** One epoch row: what the objective reads and what `stuck` reads. */
export type StudyEpoch = EpochPoint & EpochStats;

export interface StudyRun {
  id: string;
  index: number;
  configKey: string;
  status: RunStatus;
  params: TrainingConfig;
  epochs: readonly StudyEpoch[];
  /** Why it was pruned, when it was. */
  prunedReason: string | null;
}

/** A stored run (a database row with its epochs) as the study reads it. */
export function studyRunOf(run: Omit<StudyRun, "params"> & { params: unknown }): StudyRun {
  // The params column was validated by the sweep schema before it was stored.
  const { id, index, configKey, status, epochs, prunedReason } = run;
  return { id, index, configKey, status, params: run.params as TrainingConfig, epochs, prunedReason };
}

/** Run statuses as trial states (libs/sweep/pruners documents the mapping). */
const TRIAL_STATE: Record<RunStatus, TrialState> = {
  queued: "running",
  running: "running",
  completed: "complete",
  pruned: "pruned",
  failed: "failed",
  diverged: "failed",
  cancelled: "failed",
};

/** Every run as a pruner trial: its objective metric per epoch, and the raw figures. */
export function prunerRuns(runs: readonly StudyRun[], objective: Objective): RunTrial[] {
  const value = EPOCH_METRIC[objective.metric];
  return [...runs]
    .sort((a, b) => a.index - b.index)
    .map((run) => {
      const epochs = [...run.epochs].sort((a, b) => a.epoch - b.epoch);
      return {
        id: run.id,
        configKey: run.configKey,
        state: TRIAL_STATE[run.status],
        curve: epochs.map((epoch) => ({ epoch: epoch.epoch, value: value(epoch) })).filter((point) => Number.isFinite(point.value)),
        stats: epochs,
      };
    });
}

/** The runs of each configuration, configurations in the order asked. */
export function trialGroups(runs: readonly StudyRun[]): StudyRun[][] {
  const groups = new Map<string, StudyRun[]>();
  for (const run of [...runs].sort((a, b) => a.index - b.index)) {
    const group = groups.get(run.configKey);
    if (group) group.push(run);
    else groups.set(run.configKey, [run]);
  }
  return [...groups.values()];
}

/**
 * The trials as a sampler is told them. A configuration is running while any repeat is queued or
 * training; pruned when a repeat was pruned (its value: the mean of its repeats' last reported
 * objective values, at the epoch they reached); complete with the objective over its completed
 * repeats (the ranking's score, penalty included); failed otherwise.
 */
export function samplerTrials(runs: readonly StudyRun[], space: SearchSpace, objective: Objective): Trial[] {
  return trialGroups(runs).map((repeats): Trial => {
    const assignment: Assignment = Object.fromEntries(space.map(([field]) => [field, repeats[0].params[field]]));
    const states = repeats.map((run) => TRIAL_STATE[run.status]);
    if (states.includes("running")) return { assignment, state: "running" };
    if (states.includes("pruned")) return { assignment, state: "pruned", ...lastReported(repeats, objective) };
    const [ranked] = rankConfigurations([{ configKey: repeats[0].configKey, runs: repeats }], { ...objective, limit: 1 }).entries;
    return ranked ? { assignment, state: "complete", value: ranked.score } : { assignment, state: "failed" };
  });
}

function lastReported(repeats: readonly StudyRun[], objective: Objective): { step: number; value: number | null } {
  const value = EPOCH_METRIC[objective.metric];
  const lasts = repeats.flatMap((run) => {
    const last = [...run.epochs].sort((a, b) => a.epoch - b.epoch).at(-1);
    return last && Number.isFinite(value(last)) ? [{ epoch: last.epoch, value: value(last) }] : [];
  });
  if (lasts.length === 0) return { step: 0, value: null };
  return { step: Math.max(...lasts.map((last) => last.epoch)), value: lasts.reduce((sum, last) => sum + last.value, 0) / lasts.length };
}
