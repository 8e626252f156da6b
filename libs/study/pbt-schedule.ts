// A pbt run's hyperparameters as a schedule over epochs, from its stored decisions. A run that copied
// another's checkpoint at epoch f holds weights trained, up to f, by that run (with that run's values,
// themselves perhaps copied), and by itself after f: its schedule is the donor's up to f, then its own.
import type { PbtScheduleSegment } from "../results/index.ts";
import type { TrainingConfig } from "../sgan/index.ts";
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
