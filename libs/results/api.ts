// The JSON of every API route, as clients receive it: dates as ISO strings, a non-finite figure as
// null. libs/service builds these values and the routes send them as they are, so the compiler holds
// the API to this contract; the CLI and the dashboard read their answers with these types.
import type { TrainingConfig } from "../sgan/config.ts";
import type { Configuration, SweepableField } from "../sweep/fields.ts";
import type { PerturbedValue } from "../sweep/pbt/explore.ts";
import type { TrialState } from "../sweep/pruners/types.ts";
import type { PlanSize } from "../sweep/plan.ts";
import type { ForestSettings, ImportanceResult } from "../importance/index.ts";
import type { ConfigurationSummary } from "./configuration-summary.ts";
import type { ConfusionMatrix } from "./confusion.ts";
import type { RunProgressSnapshot } from "./events.ts";
import type { Objective } from "./objective.ts";
import type { ResolvedRankOptions } from "./rank-options.ts";
import type { RankedConfiguration, RankedRun, Ranking } from "./rank.ts";
import type { RunSummary } from "./run-summary.ts";
import type { RunCounts, RunStatus, SweepStatus } from "./statuses.ts";

/** An ISO 8601 timestamp (`2024-05-01T12:00:00.000Z`). */
export type IsoDate = string;

/** The sweep config as validated at submit (libs/sweep/config.ts), defaults filled in: a sweep stored before objectives existed has the default objective. */
export interface StoredSweepConfig {
  objective: Objective;
  fixed: Record<string, unknown>;
  parameters: Record<string, unknown>;
  [key: string]: unknown;
}

/** A sweep as stored. */
export interface SweepRecord {
  id: string;
  name: string;
  status: SweepStatus;
  strategy: string;
  priority: number;
  /** Labels to find it by (GET /api/sweeps?tag=), in the order given; [] when none. */
  tags: string[];
  /** A person's free text about it. */
  note: string | null;
  createdAt: IsoDate;
  updatedAt: IsoDate;
  /** As submitted, without its tags and note (those are the fields above, changed with PATCH). */
  config: StoredSweepConfig;
}

/** GET /api/sweeps items, and the head of GET /api/sweeps/:id. */
export interface SweepItem extends SweepRecord {
  counts: RunCounts;
  /** The completed run with the highest final test accuracy. */
  best: { runId: string; finalTestAccuracy: number } | null;
}

/** GET /api/sweeps?page=&pageSize= */
export interface SweepList {
  total: number;
  page: number;
  pageSize: number;
  items: SweepItem[];
}

/** A run as stored, without its epochs. */
export interface RunRecord {
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
  /** Why the sweep's pruner stopped the run (status pruned). */
  prunedReason: string | null;
  /** Refreshed after every epoch; null before the first. */
  summary: RunSummary | null;
  finalTestAccuracy: number | null;
  bestTestAccuracy: number | null;
  /** Labels (GET /api/sweeps/:id/runs?tag=), in the order given; [] when none. */
  tags: string[];
  note: string | null;
  createdAt: IsoDate;
  startedAt: IsoDate | null;
  finishedAt: IsoDate | null;
  updatedAt: IsoDate;
}

/** A run in GET /api/sweeps/:id: what varies between runs, and how many epochs it recorded. */
export interface RunRow extends RunRecord {
  hyperparameters: Configuration;
  epochCount: number;
}

/** GET /api/sweeps/:id/runs?tag=: the sweep's runs that have every tag asked for, in index order. */
export interface SweepRuns {
  sweepId: string;
  tags: string[];
  runs: RunRow[];
}

/** GET /api/sweeps/:id */
export interface SweepDetail extends SweepItem {
  runs: RunRow[];
  configurations: ConfigurationSummary[];
  /** One per configuration, in the order the study asked for them (their runs' index order). */
  trials: SweepTrial[];
}

/**
 * A trial of the sweep's study: a configuration with its repeats, its state and its objective value as
 * the study's sampler is told them (libs/study), and the best value found up to it.
 */
