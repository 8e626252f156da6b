import type { Job, JobsOptions, JobState, Queue } from "bullmq";
import type { QueueTransport } from "./backend.ts";
import { bullPriority, DEFAULT_QUEUE_NAME, type RunJobData, type RunJobSpec } from "./jobs.ts";

/** States in which a job will still be (or is being) processed. */
const LIVE_STATES = ["waiting", "prioritized", "delayed", "active", "waiting-children"] as const satisfies readonly JobState[];
/** States a job never leaves on its own: its id blocks a fresh job for the run until it is removed. */
const FINISHED_STATES: ReadonlySet<string> = new Set<JobState>(["completed", "failed"]);

/** Where a run's job is after ensureLive: "missing" when there is none. */
export type RunJobState = JobState | "unknown" | "missing";

export function isLiveJobState(state: RunJobState): boolean {
  return (LIVE_STATES as readonly string[]).includes(state);
}

type BulkJob = Parameters<Queue<RunJobData>["addBulk"]>[0][number];

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

  /** Adds each run's job; a run that already has a job (in any state, finished included) keeps it. */
  async enqueue(runs: RunJobSpec[]): Promise<void> {
    if (runs.length === 0) return;
    await this.queue.addBulk(runs.map(runJob));
  }

  /**
   * Gives each run a live job: a finished (completed or failed) job still holding the run's id is
   * removed and a fresh one added; a live job is kept. Returns each run's job state read back after.
   */
  ensureLive(runs: RunJobSpec[]): Promise<Map<string, RunJobState>> {
    return this.replaceFinished(runs.map(runJob));
  }

  /** The same for a job BullMQ failed without processing it: a fresh copy, with a fresh stall count. */
  async renew(job: Job<RunJobData>): Promise<RunJobState> {
    const states = await this.replaceFinished([{ name: job.name, data: job.data, opts: { jobId: job.id, priority: job.opts.priority } }]);
    return states.get(job.id!) ?? "missing";
  }

  /**
   * Safe against a job turning live meanwhile: only a retry moves a job out of completed/failed, and
   * removing the live job that a retry made (waiting or delayed) before adding the fresh one still
   * leaves one live job; an active job is locked and BullMQ refuses to remove it.
   */
  private async replaceFinished(jobs: BulkJob[]): Promise<Map<string, RunJobState>> {
    if (jobs.length === 0) return new Map();
    for (const { opts } of jobs) {
      const job = await this.queue.getJob(opts!.jobId!);
      if (job && FINISHED_STATES.has(await job.getState())) await job.remove().catch(() => undefined);
    }
    await this.queue.addBulk(jobs);
    const states = await Promise.all(jobs.map(async ({ opts }) => [opts!.jobId!, await this.jobState(opts!.jobId!)] as const));
    return new Map(states);
  }

  private async jobState(runId: string): Promise<RunJobState> {
    const job = await this.queue.getJob(runId);
    return job ? await job.getState() : "missing";
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

  /** Ids of the runs that have a live job (waiting, prioritised, delayed or active). */
  async pendingRunIds(): Promise<Set<string>> {
    const jobs = await this.queue.getJobs([...LIVE_STATES]);
    return new Set(jobs.map((job) => job.id).filter((id): id is string => id !== undefined));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

function runJob(run: RunJobSpec): BulkJob {
  return {
    name: "train",
    data: { runId: run.runId, sweepId: run.sweepId, params: run.params },
    opts: { jobId: run.runId, priority: bullPriority(run.priority) },
  };
}
