import { UnrecoverableError, WaitingError, type Job } from "bullmq";
import type { BackendInfo } from "../backends/index.ts";
import { DataError, type DataSplit } from "../data/index.ts";
import {
  finishRun,
  getRun,
  getRunEpochs,
  loadCheckpoint,
  recordEpoch,
  requeueRun,
  RunOwnershipLostError,
  runOwner,
  saveCheckpoint,
  startRun,
  type PrismaClient,
} from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import { bullPriority, publishEvent, type Publisher, type RunJobData, type RunJobResult } from "../queue/index.ts";
import {
  CheckpointError,
  ConfigError,
  runTraining,
  type AfterEpoch,
  type CheckpointStore,
  type EpochMetrics,
  type TrainingConfig,
  type TrainingOutcome,
} from "../sgan/index.ts";
import { endReason, summarizeRun } from "../results/index.ts";
import { BackendFailureError, isBackendFailure } from "./backend-failure.ts";
import type { DatasetCache } from "./dataset-cache.ts";
import type { PbtJudge, PbtYield } from "./pbt.ts";
import type { ProgressTracker } from "./progress-tracker.ts";
import type { PruningJudge } from "./pruning.ts";
import { retryDbWrite, type RetryOptions } from "./retry.ts";

/**
 * Why a running training was asked to stop ("lost": another worker owns the run now; "pruned": the
 * sweep's pruner stopped it after an epoch; "paused": its sweep was paused, it stopped after an epoch;
 * "yielded": a pbt run at a boundary gives its slot to members queued behind it).
 */
export type StopReason = "cancel" | "shutdown" | "lost" | "pruned" | "paused" | "yielded";

/**
 * A training's stop switch, and why it was pulled. A pause is a request honoured at the end of the
 * epoch in progress (the switch is not pulled); a pruning carries the pruner's reason, a yield whom it yields to.
 */
export type Stop = { controller: AbortController; reason: StopReason | null; pauseRequested?: boolean; prunedReason?: string; yielded?: PbtYield };

export interface RunProcessorContext {
  db: PrismaClient;
  publisher: Publisher;
  workerId: string;
  backend: BackendInfo;
  datasets: DatasetCache;
  progress: ProgressTracker;
  log: Logger;
  /** Stop controllers of the runs in progress, so cancel messages and SIGTERM can reach them. */
  active: Map<string, Stop>;
  /** Backoff of database writes while PostgreSQL is unreachable (tests shorten it). */
  retry?: Omit<RetryOptions, "log">;
  /** Told once a training failed inside the compute backend (the run is already failed). */
  onBackendFailure?: (failure: BackendFailureError) => void;
  /** The sweep's pruner, asked after every epoch but the last. */
  pruning: PruningJudge;
  /** A pbt sweep's decisions, made after every epoch at a decision point. */
  pbt: PbtJudge;
}

/** Minimum time between two progress reports of one run (job progress, live event). */
const PROGRESS_INTERVAL_MS = 1_000;
/** How often a training checks in PostgreSQL that its run is still its own (between epoch writes). */
const OWNERSHIP_CHECK_MS = 2_000;

/**
 * Database writes wait out a PostgreSQL outage: the epoch's metrics, sample and checkpoint stay in
 * memory and training pauses (awaiting the write, capped backoff) until the database is back. Writes
 * of one run thus stay in order; a background queue would let training go on but would have to keep
 * every unwritten epoch and checkpoint, and lose them all if the process died meanwhile.
 */
function durable<T>(ctx: RunProcessorContext, log: Logger, what: string, write: () => Promise<T>): Promise<T> {
  return retryDbWrite(what, write, { ...ctx.retry, log });
}

/**
 * Every write is fenced by ownership: a worker that lost the run writes nothing over the new owner's.
 * The checkpoint at the end of the run's best epoch so far (bestEpoch: the summary just recorded) is
 * kept as its best too, for exporting that epoch's networks.
 */
