import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { UnrecoverableError, type Job, type Worker } from "bullmq";
import type { BackendInfo } from "../backends/index.ts";
import { countRequeues, deploymentId, finishRun, heartbeatWorker, registerWorker, requeueRun, stopWorker, type PrismaClient } from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import {
  isLiveJobState,
  openQueueTransport,
  publishEvent,
  queueNamespace,
  redisUrl,
  RunQueue,
  subscribeControl,
  type Publisher,
  type QueueBackendConfig,
  type QueueTransport,
  type RunJobData,
  type RunJobResult,
} from "../queue/index.ts";
import { DatasetCache } from "./dataset-cache.ts";
import { BackendFailureError } from "./backend-failure.ts";
import { ProgressTracker } from "./progress-tracker.ts";
import { PbtJudge } from "./pbt.ts";
import { PruningJudge } from "./pruning.ts";
import { processRunJob, type RunProcessorContext } from "./run-processor.ts";
import { retryDbWrite } from "./retry.ts";
import { SweepConfigs } from "./sweep-configs.ts";

/** Why a run is handed to a fresh job after BullMQ failed its job as stalled too often (counted per run). */
const FRESH_JOB_REASON = "job failed by the queue without being processed (its workers died or stalled repeatedly); handed to a fresh job";
/** Fresh jobs a run gets that way before it is failed: a run that kills every worker must not go round forever. */
const MAX_FRESH_JOBS = 3;

export interface TrainingWorkerOptions {
  db: PrismaClient;
  /** Redis at this URL; ignored when queueBackend is given. Neither: REDIS_URL, else the local default. */
  redisUrl?: string;
  /** The queue backend (Redis or PostgreSQL), as resolved by resolveQueueBackend. */
  queueBackend?: QueueBackendConfig;
  queueName: string;
  backend: BackendInfo;
  log: Logger;
  /** Trainings at once in this process; they share its compute backend batch by batch. */
  concurrency?: number;
  heartbeatMs?: number;
  /** How long a job's lock lasts without renewal before BullMQ treats the worker as dead. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (BullMQ's stalled check). */
  stalledIntervalMs?: number;
  /**
   * Takeovers of a run's job after its worker died before BullMQ fails the job itself (default 5);
   * such a job is then renewed for the next healthy worker, at most 3 times per run.
   */
  maxStalledCount?: number;
  /** Where training data comes from; default a fresh DatasetCache (tests substitute data). */
  datasets?: DatasetCache;
  /** Backoff of database writes while PostgreSQL is unreachable. */
  retry?: RunProcessorContext["retry"];
  /**
   * Called once this worker stopped because a training failed inside its compute backend (the run
   * is recorded failed first). The process should exit so that its supervisor starts a fresh one:
   * a wasm heap never shrinks and may be inconsistent after a trap.
   */
  onBackendFailure?: (failure: BackendFailureError) => void;
}

/**
 * A worker process's training side: registers itself, takes run jobs from BullMQ, heartbeats with
 * live progress, obeys cancel messages, and on stop hands unfinished runs back to the queue.
 */
export class TrainingWorker {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  private worker: Worker<RunJobData, RunJobResult> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private transport: QueueTransport | null = null;
  private queue: RunQueue | null = null;
  /** Errors the processor threw: a failed job whose error is not among them was failed by BullMQ itself. */
  private readonly processorErrors = new WeakSet<Error>();
  private backendFailed = false;
  private readonly progress = new ProgressTracker();
  private readonly active: RunProcessorContext["active"] = new Map();

  constructor(private readonly options: TrainingWorkerOptions) {}

  async start(): Promise<void> {
    const { db, backend, queueName, log } = this.options;
    const concurrency = this.options.concurrency ?? 1;
    await registerWorker(db, { id: this.id, host: hostname(), pid: process.pid, backend: backend.name, device: backend.device, concurrency, queue: queueName });
    const queueBackend = this.options.queueBackend ?? { kind: "redis", redisUrl: this.options.redisUrl ?? redisUrl() };
    const transport = (this.transport = openQueueTransport(queueBackend, {
      namespace: queueNamespace(await deploymentId(db)),
      onConnectionError: (error) => log.warn({ err: error.message }, `${queueBackend.kind} connection error`),
    }));
    const publisher = transport.createPublisher({ blocking: true });
    await subscribeControl(transport.createSubscriber(), (message) => {
      for (const runId of message.runIds) {
        const stop = this.active.get(runId);
        if (!stop) continue;
        if (message.type === "pause") {
          stop.pauseRequested = true;
          log.info({ runId }, "sweep paused: stopping after the current epoch");
          continue;
        }
        stop.reason = "cancel";
        stop.controller.abort();
        log.info({ runId }, "cancel requested: stopping after the current batch");
      }
    });
    const sweepConfigs = new SweepConfigs(db);
    const context: RunProcessorContext = {
      db,
      publisher,
      workerId: this.id,
      backend,
      datasets: this.options.datasets ?? new DatasetCache(),
      retry: this.options.retry,
      progress: this.progress,
      log,
      active: this.active,
      onBackendFailure: (failure) => this.onBackendFailure(failure),
      pruning: new PruningJudge(db, sweepConfigs),
      pbt: new PbtJudge(db, sweepConfigs),
    };
    this.queue = new RunQueue(transport, { name: queueName });
    const processor = (job: Job<RunJobData>, token?: string, signal?: AbortSignal) =>
      processRunJob(context, job, token, signal).catch((error: unknown) => {
        if (error instanceof Error) this.processorErrors.add(error);
        throw error;
      });
    this.worker = transport.createWorker<RunJobData, RunJobResult>(queueName, processor, {
      concurrency,
      lockDuration: this.options.lockDurationMs ?? 60_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.options.maxStalledCount ?? 5,
    });
    this.worker.on("failed", (job, error) => void this.onFailed(job, error, publisher));
    this.worker.on("error", (error) => log.error({ err: error }, "queue worker error"));
    this.heartbeat = setInterval(() => void this.beat(publisher), this.options.heartbeatMs ?? 5_000);
    await this.beat(publisher);
    log.info({ workerId: this.id, queue: queueName, queueBackend: transport.description, concurrency, backend }, "worker started");
  }

