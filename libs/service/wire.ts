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
  Sweep,
  SweepOverview,
  SweepStatus as StoredSweepStatus,
  WorkerOverview,
} from "../db/index.ts";
import type {
  EpochRow,
  RunDetail,
  RunProgressSnapshot,
  RunRecord,
  RunRow,
  RunStatus,
  RunSummary,
  SweepItem,
  SweepRecord,
  SweepStatus,
  WorkerInfo,
} from "../results/index.ts";
import { configurationOf } from "../sweep/index.ts";
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

export function toRunDetail(run: RunDetails, sampleEpochs: number[]): RunDetail {
  return { ...toRunRecord(run), events: run.events.map(toRunEventRow), sweep: { name: run.sweep.name }, sampleEpochs };
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