function checkpointStore(ctx: RunProcessorContext, log: Logger, runId: string, bestEpoch: () => number | null): CheckpointStore {
  return {
    load: () => durable(ctx, log, "load checkpoint", () => loadCheckpoint(ctx.db, runId)),
    save: (checkpoint, epochsDone, epochEnd) => {
      const best = epochEnd && bestEpoch() === epochsDone;
      return durable(ctx, log, `checkpoint after epoch ${epochsDone}`, () => saveCheckpoint(ctx.db, runId, epochsDone, checkpoint, ctx.workerId, { best }));
    },
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
    confusion: metrics.confusion,
    samplesPerSec: metrics.samplesPerSec,
    wallSeconds: metrics.wallSeconds,
  } as { epoch: number; batches: number; testAccuracy: number; testClassLoss: number; confusion: number[][]; samplesPerSec: number; wallSeconds: number } & Record<
    `${"dLoss" | "gLoss" | "dAcc"}${"Mean" | "Std" | "Min" | "Max"}`,
    number
  >;
}

/**
 * Starts the job's run on this worker. A run still marked running belongs to a worker that lost the
 * job: BullMQ hands a job to one lock holder at a time, so that worker died or stalled. Such a run
 * is taken over, unless its sweep was cancelled meanwhile (the cancel message reached no one): then
 * it ends cancelled, untrained. Null: nothing to train.
 */
async function claimRun(ctx: RunProcessorContext, runId: string, log: Logger) {
  const start = () => durable(ctx, log, "start run", () => startRun(ctx.db, runId, ctx.workerId, ctx.backend.name, ctx.backend.device));
  const started = await start();
  if (started) return started;
  const current = await durable(ctx, log, "read run", () => runOwner(ctx.db, runId));
  if (current?.status !== "running") return null;
  if (current.sweepStatus === "cancelled") {
    log.info({ previousWorker: current.workerId }, "sweep cancelled while the run's worker was gone: ending the run cancelled, not taking it over");
    await durable(ctx, log, "cancel run", () => finishRun(ctx.db, runId, "cancelled", {}, current.workerId ?? undefined));
    return null;
  }
  log.warn({ previousWorker: current.workerId }, "taking over a run whose worker lost its job");
  await durable(ctx, log, "requeue run", () => requeueRun(ctx.db, runId, `job taken over from worker ${current.workerId ?? "unknown"}, which lost it`));
  return start();
}

/** Stores the run's final status (fenced by ownership) before BullMQ hears of it, and announces it. */
async function endRun(
  ctx: RunProcessorContext,
  log: Logger,
  job: Job<RunJobData>,
  status: "completed" | "diverged" | "cancelled" | "pruned",
  details: { error?: string; divergedEpoch?: number; prunedReason?: string } = {},
) {
  const { runId, sweepId } = job.data;
  // Stored in PostgreSQL before BullMQ hears of it: if the job is gone (Redis restarted empty, or
  // its lock was lost) moving it to completed fails, which BullMQ only reports; the run is final.
  const finished = await durable(ctx, log, "finish run", () => finishRun(ctx.db, runId, status, details, ctx.workerId));
  if (!finished) {
    const owner = await runOwner(ctx.db, runId).catch(() => null);
    if (owner?.status === "running" && owner.workerId !== ctx.workerId) throw new RunOwnershipLostError(runId, ctx.workerId, owner);
  }
  const reason = endReason(details);
  await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status, workerId: ctx.workerId, ...(reason === null ? {} : { reason }) });
  return status;
}

/**
 * Trains one run's job: claims the run in PostgreSQL, trains it (resuming from its checkpoint),
 * records every epoch, and ends it. Stopping for a cancel ends the run as cancelled (also when the
 * cancel came while the run was being claimed or its data loaded); stopping for a shutdown
 * checkpoints and hands the job back to the queue for another worker. A failure inside the compute
 * backend fails the run at once, recorded here, and is reported through ctx.onBackendFailure.
 */