  /** Stops after the current batch of every run in progress; their checkpoints let others resume them. */
  async stop(): Promise<void> {
    for (const stop of this.active.values()) {
      stop.reason ??= "shutdown";
      stop.controller.abort();
    }
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.worker?.close();
    await this.queue?.close();
    await stopWorker(this.options.db, this.id);
    await this.transport?.close();
    this.options.log.info({ workerId: this.id }, "worker stopped");
  }

  private async beat(publisher: Publisher): Promise<void> {
    try {
      await heartbeatWorker(this.options.db, this.id, this.progress.snapshot());
      const { backend } = this.options;
      await publishEvent(publisher, { type: "worker", workerId: this.id, alive: true, host: hostname(), backend: backend.name, device: backend.device, runs: this.progress.runIds() });
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, "heartbeat failed; will retry");
    }
  }

  /** Stops taking jobs (the others in progress are handed back), then tells the owner of the process. */
  private onBackendFailure(failure: BackendFailureError): void {
    if (this.backendFailed) return;
    this.backendFailed = true;
    this.options.log.error({ err: failure.message }, "compute backend failed: stopping this worker so that a fresh process takes its place");
    void this.stop().then(
      () => this.options.onBackendFailure?.(failure),
      (error: unknown) => {
        this.options.log.error({ err: error }, "unclean stop after the backend failure");
        this.options.onBackendFailure?.(failure);
      },
    );
  }

  /**
   * A failed attempt is retried by BullMQ; the run is marked failed only when no attempt is left.
   * A job BullMQ failed without the processor (stalled more than allowed: its workers died) is not
   * the run's fault: the run is handed to a fresh job, so the next healthy worker resumes it.
   */
  private async onFailed(job: Job<RunJobData> | undefined, error: Error, publisher: Publisher): Promise<void> {
    if (!job) return;
    const { runId, sweepId } = job.data;
    const durable = <T>(what: string, write: () => Promise<T>) => retryDbWrite(what, write, { ...this.options.retry, log: this.options.log });
    try {
      if (!this.processorErrors.has(error)) {
        await this.renewJob(job, error, publisher);
        return;
      }
      const final = error instanceof UnrecoverableError || error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) {
        // Fenced: a job this worker lost (another worker took it over) must not fail the new owner's run.
        if (await durable("fail run", () => finishRun(this.options.db, runId, "failed", { error: error.message }, this.id))) {
          await publishEvent(publisher, { type: "run-status", runId, sweepId, status: "failed", workerId: this.id, reason: error.message });
        }
      } else {
        await durable("requeue run", () => requeueRun(this.options.db, runId, `attempt ${job.attemptsMade} failed (${error.message}); retrying`, this.id));
      }
    } catch (storeError) {
      this.options.log.error({ err: storeError, runId }, "could not record the failed attempt");
    }
  }

  /** Unfenced: a failed job has no holder, so whichever worker had the run lost it. */
  private async renewJob(job: Job<RunJobData>, error: Error, publisher: Publisher): Promise<void> {
    const { runId, sweepId } = job.data;
    const { db } = this.options;
    const runLog = this.options.log.child({ runId, reason: error.message });
    const renewals = await countRequeues(db, runId, FRESH_JOB_REASON);
    if (renewals >= MAX_FRESH_JOBS) {
      const message = `${error.message}, with ${renewals + 1} jobs in a row: its workers keep dying while training it`;
      if (await finishRun(db, runId, "failed", { error: message })) {
        await publishEvent(publisher, { type: "run-status", runId, sweepId, status: "failed", workerId: null, reason: message });
      }
      runLog.error({ renewals }, "the queue failed the run's job again: failed the run");
      return;
    }
    await requeueRun(db, runId, FRESH_JOB_REASON);
    const state = await this.queue!.renew(job);
    if (isLiveJobState(state)) runLog.warn({ jobState: state }, "the queue failed the run's job without processing it: requeued the run with a fresh job");
    else runLog.error({ jobState: state }, "the queue failed the run's job and no fresh job could be added; the API's reconciler will retry");
  }
}