export interface SweepTrial {
  /** 0 for the first configuration asked, then 1, 2, ... */
  number: number;
  configKey: string;
  hyperparameters: Configuration;
  /** running while a repeat is queued or training, else pruned when a repeat was pruned, else complete with a completed repeat, else failed. */
  state: TrialState;
  /**
   * complete: the objective over its completed repeats (the ranking's configuration score); pruned:
   * the mean of its repeats' last reported objective values; null while running, when failed, or
   * without a finite figure.
   */
  value: number | null;
  /** The epoch a pruned trial reached; null for the others. */
  step: number | null;
  /** Why a repeat was pruned. */
  prunedReason: string | null;
  /** The best value among the complete trials up to this one, by the objective's direction; null before the first. */
  bestSoFar: number | null;
  /** Its runs (repeats), in index order. */
  runIds: string[];
}

/** How many configurations x repeats a sweep plans, and why (libs/sweep planSize), with that said in one line. */
export interface SweepPlan extends PlanSize {
  /** "2 configurations x 1 repeats = 2 runs (samples 10, but the space has only 2 configurations)". */
  description: string;
}

/** POST /api/sweeps: 201 with the stored sweep and its runs (200 with the first ones for a replayed Idempotency-Key). */
export interface SubmitResponse {
  sweep: SweepRecord;
  runs: Array<Pick<RunRecord, "id" | "index" | "configKey" | "repeat" | "params">>;
  plan: SweepPlan;
}

/** POST /api/sweeps?dryRun=1: the runs a submit would store now, validated, with nothing stored or enqueued. */
export interface DryRunResponse {
  dryRun: true;
  plan: SweepPlan;
  runs: Array<Pick<RunRecord, "index" | "configKey" | "repeat" | "params"> & { hyperparameters: Configuration }>;
}

/** POST /api/sweeps/:id/pause */
export interface PauseResponse {
  sweepId: string;
  status: SweepStatus;
  /** Queued runs whose jobs were taken off the queue: they stay queued until the sweep resumes. */
  held: string[];
  /** Running runs, told to stop after their current epoch, checkpointed. */
  pausing: string[];
}

/** POST /api/sweeps/:id/resume */
export interface ResumeResponse {
  sweepId: string;
  status: SweepStatus;
  /** Queued runs that have a live job again. */
  requeued: string[];
  /** Runs of the trials its study asked for at once (more follow as runs finish). */
  newRuns: string[];
}

/** POST /api/sweeps/:id/trials */
export interface ExtendResponse {
  sweepId: string;
  status: SweepStatus;
  /** Trials (configurations) the study may ask for in all, the new ones included. */
  trialBudget: number;
  added: number;
  /** Runs of the trials its study asked for at once (more follow as runs finish; none while paused). */
  newRuns: string[];
}

/** DELETE /api/sweeps/:id */
export interface DeleteResponse {
  sweepId: string;
  /** Runs deleted with everything they stored. */
  deletedRuns: number;
  /** Runs that were training: told to stop; their workers' later writes are refused. */
  stopped: string[];
}

/** POST /api/runs/:id/retry */
export interface RetryResponse {
  runId: string;
  sweepId: string;
  status: RunStatus;
  sweepStatus: SweepStatus;
  /** Epochs its checkpoint holds, where training resumes (0: from scratch). */
  resumesAfterEpoch: number;
  /** Whether it got a job now: not while its sweep is paused (it waits for resume). */
  enqueued: boolean;
}

/** POST /api/sweeps/:id/cancel */
export interface CancelResponse {
  sweepId: string;
  /** Queued runs, cancelled at once. */
  cancelledQueued: string[];
  /** Running runs, told to stop within one batch. */
  stopping: string[];
}

/** One epoch of a run (an EpochMetric row); a diverged loss (NaN, Infinity) is null. */
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

/**
 * One epoch of one run as GET /api/runs/:id/metrics gives it: the row and the class head's confusion
 * matrix on the held-out split (libs/results/confusion.ts reads it). Null for epochs trained before
 * the matrix was stored.
 */
export interface RunEpochRow extends EpochRow {
  confusion: ConfusionMatrix | null;
  /** Per true class, diagonal over row sum (classAccuracies); null where confusion is. */
  classAccuracy: Array<number | null> | null;
}

/** GET /api/runs/:id/metrics (epochs in order). */
export interface RunMetrics {
  runId: string;
  status: RunStatus;
  epochs: RunEpochRow[];
}

/** One run of GET /api/sweeps/:id/metrics: its epoch rows without the matrices, which only a run's page draws. */
export interface SweepRunMetrics {
  runId: string;
  status: RunStatus;
  epochs: EpochRow[];
}