export async function processRunJob(ctx: RunProcessorContext, job: Job<RunJobData>, token: string | undefined, signal?: AbortSignal): Promise<RunJobResult> {
  const { runId, sweepId } = job.data;
  const log = ctx.log.child({ runId, jobAttempt: job.attemptsMade + 1 });
  // Registered before the claim, so that a cancel message sent while the run is being started is not lost.
  const stop: Stop = { controller: new AbortController(), reason: null };
  signal?.addEventListener("abort", () => stop.controller.abort());
  ctx.active.set(runId, stop);
  try {
    const run = await claimRun(ctx, runId, log);
    if (!run) {
      log.info("run is finished, cancelled or gone; skipping its job");
      return "skipped";
    }
    const atStart = await sweepAtStart(ctx, log, runId, stop);
    if (atStart === "cancelled") {
      log.info("sweep cancelled as the run started: ending it cancelled");
      return await endRun(ctx, log, job, "cancelled");
    }
    if (atStart === "paused") return await holdRun(ctx, log, job, token, "sweep paused as the run started: held, not trained");
    await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status: "running", workerId: ctx.workerId });
    log.info({ attempts: run.attempts, backend: ctx.backend }, "training run");
    // The run's config as stored, not the job's: a pbt exploit replaces it, and a retried job still carries the first one.
    const outcome = await train(ctx, log, job, stop, run.params as TrainingConfig);
    if (outcome.status === "stopped" && stop.reason === "lost") throw new RunOwnershipLostError(runId, ctx.workerId, await runOwner(ctx.db, runId).catch(() => null));
    if (outcome.status === "stopped" && stop.reason === "pruned") {
      log.info({ epochsDone: outcome.epochsDone, reason: stop.prunedReason }, "pruned by the sweep's pruner");
      return await endRun(ctx, log, job, "pruned", { prunedReason: stop.prunedReason });
    }
    if (outcome.status === "stopped" && stop.reason === "paused") {
      return await holdRun(ctx, log, job, token, `sweep paused: stopped after epoch ${outcome.epochsDone}, checkpointed; trains on when the sweep resumes`);
    }
    if (outcome.status === "stopped" && stop.reason === "yielded") return await yieldSlot(ctx, log, job, token, outcome.epochsDone, stop.yielded!);
    if (outcome.status === "stopped" && stop.reason !== "cancel") {
      await durable(ctx, log, "hand run back", () => requeueRun(ctx.db, runId, "worker shutting down: checkpointed mid-epoch, job handed back", ctx.workerId));
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const status = outcome.status === "stopped" ? "cancelled" : outcome.status;
    const details = outcome.status === "diverged" ? { divergedEpoch: outcome.divergedAt.epoch, error: outcome.divergedAt.reason } : {};
    await endRun(ctx, log, job, status, details);
    log.info({ status, epochsDone: outcome.epochsDone }, "run ended");
    return status;
  } catch (error) {
    if (error instanceof WaitingError) throw error;
    if (error instanceof RunOwnershipLostError) {
      // Not a failure of the run: its new owner trains it. Nothing is written; the job is the new owner's.
      log.warn({ owner: error.owner }, "lost the run to another worker: stopped training it, wrote nothing more");
      return "skipped";
    }
    // Whatever broke after a cancel (e.g. the data read it aborted), the user asked for cancelled.
    if (stop.reason === "cancel") {
      log.info({ err: error }, "run cancelled; the error after the cancel is not a failure of the run");
      return await endRun(ctx, log, job, "cancelled");
    }
    if (isBackendFailure(error)) throw await failOnBackend(ctx, log, job, error);
    // Retrying cannot fix a bad config, missing data or a foreign checkpoint: fail at once.
    const permanent = error instanceof ConfigError || error instanceof DataError || error instanceof CheckpointError;
    log.error({ err: error, permanent }, "run attempt failed");
    throw permanent ? new UnrecoverableError((error as Error).message) : error;
  } finally {
    ctx.active.delete(runId);
  }
}

/**
 * A cancel or a pause that came while the run was claimed, or was committed before this worker
 * listened for it: the sweep's state decides before any training.
 */
async function sweepAtStart(ctx: RunProcessorContext, log: Logger, runId: string, stop: Stop): Promise<"cancelled" | "paused" | "active"> {
  if (stop.reason === "cancel") return "cancelled";
  const sweepStatus = (await durable(ctx, log, "read sweep status", () => runOwner(ctx.db, runId)))?.sweepStatus;
  return sweepStatus === "cancelled" ? "cancelled" : sweepStatus === "paused" ? "paused" : "active";
}

/**
 * Back to queued without a job (the job ends here): a paused sweep's runs wait in PostgreSQL, and
 * resuming the sweep enqueues them again, to resume from their checkpoints. A sweep resumed while
 * the run was stopping (its resume saw this job still held) gets the job back in the queue instead.
 */
