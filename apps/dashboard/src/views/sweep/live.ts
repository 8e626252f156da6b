// What a live event of the sweep changes: the state at once, and the panels through LiveUpdates.
import type { EpochRow, LiveEvent } from "../../../../../libs/results/contract.ts";
import type { SweepState } from "./state.ts";

export interface LiveUpdates {
  /** The run's table row shows stale progress or status. */
  rowChanged(runId: string): void;
  /** The run has a new epoch (drawn from the event already): fetch its full rows and redraw. */
  epochAdded(runId: string): void;
  /** The sweep's counts and figures moved: refetch it. */
  sweepChanged(): void;
}

export function applyLiveEvent(state: SweepState, event: LiveEvent, updates: LiveUpdates): void {
  if (!state.detail || event.type === "worker" || event.sweepId !== state.sweepId) return;
  if (event.type === "labels" && event.runId === null) {
    state.detail.tags = event.tags;
    state.detail.note = event.note;
    updates.sweepChanged();
    return;
  }
  const run = state.detail.runs.find((candidate) => candidate.id === event.runId);
  if (!run) return;
  if (event.type === "run-progress") {
    state.progress.set(run.id, event);
    if (run.status !== "running") run.status = "running";
    updates.rowChanged(run.id);
  } else if (event.type === "run-epoch") {
    // Draw the new point at once; the full row (with its batch extremes) follows shortly.
    const rows = state.epochs.get(run.id) ?? [];
    const partial = { ...emptyRow(event.epoch), testAccuracy: event.testAccuracy, dAccMean: event.dAccMean, dLossMean: event.dLossMean, gLossMean: event.gLossMean };
    state.epochs.set(run.id, [...rows.filter((row) => row.epoch !== event.epoch), partial].sort((a, b) => a.epoch - b.epoch));
    run.epochsDone = Math.max(run.epochsDone, event.epoch);
    updates.epochAdded(run.id);
    updates.rowChanged(run.id);
    updates.sweepChanged();
  } else if (event.type === "labels") {
    run.tags = event.tags;
    run.note = event.note;
    updates.rowChanged(run.id);
  } else if (event.type === "run-status") {
    run.status = event.status;
    if (event.status !== "running") state.progress.delete(run.id);
    updates.rowChanged(run.id);
    updates.sweepChanged();
  }
}

/** An epoch row with only the epoch: filled in from a live run-epoch event until the full row is fetched. */
export function emptyRow(epoch: number): EpochRow {
  return {
    epoch, batches: 0,
    dLossMean: null, dLossStd: null, dLossMin: null, dLossMax: null,
    gLossMean: null, gLossStd: null, gLossMin: null, gLossMax: null,
    dAccMean: null, dAccStd: null, dAccMin: null, dAccMax: null,
    testAccuracy: null, testClassLoss: null, samplesPerSec: null, wallSeconds: null,
  };
}
