import { UnrecoverableError, WaitingError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { BackendInfo } from "../backends/index.ts";
import { DataError } from "../data/index.ts";
import {
  finishRun,
  getRun,
  getRunEpochs,
  loadCheckpoint,
  recordEpoch,
  requeueRun,
  saveCheckpoint,
  startRun,
  type PrismaClient,
} from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import { publishEvent, type RunJobData, type RunJobResult } from "../queue/index.ts";
import { CheckpointError, ConfigError, runTraining, type CheckpointStore, type EpochMetrics } from "../sgan/index.ts";
import { summarizeRun } from "../sweep/index.ts";
import type { DatasetCache } from "./dataset-cache.ts";
import type { ProgressTracker } from "./progress-tracker.ts";

/** Why a running training was asked to stop. */
export type StopReason = "cancel" | "shutdown";

export interface RunProcessorContext {
  db: PrismaClient;
  publisher: Redis;
  workerId: string;
  backend: BackendInfo;
  datasets: DatasetCache;
  progress: ProgressTracker;
  log: Logger;
  /** Stop controllers of the runs in progress, so cancel messages and SIGTERM can reach them. */
  active: Map<string, { controller: AbortController; reason: StopReason | null }>;
}

/** Minimum time between two progress reports of one run (job progress, live event). */
const PROGRESS_INTERVAL_MS = 1_000;

function checkpointStore(db: PrismaClient, runId: string): CheckpointStore {
  return {
    load: () => loadCheckpoint(db, runId),
    save: (checkpoint, epochsDone) => saveCheckpoint(db, runId, epochsDone, checkpoint),
  };
}

export function epochRow(metrics: EpochMetrics) {
  const spread = (prefix: "dLoss" | "gLoss" | "dAcc") => ({
    [`${prefix}Mean`]: metrics[prefix].mean,
    [`${prefix}Std`]: metrics[prefix].std,
    [`${prefix}Min`]: metrics[prefix].min,
    [`${prefix}Max`]: metrics[prefix].max,
  });
  return {
    epoch: metrics.epoch,
    batches: metrics.batches,
    ...spread("dLoss"),
    ...spread("gLoss"),
    ...spread("dAcc"),
    testAccuracy: metrics.testAccuracy,
    testClassLoss: metrics.testClassLoss,
    samplesPerSec: metrics.samplesPerSec,
    wallSeconds: metrics.wallSeconds,
  } as { epoch: number; batches: number; testAccuracy: number; testClassLoss: number; samplesPerSec: number; wallSeconds: number } & Record<
    `${"dLoss" | "gLoss" | "dAcc"}${"Mean" | "Std" | "Min" | "Max"}`,
    number
  >;
}

/**
 * Starts the job's run on this worker. A run still marked running belongs to a worker that lost the
 * job: BullMQ hands a job to one lock holder at a time, so that worker died or stalled.
 */
async function claimRun(ctx: RunProcessorContext, runId: string) {
  const started = await startRun(ctx.db, runId, ctx.workerId, ctx.backend.name, ctx.backend.device);
  if (started) return started;
  const current = await getRun(ctx.db, runId);
  if (current?.status !== "running") return null;
  await requeueRun(ctx.db, runId, `job taken over from worker ${current.workerId ?? "unknown"}, which lost it`);
  return startRun(ctx.db, runId, ctx.workerId, ctx.backend.name, ctx.backend.device);
}

/**
 * Trains one run's job: claims the run in PostgreSQL, trains it (resuming from its checkpoint),
 * records every epoch, and ends it. Stopping for a cancel ends the run as cancelled; stopping for a
 * shutdown checkpoints and hands the job back to the queue for another worker.
 */
export async function processRunJob(ctx: RunProcessorContext, job: Job<RunJobData>, token: string | undefined, signal?: AbortSignal): Promise<RunJobResult> {
  const { runId, sweepId, params } = job.data;
  const log = ctx.log.child({ runId, jobAttempt: job.attemptsMade + 1 });
  const run = await claimRun(ctx, runId);
  if (!run) {
    log.info("run is finished or gone; skipping its job");
    return "skipped";
  }
  const stop = { controller: new AbortController(), reason: null as StopReason | null };
  signal?.addEventListener("abort", () => stop.controller.abort());
  ctx.active.set(runId, stop);
  await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status: "running", workerId: ctx.workerId });
  log.info({ attempts: run.attempts, backend: ctx.backend }, "training run");
  let lastReport = 0;
  try {
    const data = await ctx.datasets.get(params);
    const outcome = await runTraining(params, data, {
      log,
      signal: stop.controller.signal,
      checkpoints: checkpointStore(ctx.db, runId),
      onProgress: (batchProgress) => {
        const snapshot = ctx.progress.update(runId, sweepId, params.epochs, params.batchSize, batchProgress);
        if (Date.now() - lastReport < PROGRESS_INTERVAL_MS && batchProgress.batch < batchProgress.batches) return;
        lastReport = Date.now();
        void job.updateProgress({ ...snapshot, workerId: ctx.workerId }).catch(() => undefined);
        void publishEvent(ctx.publisher, { type: "run-progress", workerId: ctx.workerId, ...snapshot }).catch(() => undefined);
      },
      onEpoch: async (metrics, png) => {
        const row = epochRow(metrics);
        const previous = (await getRunEpochs(ctx.db, runId)).filter((epoch) => epoch.epoch < metrics.epoch);
        await recordEpoch(ctx.db, runId, row, png, summarizeRun([...previous, row]));
        await publishEvent(ctx.publisher, {
          type: "run-epoch",
          runId,
          sweepId,
          epoch: metrics.epoch,
          testAccuracy: metrics.testAccuracy,
          dAccMean: metrics.dAcc.mean,
          gLossMean: metrics.gLoss.mean,
          dLossMean: metrics.dLoss.mean,
        });
      },
    });
    if (outcome.status === "stopped" && stop.reason !== "cancel") {
      await requeueRun(ctx.db, runId, "worker shutting down: checkpointed mid-epoch, job handed back");
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const status = outcome.status === "stopped" ? "cancelled" : outcome.status;
    await finishRun(ctx.db, runId, status, outcome.status === "diverged" ? { divergedEpoch: outcome.divergedAt.epoch, error: outcome.divergedAt.reason } : {});
    await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status, workerId: ctx.workerId });
    log.info({ status, epochsDone: outcome.epochsDone }, "run ended");
    return status;
  } catch (error) {
    if (error instanceof WaitingError) throw error;
    // Retrying cannot fix a bad config, missing data or a foreign checkpoint: fail at once.
    const permanent = error instanceof ConfigError || error instanceof DataError || error instanceof CheckpointError;
    log.error({ err: error, permanent }, "run attempt failed");
    throw permanent ? new UnrecoverableError((error as Error).message) : error;
  } finally {
    ctx.active.delete(runId);
    ctx.progress.remove(runId);
  }
}