async function holdRun(ctx: RunProcessorContext, log: Logger, job: Job<RunJobData>, token: string | undefined, reason: string): Promise<"held"> {
  const { runId } = job.data;
  await durable(ctx, log, "hold run", () => requeueRun(ctx.db, runId, reason, ctx.workerId));
  if ((await durable(ctx, log, "read sweep status", () => runOwner(ctx.db, runId)))?.sweepStatus === "active") {
    log.info("sweep resumed while the run stopped for its pause: job handed back");
    await job.moveToWait(token);
    throw new WaitingError();
  }
  log.info({ reason }, "run held for its paused sweep");
  return "held";
}

/**
 * A pbt run checkpointed at a boundary goes back to the queue behind the members that lag: its job's
 * priority within its sweep's band becomes its epochs done, so the worker takes the least advanced
 * member next (BullMQ takes a prioritised job in front of those of its own priority, behind lower ones).
 */
async function yieldSlot(ctx: RunProcessorContext, log: Logger, job: Job<RunJobData>, token: string | undefined, epochsDone: number, yielded: PbtYield): Promise<never> {
  const reason = `pbt: checkpointed at epoch ${epochsDone}, slot handed to ${yielded.behind} member(s) queued with fewer epochs; trains on after them`;
  await durable(ctx, log, "hand run back", () => requeueRun(ctx.db, job.data.runId, reason, ctx.workerId));
  await job.changePriority({ priority: bullPriority(yielded.sweepPriority, epochsDone) });
  log.info({ epochsDone, behind: yielded.behind }, "pbt: slot handed to members behind, job handed back");
  await job.moveToWait(token);
  throw new WaitingError();
}

/**
 * The run fails for good, recorded before BullMQ hears of it (a long native call may have cost this
 * worker its job lock, so BullMQ may never record it), and this process's backend is reported
 * broken so the worker stops taking jobs with it.
 */
async function failOnBackend(ctx: RunProcessorContext, log: Logger, job: Job<RunJobData>, cause: Error): Promise<BackendFailureError> {
  const failure = new BackendFailureError(cause);
  log.error({ err: cause }, "the compute backend failed while training: failing the run, not retrying it");
  const { runId, sweepId } = job.data;
  if (await durable(ctx, log, "fail run", () => finishRun(ctx.db, runId, "failed", { error: failure.message }, ctx.workerId))) {
    await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status: "failed", workerId: ctx.workerId, reason: failure.message }).catch(() => undefined);
  }
  ctx.onBackendFailure?.(failure);
  return failure;
}

/**
 * Trains the claimed run to the end, or until stopped; every epoch is recorded, fenced by ownership.
 * A pbt exploit replaces the run's checkpoint and config after an epoch: the trainer is dropped and
 * the run trains on from the copied checkpoint with its new config, read back as stored.
 */
async function train(ctx: RunProcessorContext, log: Logger, job: Job<RunJobData>, stop: Stop, params: TrainingConfig): Promise<Exclude<TrainingOutcome, { status: "replaced" }>> {
  const { runId } = job.data;
  const data = await ctx.datasets.get(params, stop.controller.signal);
  const midRunChanges = await durable(ctx, log, "read sweep strategy", () => ctx.pbt.decides(job.data.sweepId));
  for (let config = params; ; ) {
    const outcome = await trainOnce(ctx, log, job, stop, config, data, midRunChanges);
    if (outcome.status !== "replaced") return outcome;
    if (stop.controller.signal.aborted || stop.reason === "yielded") return { status: "stopped", epochsDone: outcome.epochsDone };
    if (stop.pauseRequested) {
      stop.reason = "paused";
      return { status: "stopped", epochsDone: outcome.epochsDone };
    }
    const stored = await durable(ctx, log, "read run config", () => getRun(ctx.db, runId));
    if (stored?.status !== "running" || stored.workerId !== ctx.workerId) throw new RunOwnershipLostError(runId, ctx.workerId, stored);
    config = stored.params as TrainingConfig;
    log.info({ epochsDone: stored.epochsDone }, "pbt exploit: training on from the copied checkpoint with the run's new config");
  }
}

