// Live events from workers to whoever watches: the API relays them as server-sent events
// (GET /api/events), named by `type`.
import type { RunStatus } from "./statuses.ts";

/** Where a training run is within its epochs, as its worker reports it (heartbeats, job progress, events). */
export interface RunProgressSnapshot {
  runId: string;
  sweepId: string;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  /** Null until the run has a throughput to extrapolate from. */
  etaSeconds: number | null;
}

export type RunProgressEvent = { type: "run-progress"; workerId: string } & RunProgressSnapshot;

export interface RunEpochEvent {
  type: "run-epoch";
  runId: string;
  sweepId: string;
  epoch: number;
  testAccuracy: number;
  dAccMean: number;
  gLossMean: number;
  dLossMean: number;
}

export interface RunStatusEvent {
  type: "run-status";
  runId: string;
  sweepId: string;
  status: RunStatus;
  workerId: string | null;
  /** Why a pruned, failed or diverged run ended, as the run stores it (its prunedReason or error). */
  reason?: string;
}

export interface WorkerEvent {
  type: "worker";
  workerId: string;
  alive: boolean;
  host: string;
  backend: string;
  device: string;
  runs: string[];
}

/** A sweep's tags or note changed (runId null), or a run's: what they are now. */
export interface LabelsEvent {
  type: "labels";
  sweepId: string;
  runId: string | null;
  tags: string[];
  note: string | null;
}

export type LiveEvent = RunProgressEvent | RunEpochEvent | RunStatusEvent | WorkerEvent | LabelsEvent;

export const LIVE_EVENT_TYPES = ["run-progress", "run-epoch", "run-status", "worker", "labels"] as const satisfies ReadonlyArray<LiveEvent["type"]>;
