// Stored rows as the API's contract states them (libs/results): dates as ISO strings, a non-finite
// figure as null, JSON columns as the shapes that were validated before they were stored. Each field
// is named, so a column added to the schema reaches clients only once it is added to the contract.
import type {
  EpochMetric,
  Run,
  RunDetails,
  RunEvent,
  RunStatus as StoredRunStatus,
  RunWithEpochCount,
  RunWithEpochs,
  Sweep,
  SweepOverview,
  SweepStatus as StoredSweepStatus,
  WorkerOverview,
} from "../db/index.ts";
import type {
  ConfusionMatrix,
  EpochRow,
  RunDetail,
  RunEpochRow,
  RunProgressSnapshot,
  RunRecord,
  RunRow,
  RunStatus,
  RunSummary,
  SweepItem,
  StoredSweepConfig,
  SweepRecord,
  SweepStatus,
  SweepTrial,
  WorkerInfo,
} from "../results/index.ts";
import { bestSoFar, classAccuracies, type Objective } from "../results/index.ts";
import { samplerTrials, trialGroups } from "../study/index.ts";
import { configurationOf, searchSpace, type SweepConfig } from "../sweep/index.ts";
import { storedConfig, storedParams } from "./stored.ts";

// The contract's statuses are PostgreSQL's enums, stated where a browser can read them: this fails to
// compile when the two part (a status added to prisma/schema.prisma must be added to libs/results).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MustHold<Condition extends true> = Condition;
type StatusesAgree = MustHold<Same<StoredRunStatus, RunStatus>> & MustHold<Same<StoredSweepStatus, SweepStatus>>;

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());
const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function toSweepRecord(sweep: Sweep): SweepRecord {
  return {
    id: sweep.id,
    name: sweep.name,
    status: sweep.status,
    strategy: sweep.strategy,
    priority: sweep.priority,
    tags: sweep.tags,
    note: sweep.note,
    createdAt: iso(sweep.createdAt),
    updatedAt: iso(sweep.updatedAt),
    config: storedConfig(sweep),
  };
}

export function toSweepItem(sweep: SweepOverview): SweepItem {
  return { ...toSweepRecord(sweep), counts: sweep.counts, best: sweep.best };
}

export function toRunRecord(run: Run): RunRecord {
  return {
    id: run.id,
    sweepId: run.sweepId,
    index: run.index,
    configKey: run.configKey,
    repeat: run.repeat,
    params: storedParams(run),
    batchSize: run.batchSize,
    lr: run.lr,
    seed: run.seed,
    variant: run.variant,
    status: run.status,
    attempts: run.attempts,
    workerId: run.workerId,
    backend: run.backend,
    device: run.device,
    epochsDone: run.epochsDone,
    error: run.error,
    divergedEpoch: run.divergedEpoch,
    prunedReason: run.prunedReason,
    summary: run.summary as unknown as RunSummary | null,
    finalTestAccuracy: run.finalTestAccuracy,
    bestTestAccuracy: run.bestTestAccuracy,
    tags: run.tags,
    note: run.note,
    createdAt: iso(run.createdAt),
    startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    updatedAt: iso(run.updatedAt),
  };
}

export function toRunRow(run: RunWithEpochCount): RunRow {
  const record = toRunRecord(run);
  return { ...record, hyperparameters: configurationOf(record.params), epochCount: run.epochCount };
}

/**
 * The sweep's trials, one per configuration in the order asked, with the state and value its sampler
 * is told (libs/study, which scores complete trials with the ranking's code) and the best so far.
 */
export function toSweepTrials(runs: readonly RunWithEpochs[], config: StoredSweepConfig): SweepTrial[] {
  const studyRuns = runs.map((run) => ({ ...run, params: storedParams(run) }));
  const prunedReason = new Map(runs.map((run) => [run.id, run.prunedReason]));
  const objective: Objective = config.objective;
  const told = samplerTrials(studyRuns, searchSpace(config.parameters as SweepConfig["parameters"]), objective);
  const best = bestSoFar(told.map((trial) => ({ state: trial.state, value: "value" in trial ? trial.value : null })), objective.direction);
  return trialGroups(studyRuns).map((repeats, number): SweepTrial => {
    const trial = told[number];
    const value = "value" in trial && trial.value !== null && Number.isFinite(trial.value) ? trial.value : null;
    return {
      number,
      configKey: repeats[0].configKey,
      hyperparameters: configurationOf(repeats[0].params),
      state: trial.state,
      value,
      step: trial.state === "pruned" ? trial.step : null,
      prunedReason: repeats.map((run) => prunedReason.get(run.id)).find((reason) => typeof reason === "string") ?? null,
      bestSoFar: best[number],
      runIds: repeats.map((run) => run.id),
    };
  });
}

export function toRunDetail(run: RunDetails, sampleEpochs: number[]): RunDetail {
  return { ...toRunRecord(run), events: run.events.map(toRunEventRow), sweep: { name: run.sweep.name, strategy: run.sweep.strategy }, sampleEpochs };
}

function toRunEventRow(event: RunEvent): RunDetail["events"][number] {
  return { id: event.id.toString(), runId: event.runId, at: iso(event.at), status: event.status, workerId: event.workerId, message: event.message };
}

export function toEpochRow(row: EpochMetric): EpochRow {
  return {
    epoch: row.epoch,
    batches: row.batches,
    dLossMean: finiteOrNull(row.dLossMean),
    dLossStd: finiteOrNull(row.dLossStd),
    dLossMin: finiteOrNull(row.dLossMin),
    dLossMax: finiteOrNull(row.dLossMax),
    gLossMean: finiteOrNull(row.gLossMean),
    gLossStd: finiteOrNull(row.gLossStd),
    gLossMin: finiteOrNull(row.gLossMin),
    gLossMax: finiteOrNull(row.gLossMax),
    dAccMean: finiteOrNull(row.dAccMean),
    dAccStd: finiteOrNull(row.dAccStd),
    dAccMin: finiteOrNull(row.dAccMin),
    dAccMax: finiteOrNull(row.dAccMax),
    testAccuracy: finiteOrNull(row.testAccuracy),
    testClassLoss: finiteOrNull(row.testClassLoss),
    samplesPerSec: finiteOrNull(row.samplesPerSec),
    wallSeconds: finiteOrNull(row.wallSeconds),
  };
}

/** The epoch row with its confusion matrix (JSON the worker stored from its counts) and the per-class accuracies read from it. */
export function toRunEpochRow(row: EpochMetric): RunEpochRow {
  const confusion = row.confusion as ConfusionMatrix | null;
  return { ...toEpochRow(row), confusion, classAccuracy: confusion && classAccuracies(confusion) };
}

export function toWorkerInfo(worker: WorkerOverview): WorkerInfo {
  return {
    id: worker.id,
    host: worker.host,
    pid: worker.pid,
    backend: worker.backend,
    device: worker.device,
    concurrency: worker.concurrency,
    queue: worker.queue,
    startedAt: iso(worker.startedAt),
    lastHeartbeat: iso(worker.lastHeartbeat),
    stoppedAt: isoOrNull(worker.stoppedAt),
    // Written by the worker's heartbeat from its ProgressTracker.
    progress: worker.progress as unknown as Record<string, RunProgressSnapshot> | null,
    alive: worker.alive,
    currentRuns: worker.currentRuns,
  };
}
