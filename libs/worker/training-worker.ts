import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { UnrecoverableError, type Job, type Worker } from "bullmq";
import type { BackendInfo } from "../backends/index.ts";
import { deploymentId, finishRun, heartbeatWorker, registerWorker, requeueRun, stopWorker, type PrismaClient } from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import {
  openQueueTransport,
  publishEvent,
  queueNamespace,
  redisUrl,
  subscribeControl,
  type Publisher,
  type QueueBackendConfig,
  type QueueTransport,
  type RunJobData,
  type RunJobResult,
} from "../queue/index.ts";
import { DatasetCache } from "./dataset-cache.ts";
import { ProgressTracker } from "./progress-tracker.ts";
import { processRunJob, type RunProcessorContext } from "./run-processor.ts";

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
  /** Where training data comes from; default a fresh DatasetCache (tests substitute data). */
  datasets?: DatasetCache;
  /** Backoff of database writes while PostgreSQL is unreachable. */
  retry?: RunProcessorContext["retry"];
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
        stop.reason = "cancel";
        stop.controller.abort();
        log.info({ runId }, "cancel requested: stopping after the current batch");
      }
    });
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
    };
    this.worker = transport.createWorker<RunJobData, RunJobResult>(queueName, (job, token, signal) => processRunJob(context, job, token, signal), {
      concurrency,
      lockDuration: this.options.lockDurationMs ?? 60_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 5,
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

  /** A failed attempt is retried by BullMQ; the run is marked failed only when no attempt is left. */
  private async onFailed(job: Job<RunJobData> | undefined, error: Error, publisher: Publisher): Promise<void> {
    if (!job) return;
    const { runId, sweepId } = job.data;
    const final = error instanceof UnrecoverableError || error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
    try {
      if (final) {
        // Fenced: a job this worker lost (another worker took it over) must not fail the new owner's run.
        await finishRun(this.options.db, runId, "failed", { error: error.message }, this.id);
        await publishEvent(publisher, { type: "run-status", runId, sweepId, status: "failed", workerId: this.id });
      } else {
        await requeueRun(this.options.db, runId, `attempt ${job.attemptsMade} failed (${error.message}); retrying`, this.id);
      }
    } catch (storeError) {
      this.options.log.error({ err: storeError, runId }, "could not record the failed attempt");
    }
  }
}
