// The stored shapes, re-exported so that no other code imports the generated client itself, and
// the inputs of the repository functions.
import type { EpochMetric, Prisma, Run, RunEvent, Sweep, Worker } from "./generated/index.js";
import { RunStatus } from "./generated/index.js";

export { Prisma, PrismaClient, RunStatus, SweepStatus } from "./generated/index.js";
export type {
  Checkpoint,
  EpochMetric,
  Run,
  RunEvent,
  SampleImage,
  Sweep,
  Worker,
} from "./generated/index.js";

/** States a run never leaves. */
export const FINAL_RUN_STATUSES = [
  RunStatus.completed,
  RunStatus.failed,
  RunStatus.cancelled,
  RunStatus.diverged,
  RunStatus.pruned,
] as const;
export type FinalRunStatus = (typeof FINAL_RUN_STATUSES)[number];
export const UNFINISHED_RUN_STATUSES = [RunStatus.queued, RunStatus.running] as const;

export interface NewSweep {
  name: string;
  /** The validated sweep config, stored as JSON. */
  config: object;
  strategy: string;
  priority: number;
  /** The configurations the sweep's study may have in all (its plan's, for grid and random); extended later. */
  trialBudget?: number;
  /** The submit's Idempotency-Key, unique among sweeps, and the hash of what was submitted with it. */
  idempotencyKey?: string;
  requestHash?: string;
  tags?: string[];
  note?: string | null;
}

export interface NewRun {
  index: number;
  configKey: string;
  repeat: number;
  /** The full training config, stored as JSON. */
  params: object;
  batchSize: number;
  lr: number;
  seed: number;
  variant: string;
}

/**
 * One epoch's figures: the EpochMetric columns that the database does not fill in itself, the
 * confusion matrix as the counts it holds (rows: true class, columns: predicted class).
 */
export type EpochMetricInput = Omit<EpochMetric, "runId" | "createdAt" | "confusion"> & { confusion: number[][] | null };

/** The run's summary after an epoch; its accuracies are also kept in columns, for ranking. */
export type RunSummaryInput = object & {
  finalTestAccuracy: number | null;
  bestTestAccuracy: number | null;
};

export type RunStatusCounts = Record<RunStatus, number>;

export interface BestRun {
  runId: string;
  finalTestAccuracy: number;
}

export type SweepOverview = Sweep & { counts: RunStatusCounts; best: BestRun | null };

export type RunWithEpochs = Run & { epochs: EpochMetric[] };

export type RunWithEpochCount = Run & { epochCount: number };

export type RunDetails = Run & { events: RunEvent[]; sweep: { name: string; strategy: string } };

export interface WorkerRegistration {
  id: string;
  host: string;
  pid: number;
  backend: string;
  device: string;
  concurrency: number;
  queue: string;
}

export type WorkerOverview = Worker & {
  alive: boolean;
  currentRuns: Array<{ id: string; sweepId: string }>;
};