/** GET /api/sweeps/:id/metrics: runs in index order. */
export interface SweepMetrics {
  sweepId: string;
  runs: SweepRunMetrics[];
}

export type BestOptions = ResolvedRankOptions;

export interface BestRunEntry extends RankedRun {
  status: RunStatus;
  repeat: number;
  configKey: string;
  params: Configuration;
}

export interface BestConfigurationEntry extends RankedConfiguration {
  params: Configuration;
}

/** GET /api/sweeps/:id/best: the runs and the configurations (across repeats) under one ranking. */
export interface BestResponse {
  options: BestOptions;
  runs: Ranking<BestRunEntry>;
  configurations: Ranking<BestConfigurationEntry>;
}

/**
 * GET /api/sweeps/:id/importance: how much of the variance of the objective over the complete trials
 * each varying parameter explains on its own (fANOVA over a random forest, libs/importance), best
 * first; or, with too few trials, why it was not assessed.
 */
export type ImportanceResponse = {
  sweepId: string;
  /** What the trials were valued by: the sweep's objective, each query option given overriding its part. */
  objective: Objective;
  method: { name: "fanova" } & ForestSettings;
} & ImportanceResult;

/** One stored PBT decision: a run, just past epoch `epoch`, trained on (continue) or copied another run (exploit). */
export interface PbtDecisionRow {
  id: string;
  runId: string;
  runIndex: number;
  epoch: number;
  action: "continue" | "exploit";
  /** On an exploit: the run copied, and the epoch its checkpoint held (the run trained on after it). */
  fromRunId: string | null;
  fromRunIndex: number | null;
  fromEpoch: number | null;
  /** On an exploit: what explore changed, no-ops included. */
  changes: PerturbedValue[];
  reason: string;
  at: IsoDate;
}

/** A stretch of epochs in a run's schedule, trained by one run with one set of the perturbed values. */
export interface PbtScheduleSegment {
  firstEpoch: number;
  lastEpoch: number;
  /** Who trained these epochs: the run itself, or the run whose checkpoint it copied (or that run's donor). */
  trainedBy: { runId: string; index: number };
  /** The perturbed fields (`pbt.perturb`) as they were over these epochs; a field unset is absent. */
  values: Partial<Pick<TrainingConfig, SweepableField>>;
}

/** One run of a pbt sweep: what its weights were trained with, epoch by epoch, through its epochsDone. */
export interface PbtLineageRun {
  id: string;
  index: number;
  status: RunStatus;
  configKey: string;
  epochsDone: number;
  schedule: PbtScheduleSegment[];
  /**
   * Its schedule as one ordinary run config (`schedule` entries where the values change): trained
   * from scratch, as `npm run train` or a sweep's fixed run would, it retrains this run's weights.
   */
  replay: TrainingConfig;
}

/** GET /api/sweeps/:id/lineage: a pbt sweep's decisions in the order they were made, and each run's schedule. */
export interface LineageResponse {
  sweepId: string;
  /** The fields its decisions perturb. */
  perturb: SweepableField[];
  decisions: PbtDecisionRow[];
  runs: PbtLineageRun[];
}

/** One entry of a run's log; `status` also takes values a run never has, such as `requeued`. */
export interface RunEventRow {
  id: string;
  runId: string;
  at: IsoDate;
  status: string;
  workerId: string | null;
  message: string | null;
}

/** GET /api/runs/:id */
export interface RunDetail extends RunRecord {
  events: RunEventRow[];
  /** Its sweep's name, and its strategy (a pbt run has a schedule: GET /api/sweeps/:id/lineage). */
  sweep: { name: string; strategy: string };
  /** Epochs with a sample image (GET /api/runs/:id/samples/<epoch>.png), ascending. */
  sampleEpochs: number[];
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  backend: string;
  device: string;
  concurrency: number;
  queue: string;
  startedAt: IsoDate;
  lastHeartbeat: IsoDate;
  stoppedAt: IsoDate | null;
  /** The runs it is training, by run id; null while it trains none. */
  progress: Record<string, RunProgressSnapshot> | null;
  alive: boolean;
  currentRuns: Array<{ id: string; sweepId: string }>;
}

/** GET /api/workers: latest started first. */
export interface WorkerList {
  workers: WorkerInfo[];
}
