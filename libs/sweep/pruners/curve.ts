import type { CurvePoint, PrunerTrial, StudyDirection, StudyHistory } from "./types.ts";

/** Thrown when a pruner is handed a trial it cannot judge: a caller's mistake, not a user's. */
export class PrunerInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrunerInputError";
  }
}

/** The points in epoch order; a trial with no epoch yet cannot be judged. */
export function judgedCurve(trial: PrunerTrial): CurvePoint[] {
  if (trial.curve.length === 0) throw new PrunerInputError(`trial ${trial.id} has no epoch to judge yet`);
  return [...trial.curve].sort((a, b) => a.epoch - b.epoch);
}

/** The epoch reported before the latest one, 0 when the latest is the first. */
export function previousEpoch(sorted: readonly CurvePoint[]): number {
  return sorted.length > 1 ? sorted[sorted.length - 2].epoch : 0;
}

export function otherTrials(trial: PrunerTrial, history: StudyHistory): PrunerTrial[] {
  return history.trials.filter((other) => other.id !== trial.id);
}

export function valueAt(trial: PrunerTrial, epoch: number): number | undefined {
  return trial.curve.find((point) => point.epoch === epoch)?.value;
}

/** The value at the first reported epoch at or after `epoch`: what the trial recorded on reaching it. */
export function valueOnReaching(trial: PrunerTrial, epoch: number): number | undefined {
  let reached: CurvePoint | undefined;
  for (const point of trial.curve) {
    if (point.epoch >= epoch && (reached === undefined || point.epoch < reached.epoch)) reached = point;
  }
  return reached?.value;
}

/** True when `a` is strictly worse than `b` in this direction. */
export function isWorse(a: number, b: number, direction: StudyDirection): boolean {
  return direction === "maximize" ? a < b : a > b;
}

/** Four significant digits: enough to tell values apart in a reason, short enough to read. */
export function shown(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}
