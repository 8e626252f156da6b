// The JSON of the sweeps API as the CLI reads it: the routes in apps/api/routes/sweeps.ts and the live
// events of libs/queue (dates as ISO strings), reduced to the fields the CLI uses.

export type RunStatus = "queued" | "running" | "completed" | "failed" | "cancelled" | "diverged";
export type RunCounts = Record<RunStatus, number>;
export type Hyperparameters = Record<string, string | number | boolean>;

/** Runs by status in the order the CLI lists them: where runs are headed, then how they ended. */
export const RUN_STATUS_ORDER: readonly RunStatus[] = ["running", "queued", "completed", "diverged", "failed", "cancelled"];

/** Queued and running are the only states a run leaves (libs/db UNFINISHED_RUN_STATUSES). */
export function isFinal(status: RunStatus): boolean {
  return status !== "queued" && status !== "running";
}

/** Runs that reached a final state, of all runs. */
export function runTally(counts: RunCounts): { final: number; total: number } {
  const entries = Object.entries(counts) as Array<[RunStatus, number]>;
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return { final: entries.reduce((sum, [status, count]) => sum + (isFinal(status) ? count : 0), 0), total };
}

export interface SweepOverview {
  id: string;
  name: string;
  status: "active" | "completed" | "cancelled";
  createdAt: string;
  counts: RunCounts;
  best: { runId: string; finalTestAccuracy: number } | null;
}

export interface SweepPage {
  total: number;
  page: number;
  pageSize: number;
  items: SweepOverview[];
}

export interface SweepRun {
  id: string;
  index: number;
  status: RunStatus;
  /** The run's full training config; `epochs` is the run's length. */
  params: { epochs: number };
  hyperparameters: Hyperparameters & { batchSize: number; lr: number };
  finalTestAccuracy: number | null;
}

export type SweepDetail = SweepOverview & { runs: SweepRun[] };

export interface SubmittedSweep {
  sweep: { id: string; name: string };
  runs: Array<{ id: string }>;
}

export interface CancelResult {
  sweepId: string;
  cancelledQueued: string[];
  stopping: string[];
}

export interface Ranking<Entry> {
  entries: Entry[];
  ranked: number;
  unranked: number;
  /** How many were left out, by reason: a run's status, `nonFinite`, or `noCompletedRun` (libs/results rank.ts). */
  leftOut: Record<string, number>;
}

export interface RankedEntry {
  rank: number;
  configKey: string;
  score: number;
  value: number;
  std: number;
  params: Hyperparameters;
}

export interface BestOfSweep {
  options: { metric: string; scope: string; k: number; penalty: number; limit: number };
  runs: Ranking<RankedEntry & { id: string; status: RunStatus; repeat: number }>;
  configurations: Ranking<RankedEntry & { runs: number }>;
}

/** The events of GET /api/events that the CLI reads (libs/queue LiveEvent); `worker` events it ignores. */
export interface RunProgressEvent {
  runId: string;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  etaSeconds: number | null;
}

export interface RunEpochEvent {
  runId: string;
  epoch: number;
  testAccuracy: number;
  dAccMean: number;
  gLossMean: number;
  dLossMean: number;
}

export interface RunStatusEvent {
  runId: string;
  status: RunStatus;
  workerId: string | null;
}

/** Query parameters of GET /api/sweeps/:id/best; the API validates them and names what it refuses. */
export type RankQuery = Partial<Record<"metric" | "scope" | "k" | "penalty" | "limit", string>>;

export interface Issue {
  path: string;
  message: string;
}
