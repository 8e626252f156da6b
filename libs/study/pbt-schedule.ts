// A pbt run's hyperparameters as a schedule over epochs, from its stored decisions. A run that copied
// another's checkpoint at epoch f holds weights trained, up to f, by that run (with that run's values,
// themselves perhaps copied), and by itself after f: its schedule is the donor's up to f, then its own.
import type { PbtScheduleSegment } from "../results/index.ts";
import type { MidRunField, TrainingConfig } from "../sgan/index.ts";
import type { SweepableField } from "../sweep/index.ts";

export interface ScheduleRun {
  id: string;
  index: number;
  /** Its config now (after its last exploit). */
  params: TrainingConfig;
}

/** A stored exploit: run `runId` copied `fromRunId`'s checkpoint as of `fromEpoch`, its config `previousParams` until then, `params` after. */
export interface ScheduleExploit {
  runId: string;
  epoch: number;
  fromRunId: string;
  fromEpoch: number;
  params: TrainingConfig;
  /** Null for an exploit stored before it was kept: the run's first config is then taken as its current one. */
  previousParams: TrainingConfig | null;
}

/**
 * Run `runId`'s schedule through epoch `through`: consecutive segments from epoch 1, each the epochs
 * one run trained with one config, restricted to `fields`. Empty before its first epoch.
 */
export function pbtSchedule(
  runs: readonly ScheduleRun[],
  exploits: readonly ScheduleExploit[],
  fields: readonly SweepableField[],
  runId: string,
  through: number,
): PbtScheduleSegment[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  const segment = (runId: string, firstEpoch: number, lastEpoch: number, params: TrainingConfig): PbtScheduleSegment => ({
    firstEpoch,
    lastEpoch,
    trainedBy: { runId, index: byId.get(runId)!.index },
    values: Object.fromEntries(fields.filter((field) => params[field] !== undefined).map((field) => [field, params[field]])),
  });
  const scheduleOf = (runId: string, through: number): PbtScheduleSegment[] => {
    const own = exploits.filter((exploit) => exploit.runId === runId).sort((a, b) => a.epoch - b.epoch);
    // Each exploit copies a checkpoint past the epochs the run had recorded, so fromEpoch grows with them.
    const last = own.filter((exploit) => exploit.fromEpoch <= through).at(-1);
    if (!last) return through >= 1 ? [segment(runId, 1, through, own[0]?.previousParams ?? byId.get(runId)!.params)] : [];
    const copied = scheduleOf(last.fromRunId, last.fromEpoch);
    return through > last.fromEpoch ? [...copied, segment(runId, last.fromEpoch + 1, through, last.params)] : copied;
  };
  return scheduleOf(runId, through);
}

/**
 * A run's schedule as one ordinary run config: its config with the first segment's values, and a
 * `schedule` entry at each segment whose values differ. Trained from scratch it retrains the run's
 * weights: a lineage trains on one seed, since each copy takes the donor's. (Not when a copied
 * checkpoint was taken mid-epoch, by a worker shutting down: that epoch's first batches were the donor's.)
 */
export function replayConfig(params: TrainingConfig, schedule: readonly PbtScheduleSegment[]): TrainingConfig {
  const { schedule: _replayed, ...base } = params;
  if (schedule.length === 0) return base;
  const entries: NonNullable<TrainingConfig["schedule"]> = [];
  for (const [i, segment] of schedule.entries()) {
    if (i === 0) continue;
    const before = schedule[i - 1].values as Record<string, unknown>;
    const changed = Object.entries(segment.values).filter(([field, value]) => before[field] !== value);
    if (changed.length > 0) entries.push({ epoch: segment.firstEpoch, ...(Object.fromEntries(changed) as Partial<Pick<TrainingConfig, MidRunField>>) });
  }
  return { ...base, ...schedule[0].values, ...(entries.length > 0 ? { schedule: entries } : {}) };
}