async function trainOnce(ctx: RunProcessorContext, log: Logger, job: Job<RunJobData>, stop: Stop, params: TrainingConfig, data: DataSplit, midRunChanges: boolean) {
  const { runId, sweepId } = job.data;
  let lastReport = 0;
  let lastOwnershipCheck = Date.now();
  // Between epoch writes (which are fenced themselves), notice early that another worker took the
  // run over (this process stalled past its job lock, e.g. paused or cut off) and stop training it;
  // and that its sweep was cancelled, should the cancel message not have reached this worker.
  const checkOwnership = () => {
    if (Date.now() - lastOwnershipCheck < OWNERSHIP_CHECK_MS) return;
    lastOwnershipCheck = Date.now();
    void runOwner(ctx.db, runId).then(
      (owner) => {
        const mine = owner && owner.status === "running" && owner.workerId === ctx.workerId;
        if (mine && owner.sweepStatus !== "cancelled") return;
        if (stop.reason === null) stop.reason = mine ? "cancel" : "lost";
        stop.controller.abort();
      },
      () => undefined, // unreachable database: the fenced writes decide
    );
  };
  let bestEpoch: number | null = null;
  // Off the heartbeat as soon as training ends, before the run's final status is stored and
  // announced: a heartbeat after that must not list it as this worker's current run.
  return runTraining(params, data, {
    log,
    signal: stop.controller.signal,
    midRunChanges,
    checkpoints: checkpointStore(ctx, log, runId, () => bestEpoch),
    onProgress: (batchProgress) => {
      checkOwnership();
      const snapshot = ctx.progress.update(runId, sweepId, params.epochs, params.batchSize, batchProgress);
      if (Date.now() - lastReport < PROGRESS_INTERVAL_MS && batchProgress.batch < batchProgress.batches) return;
      lastReport = Date.now();
      void job.updateProgress({ ...snapshot, workerId: ctx.workerId }).catch(() => undefined);
      void publishEvent(ctx.publisher, { type: "run-progress", workerId: ctx.workerId, ...snapshot }).catch(() => undefined);
    },
    onEpoch: async (metrics, png) => {
      const row = epochRow(metrics);
      await durable(ctx, log, `epoch ${metrics.epoch}`, async () => {
        const previous = (await getRunEpochs(ctx.db, runId)).filter((epoch) => epoch.epoch < metrics.epoch);
        const summary = summarizeRun([...previous, row]);
        await recordEpoch(ctx.db, runId, row, png, summary, ctx.workerId);
        bestEpoch = summary.bestEpoch;
      });
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
      return afterEpoch(ctx, log, job, stop, params, metrics.epoch);
    },
  }).finally(() => ctx.progress.remove(runId));
}

/**
 * After a recorded epoch: the pruner's verdict first (a pruned run stops for good), then a pbt
 * sweep's decision (an exploit has replaced the run's checkpoint), then a pending pause, then a pbt
 * run's yield to members queued behind it.
 */
async function afterEpoch(ctx: RunProcessorContext, log: Logger, job: Job<RunJobData>, stop: Stop, params: TrainingConfig, epoch: number): Promise<AfterEpoch> {
  const { runId, sweepId } = job.data;
  if (epoch >= params.epochs) return;
  const verdict = await durable(ctx, log, `pruning decision after epoch ${epoch}`, () => ctx.pruning.verdict(sweepId, runId, epoch));
  if (verdict.prune) {
    stop.reason = "pruned";
    stop.prunedReason = verdict.reason;
    return "stop";
  }
  const pbt = await durable(ctx, log, `pbt decision after epoch ${epoch}`, () => ctx.pbt.decide(sweepId, runId, epoch, ctx.workerId));
  if (pbt) log.info({ epoch, action: pbt.action, reason: pbt.reason }, "pbt decision");
  if (pbt && !stop.pauseRequested) {
    const yielded = await durable(ctx, log, `pbt slot after epoch ${epoch}`, () => ctx.pbt.yields(runId, epoch));
    if (yielded) {
      stop.reason = "yielded";
      stop.yielded = yielded;
    }
  }
  if (pbt?.action === "exploit") return "replaced";
  if (stop.pauseRequested) {
    stop.reason = "paused";
    return "stop";
  }
  if (stop.reason === "yielded") return "stop";
}
