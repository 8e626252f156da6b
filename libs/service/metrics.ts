// The API's Prometheus metrics. The fleet's figures (queue, runs, workers) are read from the queue and
// PostgreSQL at each scrape: workers heartbeat their progress into PostgreSQL already, so one scrape
// of the API sees every worker, wherever it runs, and no worker needs a port of its own. The API's own
// figures (requests, epochs announced on the live channel) are counted in this process.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { countRunsByStatus, listWorkers, type WorkerOverview } from "../db/index.ts";
import { RUN_STATUSES, type LiveEvent, type RunProgressSnapshot } from "../results/index.ts";
import type { ServiceContext } from "./context.ts";

/** Prometheus's text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Seconds; from a cached read (about a millisecond) to a slow submit of a large sweep. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What a worker row says about its process: heartbeating, stopped cleanly, or silent without having stopped. */
export type WorkerState = "alive" | "stopped" | "lost";
const WORKER_STATES: readonly WorkerState[] = ["alive", "stopped", "lost"];

export interface RequestObservation {
  method: string;
  /** The route's pattern (`/api/sweeps/:id`), never the raw URL: one series per route, whatever the ids. */
  route: string;
  status: number;
  seconds: number;
}

/** The metrics of one API process, in a registry of its own (several APIs in one process do not mix). */
export class ServiceMetrics {
  private readonly registry = new Registry();
  private readonly requestDuration: Histogram<"method" | "route" | "status">;
  private readonly epochsWritten: Counter;
  private readonly queueJobs: Gauge<"state">;
  private readonly runs: Gauge<"status">;
  private readonly workers: Gauge<"state">;
  private readonly workerThroughput: Gauge<"worker" | "host" | "backend">;

  constructor(private readonly ctx: Pick<ServiceContext, "db" | "queue">) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: "sgan_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its answer, by method, route pattern and status code.",
      labelNames: ["method", "route", "status"],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.epochsWritten = new Counter({
      name: "sgan_epochs_written_total",
      help: "Epochs that workers wrote to PostgreSQL, as announced on the live channel (run-epoch events) since this API started.",
      registers,
    });
    this.queueJobs = new Gauge({ name: "sgan_queue_jobs", help: "Jobs in the run queue, by BullMQ state.", labelNames: ["state"], registers });
    this.runs = new Gauge({ name: "sgan_runs", help: "Runs stored in PostgreSQL, by status.", labelNames: ["status"], registers });
    this.workers = new Gauge({
      name: "sgan_workers",
      help: "Registered workers by state: alive (heartbeat within the last 30 s), stopped (shut down), lost (silent without stopping).",
      labelNames: ["state"],
      registers,
    });
    this.workerThroughput = new Gauge({
      name: "sgan_worker_samples_per_second",
      help: "Training throughput of each alive worker from its last heartbeat: samples/s summed over the runs it trains (0 when idle).",
      labelNames: ["worker", "host", "backend"],
      registers,
    });
  }

  observeRequest({ method, route, status, seconds }: RequestObservation): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** Counts what the live channel announces; call it for every event the API receives. */
  observeEvent(event: LiveEvent): void {
    if (event.type === "run-epoch") this.epochsWritten.inc();
  }

  /** Everything, in the text exposition format (METRICS_CONTENT_TYPE), for GET /metrics. */
  async exposition(): Promise<string> {
    await this.readFleet();
    return this.registry.metrics();
  }

  /** The queue's, the runs' and the workers' figures as they are now. */
  private async readFleet(): Promise<void> {
    const [jobs, runs, workers] = await Promise.all([this.ctx.queue.queue.getJobCounts(), countRunsByStatus(this.ctx.db), listWorkers(this.ctx.db)]);
    for (const [state, count] of Object.entries(jobs)) this.queueJobs.set({ state }, count);
    for (const status of RUN_STATUSES) this.runs.set({ status }, runs.get(status) ?? 0);
    for (const state of WORKER_STATES) this.workers.set({ state }, workers.filter((worker) => workerState(worker) === state).length);
    // Only alive workers have a throughput: a worker that stopped or was lost leaves no series behind.
    this.workerThroughput.reset();
    for (const worker of workers) {
      if (workerState(worker) === "alive") this.workerThroughput.set({ worker: worker.id, host: worker.host, backend: worker.backend }, samplesPerSecond(worker));
    }
  }
}

function workerState(worker: WorkerOverview): WorkerState {
  if (worker.alive) return "alive";
  return worker.stoppedAt === null ? "lost" : "stopped";
}

function samplesPerSecond(worker: WorkerOverview): number {
  // Written by the worker's heartbeat from its ProgressTracker: one snapshot per run it trains.
  const progress = worker.progress as unknown as Record<string, RunProgressSnapshot> | null;
  return Object.values(progress ?? {}).reduce((sum, run) => sum + run.samplesPerSec, 0);
}
