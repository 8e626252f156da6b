import type { JobsOptions, Queue } from "bullmq";
import type { QueueTransport } from "./backend.ts";
import { bullPriority, DEFAULT_QUEUE_NAME, type RunJobData, type RunJobSpec } from "./jobs.ts";

export interface RunQueueOptions {
  name?: string;
  /** Attempts per job, counting the first; a failed attempt is retried with exponential backoff. */
  attempts?: number;
  backoffMs?: number;
}

/**
 * The producer side: one job per run, keyed by the run id so enqueuing a run twice is harmless.
 * The same on either queue backend (Redis or PostgreSQL): the transport builds the BullMQ Queue.
 */
export class RunQueue {
  readonly queue: Queue<RunJobData>;

  constructor(transport: QueueTransport, options: RunQueueOptions = {}) {
    const defaultJobOptions: JobsOptions = {
      attempts: options.attempts ?? 3,
      backoff: { type: "exponential", delay: options.backoffMs ?? 5_000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    };
    this.queue = transport.createQueue<RunJobData>(options.name ?? DEFAULT_QUEUE_NAME, { defaultJobOptions });
  }

  async enqueue(runs: RunJobSpec[]): Promise<void> {
    if (runs.length === 0) return;
    await this.queue.addBulk(
      runs.map((run) => ({
        name: "train",
        data: { runId: run.runId, sweepId: run.sweepId, params: run.params },
        opts: { jobId: run.runId, priority: bullPriority(run.priority) },
      })),
    );
  }

  /**
   * Removes jobs that no worker holds. Active jobs are locked and stay: their runs are stopped through
   * the control channel instead. Returns the ids it could not remove.
   */
  async removeWaiting(runIds: string[]): Promise<string[]> {
    const kept: string[] = [];
    for (const runId of runIds) {
      const job = await this.queue.getJob(runId);
      if (!job) continue;
      if ((await job.getState()) === "active") kept.push(runId);
      else await job.remove();
    }
    return kept;
  }

  /** Ids of the runs that have a job waiting, delayed, prioritised or active. */
  async pendingRunIds(): Promise<Set<string>> {
    const jobs = await this.queue.getJobs(["waiting", "delayed", "prioritized", "active"]);
    return new Set(jobs.map((job) => job.id).filter((id): id is string => id !== undefined));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
