// The JSON the API answers, as the browser sees it (dates are ISO strings, NaN arrives as null).
// Figures and rankings are typed from libs/results, so that the dashboard follows when they change.
import type { TrainingConfig } from "../../../libs/sgan/config.ts";
import type { ConfigurationSummary, RankMetric, RankScope, RankedConfiguration, RankedRun, Ranking, RunSummary } from "../../../libs/results/index.ts";
import type { Configuration } from "../../../libs/sweep/fields.ts";

export type { Configuration, ConfigurationSummary, RankMetric, RankScope, RunSummary, TrainingConfig };

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled", "diverged"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type StatusCounts = Record<RunStatus, number>;
export type SweepStatus = "active" | "completed" | "cancelled";

export interface ApiIssue {
  path: string;
  message: string;
}

export interface SweepItem {
  id: string;
  name: string;
  status: SweepStatus;
  strategy: string;
  priority: number;
  createdAt: string;
  updatedAt: string;
  /** The validated sweep config, defaults filled in (libs/sweep/config.ts). */
  config: { fixed?: Record<string, unknown>; parameters?: Record<string, unknown>; [key: string]: unknown };
  counts: StatusCounts;
  best: { runId: string; finalTestAccuracy: number } | null;
}

export interface SweepList {
  total: number;
  page: number;
  pageSize: number;
  items: SweepItem[];
}

export interface RunRow {
  id: string;
  sweepId: string;
  index: number;
  configKey: string;
  repeat: number;
  params: TrainingConfig;
  batchSize: number;
  lr: number;
  seed: number;
  variant: string;
  status: RunStatus;
  attempts: number;
  workerId: string | null;
  backend: string | null;
  device: string | null;
  epochsDone: number;
  error: string | null;
  divergedEpoch: number | null;
  summary: RunSummary | null;
  finalTestAccuracy: number | null;
  bestTestAccuracy: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  hyperparameters: Configuration;
  epochCount: number;
}

export interface SweepDetail extends SweepItem {
  runs: RunRow[];
  configurations: ConfigurationSummary[];
}

/** One EpochMetric row; a diverged loss (NaN, Infinity) arrives as null. */
export interface EpochRow {
  epoch: number;
  batches: number;
  dLossMean: number | null;
  dLossStd: number | null;
  dLossMin: number | null;
  dLossMax: number | null;
  gLossMean: number | null;
  gLossStd: number | null;
  gLossMin: number | null;
  gLossMax: number | null;
  dAccMean: number | null;
  dAccStd: number | null;
  dAccMin: number | null;
  dAccMax: number | null;
  testAccuracy: number | null;
  testClassLoss: number | null;
  samplesPerSec: number | null;
  wallSeconds: number | null;
}

export interface RunMetrics {
  runId: string;
  status: RunStatus;
  epochs: EpochRow[];
}

export interface SweepMetrics {
  sweepId: string;
  runs: RunMetrics[];
}

export interface BestOptions {
  metric: RankMetric;
  scope: RankScope;
  k: number;
  penalty: number;
  limit: number;
}

export interface BestRunEntry extends RankedRun {
  status: RunStatus;
  repeat: number;
  configKey: string;
  params: Configuration;
}

export interface BestConfigurationEntry extends RankedConfiguration {
  params: Configuration;
}

export interface BestResponse {
  options: BestOptions;
  runs: Ranking<BestRunEntry>;
  configurations: Ranking<BestConfigurationEntry>;
}

export interface RunEventRow {
  id: string;
  runId: string;
  at: string;
  status: string;
  workerId: string | null;
  message: string | null;
}

export interface RunDetail extends Omit<RunRow, "hyperparameters" | "epochCount"> {
  events: RunEventRow[];
  sweep: { name: string };
  sampleEpochs: number[];
}

export interface ProgressSnapshot {
  runId: string;
  sweepId: string;
  epoch: number;
  epochs?: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
  etaSeconds: number | null;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  backend: string;
  device: string;
  concurrency: number;
  queue: string;
  startedAt: string;
  lastHeartbeat: string;
  stoppedAt: string | null;
  progress: Record<string, ProgressSnapshot> | null;
  alive: boolean;
  currentRuns: Array<{ id: string; sweepId: string }>;
}

/** The API's server-sent events (libs/queue/events.ts LiveEvent). */
export type LiveEvent =
  | ({ type: "run-progress"; workerId: string } & ProgressSnapshot)
  | { type: "run-epoch"; runId: string; sweepId: string; epoch: number; testAccuracy: number; dAccMean: number; gLossMean: number; dLossMean: number }
  | { type: "run-status"; runId: string; sweepId: string; status: RunStatus; workerId: string | null }
  | { type: "worker"; workerId: string; alive: boolean; host: string; backend: string; device: string; runs: string[] };

export const LIVE_EVENT_TYPES = ["run-progress", "run-epoch", "run-status", "worker"] as const satisfies ReadonlyArray<LiveEvent["type"]>;
